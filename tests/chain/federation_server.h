// A federation served over real HTTP on 127.0.0.1 for integration tests: a
// Pistache server answering GET requests from a table of (path and query) ->
// statement, with the entity-statement media type, and 404 otherwise. The
// table may be filled after the server started (its port is needed to name
// the entities). Stops in its destructor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <oidfed/fetcher.h>
#include <oidfed/resolver_options.h>

namespace oidfed::test {

/// The libcurl Fetcher with the loopback test switches (allowHttp,
/// allowLoopback) on. REQUIRES: curl_global_init() done.
std::unique_ptr<Fetcher> makeLoopbackFetcher();

/// Resolver options accepting the http:// entity ids of a FederationServer.
ResolverOptions loopbackResolverOptions();

class FederationServer {
public:
    FederationServer();
    ~FederationServer();
    FederationServer(const FederationServer &) = delete;
    FederationServer &operator=(const FederationServer &) = delete;

    /// "http://127.0.0.1:<port>"
    std::string base() const;
    /// Serves `body` at `url` (which must start with base()), after waiting
    /// `delayMs` milliseconds (a slow upstream; at most 5000), with
    /// `mediaType` as its Content-Type.
    void serve(const std::string &url, std::string body, int delayMs = 0,
               std::string mediaType = "application/entity-statement+jwt");
    /// Answers `url` with 404 from now on (an upstream that went away).
    void stopServing(const std::string &url);
    /// An answer to a POST.
    struct PostAnswer {
        int status = 200;
        std::string mediaType;
        std::string body;
    };
    /// (body, Content-Type of the request) -> the answer. Runs on a server
    /// thread.
    using PostHandler = std::function<PostAnswer(const std::string &body, const std::string &contentType)>;
    /// Answers POSTs to `url` (which must start with base(); no query) with
    /// `handler`. Other POSTs get 404 like unknown GETs.
    void handlePost(const std::string &url, PostHandler handler);

    /// Requests answered so far (any path).
    int requests() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed::test
