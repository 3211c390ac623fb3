// ConsoleEndpoint: routing under console.path, the console's files, its
// data calls (authenticated unless read_without_credentials) and the admin
// API forwarded in process; the security headers of every answer.

#include "server/console_endpoint.h"

#include <algorithm>

#include "server/admin_api.h"
#include "server/console_assets.h"
#include "server/console_data.h"
#include "server/federation_service.h"
#include "server/http_responses.h"
#include "server/query_params.h"

namespace oidfed::server {

namespace {

/// The headers of every console answer (docs/security.md, "Web console").
HttpResponse secured(HttpResponse response)
{
    response.addHeader("Content-Security-Policy", std::string(ConsoleEndpoint::kContentSecurityPolicy));
    response.addHeader("X-Content-Type-Options", "nosniff");
    response.addHeader("Referrer-Policy", "no-referrer");
    response.addHeader("X-Frame-Options", "DENY");
    response.addHeader("Cross-Origin-Resource-Policy", "same-origin");
    return response;
}

HttpResponse jsonAnswer(const Json &body)
{
    HttpResponse response;
    response.contentType = "application/json";
    response.addHeader("Cache-Control", "no-store");
    response.body = body.dump();
    return response;
}

HttpResponse notFound(std::string message)
{
    return adminError(Error(ErrorCode::NotFound, std::move(message)), 404);
}

HttpResponse onlyGet()
{
    HttpResponse response = adminError(Error(ErrorCode::InvalidArgument, "only GET is supported here"), 405);
    response.addHeader("Allow", "GET, HEAD");
    return response;
}

/// Holds one of the console's resolution slots while it lives.
class ResolutionSlot {
public:
    ResolutionSlot(std::atomic<std::size_t> &running, std::size_t limit) : running_(running)
    {
        held_ = running_.fetch_add(1) < limit;
        if (!held_)
            running_.fetch_sub(1);
    }
    ~ResolutionSlot()
    {
        if (held_)
            running_.fetch_sub(1);
    }
    ResolutionSlot(const ResolutionSlot &) = delete;
    ResolutionSlot &operator=(const ResolutionSlot &) = delete;
    bool held() const noexcept { return held_; }

private:
    std::atomic<std::size_t> &running_;
    bool held_ = false;
};

} // namespace

ConsoleEndpoint::ConsoleEndpoint(const ServerOptions &options, FederationService &service, AdminApi *admin)
    : settings_(*options.console), adminSettings_(options.admin), allowHttp_(options.allowHttp), service_(service),
      admin_(admin)
{
}

bool ConsoleEndpoint::owns(std::string_view path) const noexcept
{
    const std::string_view prefix = settings_.path;
    return path.starts_with(prefix) || path == prefix.substr(0, prefix.size() - 1);
}

HttpResponse ConsoleEndpoint::handle(const HttpRequest &request)
{
    const std::string_view prefix = settings_.path;
    if (request.path.size() < prefix.size()) {  // the path without its trailing '/'
        HttpResponse response;
        response.status = 308;
        response.addHeader("Location", std::string(prefix));
        return secured(std::move(response));
    }
    const std::string_view rest = std::string_view(request.path).substr(prefix.size());
    if (rest.starts_with("admin/"))
        return secured(forwardToAdmin(request, rest));
    if (request.method != "GET" && request.method != "HEAD")
        return secured(onlyGet());
    if (rest.starts_with("api/"))
        return secured(data(request, rest.substr(4)));
    return secured(asset(request, rest.empty() ? "index.html" : rest));
}

HttpResponse ConsoleEndpoint::asset(const HttpRequest &request, std::string_view name) const
{
    // Only the names of the embedded files: nothing is looked up on disk, so
    // "..", "%2e%2e" or any other spelling of a path is simply not found.
    for (const ConsoleAsset &file : consoleAssets())
        if (file.name == name)
            return cacheableResponse(file.contentType, std::string(file.body), std::string(file.etag), 0,
                                     request.ifNoneMatch);
    return notFound("the console has no file by this name");
}

HttpResponse ConsoleEndpoint::data(const HttpRequest &request, std::string_view view)
{
    if (!settings_.readWithoutCredentials) {
        if (request.authorization.empty() || !adminSettings_ ||
            !findAdminOperator(*adminSettings_, request.authorization)) {
            HttpResponse response = adminError(
                Error(ErrorCode::InvalidClient, "the console's data needs an admin operator's bearer token"), 401);
            response.addHeader("WWW-Authenticate", "Bearer realm=\"oidfed-console\"");
            return response;
        }
    }
    auto params = QueryParams::parse(request.query);
    if (!params)
        return adminError(params.error(), 400);
    auto parameter = [&params](std::string_view name) -> Result<std::string> {
        OIDFED_TRY(std::optional<std::string> value, params->single(name));
        return value.value_or(std::string());
    };
    const std::shared_ptr<const ServiceSnapshot> snapshot = service_.current();
    const UnixTime now = service_.clock().now();
    auto answer = [](Result<Json> body) {
        if (body)
            return jsonAnswer(*body);
        const int status = body.error().code == ErrorCode::NotFound ? 404 : 400;
        return adminError(body.error(), status);
    };

    if (view == "entities") {
        Json body = console::entitiesView(*snapshot);
        body.set("read_only", admin_ == nullptr);
        body.set("read_without_credentials", settings_.readWithoutCredentials);
        return jsonAnswer(body);
    }
    if (view == "entity") {
        auto id = parameter("id");
        if (!id)
            return adminError(id.error(), 400);
        return answer(console::entityView(*snapshot, service_.expiries(), *id, now));
    }
    if (view == "expiry")
        return jsonAnswer(console::expiryView(*snapshot, service_.expiries(), now));
    if (view == "health")
        return jsonAnswer(console::healthView(service_.problems(), service_.crawls()));
    if (view == "federation" || view == "explain") {
        auto anchor = parameter("trust_anchor");
        if (!anchor)
            return adminError(anchor.error(), 400);
        ResolutionSlot slot(resolving_, settings_.maxConcurrentResolutions);
        if (!slot.held()) {
            HttpResponse busy = adminError(Error(ErrorCode::LimitExceeded, "the console is resolving as much as "
                                                                           "console.max_concurrent_resolutions allows; "
                                                                           "retry shortly"),
                                           503);
            busy.addHeader("Retry-After", "1");
            return busy;
        }
        if (view == "federation")
            return answer(console::federationView(*snapshot, service_.fetcher(), *anchor,
                                                  allowHttp_, now));
        auto sub = parameter("sub");
        if (!sub)
            return adminError(sub.error(), 400);
        if (sub->empty())
            return adminError(Error(ErrorCode::InvalidArgument, "the query parameter sub is required").withClaim("sub"),
                              400);
        return answer(console::explainView(*snapshot, *sub, *anchor));
    }
    return notFound("the console has no data call by this name");
}

HttpResponse ConsoleEndpoint::forwardToAdmin(const HttpRequest &request, std::string_view rest)
{
    if (!admin_)
        return notFound("the admin API is not configured (\"admin\"): the console is read-only");
    HttpRequest forwarded = request;
    forwarded.path = "/" + std::string(rest);
    return admin_->handle(forwarded);
}

} // namespace oidfed::server
