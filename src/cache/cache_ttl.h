/// The TTL rule shared by every Cache implementation (private header).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include <oidfed/clock.h>

namespace oidfed::cache {

/// The expiry an entry is stored with: its own expiresAt, lowered so that
/// the lifetime from `now` is at most maxTtl, and at most negativeTtl for a
/// negative entry. nullopt when the resulting lifetime is not positive
/// (already expired, or a negative entry with negativeTtl 0): store nothing.
inline std::optional<UnixTime> clampedExpiry(UnixTime expiresAt, bool negative, UnixTime now,
                                             std::chrono::seconds maxTtl, std::chrono::seconds negativeTtl)
{
    if (expiresAt <= now)
        return std::nullopt;
    std::int64_t ttl = 0;
    if (__builtin_sub_overflow(expiresAt, now, &ttl))
        ttl = INT64_MAX;  // both extreme: any clamp below applies
    ttl = std::min<std::int64_t>(ttl, maxTtl.count());
    if (negative)
        ttl = std::min<std::int64_t>(ttl, negativeTtl.count());
    if (ttl <= 0)
        return std::nullopt;
    return now + ttl;  // <= expiresAt: cannot overflow
}

} // namespace oidfed::cache
