#include <oidfed/cache_options.h>

#include <algorithm>

#include "cache/redis_url.h"
#include "core/range_check.h"

namespace oidfed {

namespace {

using namespace std::chrono;
using detail::checkRange;

/// Longest maxTtl of either cache.
constexpr seconds kMaxTtlLimit = hours(24 * 365);
/// Sentinels one cache may name, and the longest master name.
constexpr std::size_t kMaxSentinels = 16;
constexpr std::size_t kMaxMasterNameBytes = 256;

Unexpected refused(std::string_view field, std::string why)
{
    return fail(Error(ErrorCode::InvalidArgument, std::string(field) + ": " + why).withClaim(field));
}

/// A user without a password is refused rather than sent as AUTH user "".
Result<void> checkCredentials(std::string_view userField, const std::string &user, const std::string &password)
{
    if (!user.empty() && password.empty())
        return refused(userField, "needs its password as well (AUTH user password)");
    return ok();
}

Result<void> validateSentinel(const RedisSentinelOptions &s)
{
    OIDFED_TRY_VOID(checkRange<std::size_t>("sentinel.addresses", s.addresses.size(), 1, kMaxSentinels,
                                            detail::rangeText<std::size_t>(1, kMaxSentinels) + " addresses"));
    for (std::size_t i = 0; i < s.addresses.size(); ++i) {
        auto parsed = cache::parseRedisAddress(s.addresses[i], cache::kDefaultSentinelPort);
        if (!parsed)
            return refused("sentinel.addresses",
                           "entry " + std::to_string(i) + " \"" + s.addresses[i] + "\": " + parsed.error().message);
        for (std::size_t j = 0; j < i; ++j)
            if (s.addresses[j] == s.addresses[i])
                return refused("sentinel.addresses", "\"" + s.addresses[i] + "\" is listed twice");
    }
    OIDFED_TRY_VOID(checkRange<std::size_t>("sentinel.masterName", s.masterName.size(), 1, kMaxMasterNameBytes,
                                            "1.." + std::to_string(kMaxMasterNameBytes) + " bytes long"));
    for (char c : s.masterName)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return refused("sentinel.masterName", "must not hold spaces or control characters");
    OIDFED_TRY_VOID(checkRange<std::int64_t>("sentinel.db", s.db, 0, cache::kMaxRedisDb));
    OIDFED_TRY_VOID(checkCredentials("sentinel.masterUser", s.masterUser, s.masterPassword));
    OIDFED_TRY_VOID(checkCredentials("sentinel.user", s.user, s.password));
    return ok();
}

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
    if (o.sentinel)
        OIDFED_TRY_VOID(validateSentinel(*o.sentinel));
    return ok();
}

} // namespace oidfed
