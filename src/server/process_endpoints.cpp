#include "server/process_endpoints.h"

#include <algorithm>
#include <map>
#include <optional>

#include <oidfed/json.h>

#include "server/http_responses.h"

namespace oidfed::server {

namespace {

HttpResponse health()
{
    HttpResponse response;
    response.contentType = "application/json";
    response.body = R"({"status":"up"})";
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse readiness(const ProcessState &state)
{
    Json body = Json::object();
    body.set("status", "ready");
    std::vector<ItemProblem> problems = state.problems ? state.problems() : std::vector<ItemProblem>{};
    if (!problems.empty()) {
        // Everything else is served: degraded, not down.
        body.set("status", "degraded");
        Json list = Json::array();
        for (const ItemProblem &problem : problems)
            list.push(problemToJson(problem));
        body.set("problems", std::move(list));
    }
    if (state.sharedCache) {
        CacheHealth health = state.sharedCache->health();
        if (health.state == CacheHealthState::Degraded) {
            // Degraded by design: answers keep coming from the in-process
            // cache or fresh resolution.
            body.set("status", "degraded");
            body.set("redis", "unreachable");
            body.set("detail", health.detail);
        } else {
            body.set("redis", "ok");
        }
    }
    HttpResponse response;
    response.contentType = "application/json";
    response.body = body.dump();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse metrics(const ProcessState &state)
{
    HttpResponse response;
    response.contentType = "text/plain; version=0.0.4";
    std::map<std::string, double> gauges;
    gauges["oidfed_ready"] = 1;
    std::optional<CacheStats> redis;
    if (state.sharedCache) {
        gauges["oidfed_redis_up"] = state.sharedCache->health().state == CacheHealthState::Ok ? 1 : 0;
        redis = state.sharedCache->stats();
    }
    std::vector<GaugeFamily> families = state.gauges ? state.gauges() : std::vector<GaugeFamily>{};
    response.body = state.metrics.render(gauges, redis ? &*redis : nullptr, families);
    response.addHeader("Cache-Control", "no-store");
    return response;
}

} // namespace

bool isProcessPath(std::string_view path) noexcept
{
    return std::find(kProcessPaths.begin(), kProcessPaths.end(), path) != kProcessPaths.end();
}

HttpResponse processEndpoint(const HttpRequest &request, const ProcessState &state, std::string &endpointName)
{
    endpointName = request.path.substr(1);
    if (request.method != "GET") {
        HttpResponse refused = errorResponse("invalid_request", "only GET is supported here");
        refused.status = 405;
        refused.addHeader("Allow", "GET");
        return refused;
    }
    if (request.path == "/healthz")
        return health();
    if (request.path == "/readyz")
        return readiness(state);
    return metrics(state);
}

} // namespace oidfed::server
