#include "dcr_server.h"

#include <ctime>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/net.h>

namespace oidfed::test {

struct DcrServer::State {
    std::string initialAccessToken;
    std::uint16_t port = 0;
    mutable std::mutex mutex;
    // Guarded by mutex.
    Mode mode = Mode::Normal;
    int nextClient = 1;
    std::map<std::string, Client> clients;
    std::vector<std::string> requests;
    std::vector<std::string> authorizations;

    std::string base() const { return "http://127.0.0.1:" + std::to_string(port) + "/reg"; }
};

namespace {

using Pistache::Http::Code;

void sendJson(Pistache::Http::ResponseWriter &response, Code code, const Json &body)
{
    response.setMime(Pistache::Http::Mime::MediaType::fromString("application/json"));
    response.send(code, body.dump());
}

void sendError(Pistache::Http::ResponseWriter &response, Code code, const std::string &error,
               const std::string &description)
{
    Json body = Json::object();
    body.set("error", error);
    body.set("error_description", description);
    sendJson(response, code, body);
}

std::string methodName(Pistache::Http::Method method)
{
    switch (method) {
    case Pistache::Http::Method::Get:
        return "GET";
    case Pistache::Http::Method::Post:
        return "POST";
    case Pistache::Http::Method::Put:
        return "PUT";
    case Pistache::Http::Method::Delete:
        return "DELETE";
    default:
        return "OTHER";
    }
}

class Handler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<DcrServer::State> state) : state_(std::move(state)) {}

    void onRequest(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter response) override
    {
        const std::string method = methodName(request.method());
        const std::string path = request.resource();
        std::string authorization;
        if (auto header = request.headers().tryGetRaw("Authorization"))
            authorization = header->value();
        std::lock_guard lock(state_->mutex);
        state_->requests.push_back(method + " " + path);
        state_->authorizations.push_back(authorization);
        if (state_->mode == DcrServer::Mode::Unavailable)
            return sendError(response, Code::Service_Unavailable, "temporarily_unavailable", "maintenance");
        if (path == "/reg" && method == "POST")
            return create(request, authorization, response);
        const std::string prefix = "/reg/";
        if (path.rfind(prefix, 0) != 0)
            return sendError(response, Code::Not_Found, "not_found", "no such path");
        const std::string clientId = path.substr(prefix.size());
        auto client = state_->clients.find(clientId);
        if (client == state_->clients.end() || authorization != "Bearer " + client->second.accessToken)
            return sendError(response, Code::Unauthorized, "invalid_token", "unknown client or token");
        if (method == "GET")
            return sendJson(response, Code::Ok, information(client->first, client->second));
        if (method == "DELETE") {
            state_->clients.erase(client);
            response.send(Code::No_Content);
            return;
        }
        if (method != "PUT")
            return sendError(response, Code::Method_Not_Allowed, "invalid_request", "method");
        if (state_->mode == DcrServer::Mode::ForgetOnPut) {
            state_->clients.erase(client);
            return sendError(response, Code::Not_Found, "invalid_client", "no such client");
        }
        auto body = parseJson(request.body());
        if (!body || !body->isObject() || !body->findString("client_id") ||
            *body->findString("client_id") != clientId || body->contains("registration_access_token"))
            return sendError(response, Code::Bad_Request, "invalid_request", "a PUT carries the client_id only");
        if (state_->mode == DcrServer::Mode::RejectRedirectUri)
            return sendError(response, Code::Bad_Request, "invalid_redirect_uri", "redirect URIs refused");
        client->second.metadata = *body;
        client->second.accessToken = "rat-" + clientId + "-" + std::to_string(state_->nextClient++);
        return sendJson(response, Code::Ok, information(client->first, client->second));
    }

private:
    // REQUIRES: state_->mutex held.
    void create(const Pistache::Http::Request &request, const std::string &authorization,
                Pistache::Http::ResponseWriter &response)
    {
        if (authorization != "Bearer " + state_->initialAccessToken)
            return sendError(response, Code::Unauthorized, "invalid_token", "initial access token required");
        auto body = parseJson(request.body());
        if (!body || !body->isObject() || body->contains("client_id"))
            return sendError(response, Code::Bad_Request, "invalid_client_metadata", "not client metadata");
        if (state_->mode == DcrServer::Mode::RejectRedirectUri)
            return sendError(response, Code::Bad_Request, "invalid_redirect_uri", "redirect URIs refused");
        const std::string clientId = "client-" + std::to_string(state_->nextClient++);
        DcrServer::Client client;
        client.metadata = *body;
        client.metadata.set("client_id", clientId);
        client.accessToken = "rat-" + clientId;
        Json answer = information(clientId, client);
        if (state_->mode == DcrServer::Mode::ShortLivedSecret) {
            answer.set("client_secret", "secret-" + clientId);
            answer.set("client_secret_expires_at", static_cast<std::int64_t>(std::time(nullptr) + 10));
        }
        state_->clients.emplace(clientId, std::move(client));
        return sendJson(response, Code::Created, answer);
    }

    Json information(const std::string &clientId, const DcrServer::Client &client) const
    {
        Json out = client.metadata;
        out.set("client_id", clientId);
        out.set("client_id_issued_at", static_cast<std::int64_t>(std::time(nullptr)));
        out.set("registration_access_token", client.accessToken);
        out.set("registration_client_uri", state_->base() + "/" + clientId);
        return out;
    }

    std::shared_ptr<DcrServer::State> state_;
};

} // namespace

struct DcrServer::Impl {
    Pistache::Http::Endpoint endpoint{Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(0))};
};

DcrServer::DcrServer(std::string initialAccessToken)
    : state_(std::make_shared<State>()), impl_(std::make_unique<Impl>())
{
    state_->initialAccessToken = std::move(initialAccessToken);
    auto options = Pistache::Http::Endpoint::options().threads(2).flags(Pistache::Tcp::Options::ReuseAddr);
    impl_->endpoint.init(options);
    impl_->endpoint.setHandler(std::make_shared<Handler>(state_));
    impl_->endpoint.serveThreaded();
    state_->port = static_cast<std::uint16_t>(impl_->endpoint.getPort());
}

DcrServer::~DcrServer()
{
    impl_->endpoint.shutdown();
}

std::uint16_t DcrServer::port() const
{
    return state_->port;
}

std::string DcrServer::registrationEndpoint() const
{
    return state_->base();
}

void DcrServer::setMode(Mode mode)
{
    std::lock_guard lock(state_->mutex);
    state_->mode = mode;
}

std::map<std::string, DcrServer::Client> DcrServer::clients() const
{
    std::lock_guard lock(state_->mutex);
    return state_->clients;
}

std::vector<std::string> DcrServer::requests() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::vector<std::string> DcrServer::authorizations() const
{
    std::lock_guard lock(state_->mutex);
    return state_->authorizations;
}

} // namespace oidfed::test
