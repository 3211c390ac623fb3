#include "server/server_options.h"

#include "core/range_check.h"

namespace oidfed::server {

namespace {

using namespace std::chrono;
using detail::checkRange;

} // namespace

Result<void> validateResolveEndpointOptions(const ResolveEndpointOptions &o)
{
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxConcurrentOnDemand", o.maxConcurrentOnDemand, 1, 1024));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxOnDemandPerClient", o.maxOnDemandPerClient, 1, 1024));
    OIDFED_TRY_VOID(checkRange<std::size_t>("onDemandPerClientRate", o.onDemandPerClientRate, 0, 100000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("onDemandPerClientBurst", o.onDemandPerClientBurst, 1, 100000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxTrackedClients", o.maxTrackedClients, 1, 10000000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("responseCacheMaxEntries", o.responseCacheMaxEntries, 0, 10000000));
    OIDFED_TRY_VOID(checkRange<seconds>("responseCacheTtl", o.responseCacheTtl, seconds(1), hours(24)));
    return ok();
}

Result<void> validateServerOptions(const ServerOptions &o)
{
    OIDFED_TRY_VOID(checkRange<std::size_t>("threads", o.threads, 0, 256));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxRequestBytes", o.maxRequestBytes, 1024, std::size_t{1} << 20));
    OIDFED_TRY_VOID(checkRange<milliseconds>("headerTimeout", o.headerTimeout, milliseconds(100), minutes(1)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxConnections", o.maxConnections, 1, 1000000));
    OIDFED_TRY_VOID(checkRange<seconds>("refreshInterval", o.refreshInterval, seconds(1), hours(1)));
    OIDFED_TRY_VOID(checkRange<seconds>("expiryWarning", o.expiryWarning, hours(1), hours(24 * 365)));
    OIDFED_TRY_VOID(detail::nestedIn("fetch", validateFetchOptions(o.fetch)));
    OIDFED_TRY_VOID(detail::nestedIn("resolver", validateResolverOptions(o.resolver)));
    OIDFED_TRY_VOID(detail::nestedIn("resolveEndpoint", validateResolveEndpointOptions(o.resolveEndpoint)));
    if (o.redis)
        OIDFED_TRY_VOID(detail::nestedIn("redis", validateRedisCacheOptions(*o.redis)));
    return ok();
}

} // namespace oidfed::server
