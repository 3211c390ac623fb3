// Building a ServiceSnapshot from the configuration: the key stores of every
// hosted entity first (created on a first start), then each role's build
// step over all entities (roles.h), then the routes. Used at start and on
// every reload.
#pragma once

#include <memory>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "server/resolve_endpoint.h"
#include "server/server_config.h"
#include "server/service_snapshot.h"

namespace oidfed::server {

/// What the snapshot's roles borrow; must outlive the snapshot.
struct SnapshotDependencies {
    Fetcher &localFetcher;  ///< the resolvers' fetcher
    Fetcher &upstream;      ///< libcurl, for entities not hosted here
    const Clock &clock;
    Cache *sharedCache = nullptr;
    ResolveEndpoint::Shared resolveShared;
    std::shared_ptr<CrawlState> crawlState{};  ///< kept across snapshots (crawl_role.cpp)
};

/// The snapshot of `config` at `now`: every key store opened (or created),
/// subordinates and trust mark catalogs loaded, everything signed. An item
/// that fails its checks affects only itself (roles.h): it is listed in the
/// snapshot's problems and served from `previous` (the snapshot served so
/// far, on a reload) or left out; an entity none of whose state can be
/// served is left out (the snapshot may have no slot at all). Fails only
/// with InvalidArgument when an endpoint would hide one of the process's
/// paths (/healthz, /readyz, /metrics).
Result<std::shared_ptr<ServiceSnapshot>> buildSnapshot(const ServerConfig &config, UnixTime now,
                                                             const SnapshotDependencies &dependencies,
                                                             const ServiceSnapshot *previous);

/// The problems of `snapshot` that arise while it is served, at `now` (a
/// held mark that could not be obtained, a delegation that has expired),
/// from each role that can have some.
std::vector<ItemProblem> problemsNow(const ServiceSnapshot &snapshot, UnixTime now);

/// The periodic work of each role that has some (the registration role's
/// sweep of ended registrations), from the server's refresher.
void refreshRoles(const ServiceSnapshot &snapshot, UnixTime now);

/// Everything the entities of `snapshot` rely on that has an end, from each
/// role that relies on some (expiry.h).
std::vector<ExpiringItem> expiriesOf(const ServiceSnapshot &snapshot);

} // namespace oidfed::server
