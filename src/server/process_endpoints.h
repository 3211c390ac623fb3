// The endpoints of the process itself, outside every entity's path:
// GET /healthz (the process is up), GET /readyz (it can serve) and
// GET /metrics (Prometheus text format). Their paths are reserved: the
// snapshot builder refuses a hosted entity whose endpoint would hide one.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <oidfed/cache.h>

#include "server/http_message.h"
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
};

/// The answer for a request to one of kProcessPaths (REQUIRES:
/// isProcessPath(request.path)); `endpointName` gets the metrics label
/// ("healthz", "readyz", "metrics"). 405 for any method but GET.
HttpResponse processEndpoint(const HttpRequest &request, const ProcessState &state, std::string &endpointName);

} // namespace oidfed::server
