// TrustMarkStatusCache: the resolver's memory of Trust Mark Status answers
// (spec 8.4), so that a mark of a status-checked type costs one POST to its
// issuer per TrustMarkVerificationOptions::statusCacheTtl, not one per
// resolution (threat I10). Keyed by the digest of the compact mark and the
// trust anchor it was judged under; a verdict is "active" (no error) or the
// reason the mark is not used (revoked, expired, invalid, or the issuer could
// not be asked). Bounded by entry count; the oldest entry goes first.
// Every read re-checks the expiry against `now`. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <oidfed/clock.h>
#include <oidfed/error.h>

namespace oidfed::detail {

class TrustMarkStatusCache {
public:
    explicit TrustMarkStatusCache(std::size_t maxEntries) : maxEntries_(maxEntries) {}

    /// A cached verdict: nullopt error = active.
    struct Verdict {
        std::optional<Error> failure;
    };

    std::optional<Verdict> get(const std::string &key, UnixTime now) const;
    void put(const std::string &key, Verdict verdict, UnixTime expiresAt);

private:
    struct Entry {
        Verdict verdict;
        UnixTime expiresAt = 0;
    };
    const std::size_t maxEntries_;
    mutable std::mutex mutex_;
    // Guarded by mutex_.
    std::unordered_map<std::string, Entry> entries_;
    // Guarded by mutex_: keys in insertion order, for eviction.
    std::deque<std::string> order_;
};

} // namespace oidfed::detail
