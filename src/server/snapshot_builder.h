// Building a ServiceSnapshot from the configuration: the key stores of every
// hosted entity first (created on a first start), then each role's build
// step over all entities (roles.h), then the routes. Used at start and on
// every reload.
#pragma once

#include <memory>

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
};

/// The snapshot of `config` at `now`: every key store opened (or created),
/// subordinates and trust mark catalogs loaded, everything signed. Any
/// error names the entity and file; InvalidArgument when an endpoint would
/// hide one of the process's paths (/healthz, /readyz, /metrics).
Result<std::shared_ptr<const ServiceSnapshot>> buildSnapshot(const ServerConfig &config, UnixTime now,
                                                             const SnapshotDependencies &dependencies);

} // namespace oidfed::server
