// A minimal OAuth 2.0 Dynamic Client Registration server (RFC 7591) with
// client management (RFC 7592) on 127.0.0.1, for the tests of the client
// store bridge of `oidfed serve` and of the API client: POST to the
// registration endpoint with the initial access token creates a client;
// GET, PUT and DELETE on its registration_client_uri with its registration
// access token read, replace and delete it. It can be told to fail.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <oidfed/json.h>

namespace oidfed::test {

class DcrServer {
public:
    /// How the next requests are answered.
    enum class Mode {
        Normal,
        /// 400 {"error": "invalid_redirect_uri"} to a POST or PUT.
        RejectRedirectUri,
        /// 503 to every request (an OP in maintenance).
        Unavailable,
        /// 201 to a POST, with a client_secret that expires in 10 s
        /// (before any registration could end: the bridge must undo it).
        ShortLivedSecret,
        /// PUT answers 404, as if the client had been deleted at the OP.
        ForgetOnPut,
    };

    struct Client {
        Json metadata = Json::object();  ///< as last registered (client_id included)
        std::string accessToken{};       ///< its registration access token
    };

    /// `initialAccessToken`: what a POST must carry as its Bearer token.
    explicit DcrServer(std::string initialAccessToken);
    ~DcrServer();
    DcrServer(const DcrServer &) = delete;
    DcrServer &operator=(const DcrServer &) = delete;

    std::uint16_t port() const;
    /// "http://127.0.0.1:<port>/reg"
    std::string registrationEndpoint() const;

    void setMode(Mode mode);
    /// The clients registered now, by client_id.
    std::map<std::string, Client> clients() const;
    /// Requests received, as "METHOD path" in order (no headers).
    std::vector<std::string> requests() const;
    /// The Authorization header of every request received, in order.
    std::vector<std::string> authorizations() const;

    struct State;

private:
    struct Impl;
    std::shared_ptr<State> state_;
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed::test
