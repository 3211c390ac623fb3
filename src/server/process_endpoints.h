// The endpoints of the process itself, outside every entity's path:
// GET /healthz (the process is up), GET /readyz (it can serve) and
// GET /metrics (Prometheus text format). Their paths are reserved: the
// snapshot builder refuses a hosted entity whose endpoint would hide one.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/cache.h>

#include "server/http_message.h"
#include "server/item_problem.h"
#include "server/metrics.h"

namespace oidfed::server {

/// The reserved paths, each answered by processEndpoint().
inline constexpr std::array<std::string_view, 3> kProcessPaths = {"/healthz", "/readyz", "/metrics"};

/// Whether `path` is one of kProcessPaths.
bool isProcessPath(std::string_view path) noexcept;

/// What the process endpoints report on; borrowed for the call.
struct ProcessState {
    Metrics &metrics;
    Cache *sharedCache = nullptr;  ///< Redis, when configured
    /// The items not served as configured now (FederationService::problems()).
    std::function<std::vector<ItemProblem>()> problems{};
    /// The service's own gauges (FederationService::gauges()).
    std::function<std::vector<GaugeFamily>()> gauges{};
};

/// The answer for a request to one of kProcessPaths (REQUIRES:
/// isProcessPath(request.path)); `endpointName` gets the metrics label
/// ("healthz", "readyz", "metrics"). 405 for any method but GET.
///   /healthz  {"status": "up"}
///   /readyz   {"status": "ready"}, or "degraded" with "problems" (each
///             problemToJson()) when an item is not served as configured,
///             and "redis": "ok" / "unreachable" (+ "detail", degraded)
///             with Redis configured; always 200 (the process serves).
///   /metrics  Metrics::render() with the gauges oidfed_ready,
///             oidfed_redis_up (with Redis) and the service's gauges.
HttpResponse processEndpoint(const HttpRequest &request, const ProcessState &state, std::string &endpointName);

} // namespace oidfed::server
