#include <oidfed/cache_options.h>

#include <algorithm>

#include "core/range_check.h"

namespace oidfed {

namespace {

using namespace std::chrono;
using detail::checkRange;

/// Longest maxTtl of either cache.
constexpr seconds kMaxTtlLimit = hours(24 * 365);

} // namespace

Result<void> validateMemoryCacheOptions(const MemoryCacheOptions &o)
{
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxEntries", o.maxEntries, 1, 100'000'000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxBytes", o.maxBytes, 4096, std::size_t{1} << 40));
    OIDFED_TRY_VOID(checkRange<seconds>("maxTtl", o.maxTtl, seconds(1), kMaxTtlLimit));
    OIDFED_TRY_VOID(checkRange<seconds>("negativeTtl", o.negativeTtl, seconds(0), o.maxTtl,
                                        "0..maxTtl (" + detail::boundText(o.maxTtl) + " s)"));
    const std::size_t shardLimit = std::min<std::size_t>(256, o.maxEntries);
    OIDFED_TRY_VOID(checkRange<std::size_t>("shards", o.shards, 1, shardLimit,
                                            detail::rangeText<std::size_t>(1, shardLimit) +
                                                " (at most 256, and at most maxEntries)"));
    return ok();
}

Result<void> validateRedisCacheOptions(const RedisCacheOptions &o)
{
    // Never the URL: it may hold a password (redis_url.cpp checks it).
    OIDFED_TRY_VOID(checkRange<std::size_t>("keyPrefix", o.keyPrefix.size(), 1, 256, "1..256 bytes long"));
    OIDFED_TRY_VOID(checkRange<milliseconds>("connectTimeout", o.connectTimeout, milliseconds(1), minutes(1)));
    OIDFED_TRY_VOID(checkRange<milliseconds>("commandTimeout", o.commandTimeout, milliseconds(1), minutes(1)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("poolSize", o.poolSize, 1, 64));
    OIDFED_TRY_VOID(checkRange<milliseconds>("breakerMaxBackoff", o.breakerMaxBackoff, milliseconds(1), minutes(10)));
    OIDFED_TRY_VOID(checkRange<milliseconds>("breakerInitialBackoff", o.breakerInitialBackoff, milliseconds(1),
                                             o.breakerMaxBackoff,
                                             "1..breakerMaxBackoff (" + detail::boundText(o.breakerMaxBackoff) +
                                                 " ms)"));
    OIDFED_TRY_VOID(checkRange<milliseconds>("breakerSlowThreshold", o.breakerSlowThreshold, milliseconds(0),
                                             minutes(1)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("breakerSlowCommands", o.breakerSlowCommands, 1, 1000));
    OIDFED_TRY_VOID(checkRange<seconds>("maxTtl", o.maxTtl, seconds(1), kMaxTtlLimit));
    OIDFED_TRY_VOID(checkRange<seconds>("negativeTtl", o.negativeTtl, seconds(0), o.maxTtl,
                                        "0..maxTtl (" + detail::boundText(o.maxTtl) + " s)"));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxValueBytes", o.maxValueBytes, 1024, std::size_t{64} << 20));
    return ok();
}

} // namespace oidfed
