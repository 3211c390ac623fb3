// FederationService: everything `oidfed serve` answers, as a function from
// HttpRequest to HttpResponse (the Pistache adapter in http_server.h only
// moves bytes). It owns the hosted entities, their resolve endpoints and the
// metrics, and swaps all of them at once on reload().
//
// Routing is by path: each hosted entity's endpoints live under the path of
// its Entity Identifier ({entity}/.well-known/openid-federation, /fetch,
// /list, /resolve, /historical-keys, /trust-mark, /trust-mark-list,
// /trust-mark-status), one route per endpoint of each of its roles
// (service_snapshot.h, roles.h); when two hosted entities share a path
// (different hosts), the Host header picks one. /healthz, /readyz and
// /metrics belong to the process (process_endpoints.h).
//
// Thread-safe: handle() runs on every HTTP worker thread at once; reload()
// and refresh() may run concurrently with it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "server/client_limiter.h"
#include "server/http_message.h"
#include "server/local_fetcher.h"
#include "server/metrics.h"
#include "server/resolve_endpoint.h"
#include "server/server_config.h"

namespace oidfed::server {

struct ServiceSnapshot;

class FederationService {
public:
    /// What the service borrows; must outlive it.
    struct Dependencies {
        const Clock &clock;
        Fetcher &upstream;           ///< for entities not hosted here (libcurl)
        Cache *sharedCache = nullptr;  ///< Redis, when configured
    };

    /// Loads keys (creating them on first start), subordinates, and signs
    /// everything. Any error names the entity and file.
    static Result<std::unique_ptr<FederationService>> create(ServerConfig config, Dependencies dependencies);
    ~FederationService();

    HttpResponse handle(const HttpRequest &request);

    /// Re-reads every entity's keys and subordinates and swaps them in
    /// atomically; requests in flight finish on the old state. On error the
    /// old state stays in service.
    Result<void> reload();

    /// Re-signs documents past half of their lifetime. The count re-signed.
    Result<std::size_t> refresh();

    /// The answer to an in-process fetch (GET, or POST with a form body),
    /// when its URL is hosted here.
    std::optional<HttpResponse> localResponse(const FetchRequest &fetch);

    const ServerConfig &config() const noexcept { return config_; }
    Metrics &metrics() noexcept { return metrics_; }

private:
    FederationService(ServerConfig config, Dependencies dependencies);
    Result<std::shared_ptr<const ServiceSnapshot>> buildSnapshot(UnixTime now);
    std::shared_ptr<const ServiceSnapshot> current() const;
    HttpResponse dispatch(const HttpRequest &request, std::string &endpointName);

    ServerConfig config_;
    Dependencies deps_;
    Metrics metrics_;
    OnDemandGate gate_;
    ClientLimiter clients_;  ///< per-client on-demand limits, over every resolve endpoint and reload
    LocalFetcher localFetcher_;
    mutable std::mutex mutex_;  ///< guards snapshot_ (the pointer, not the object)
    std::shared_ptr<const ServiceSnapshot> snapshot_;
    std::mutex reloadMutex_;    ///< one reload at a time
};

} // namespace oidfed::server
