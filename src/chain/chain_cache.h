// The in-process cache of resolved chains (positive) and failures (negative),
// bounded by entry count, LRU. Entries are shared_ptr<const TrustChain>: they
// were verified when stored and are immutable, so any thread may use them.
// Every read re-checks the expiry against `now` (threat J04).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <oidfed/clock.h>
#include <oidfed/error.h>
#include <oidfed/trust_chain.h>

#include "core/lru_map.h"

namespace oidfed::detail {

class ChainCache {
public:
    explicit ChainCache(std::size_t maxEntries) : entries_(maxEntries) {}

    struct Hit {
        std::shared_ptr<const TrustChain> chain;  ///< set for a positive entry
        std::optional<Error> failure;             ///< set for a negative entry
        UnixTime expiresAt = 0;
    };

    std::optional<Hit> get(const std::string &key, UnixTime now);
    void putChain(const std::string &key, std::shared_ptr<const TrustChain> chain, UnixTime expiresAt, UnixTime now);
    void putFailure(const std::string &key, Error error, UnixTime expiresAt, UnixTime now);
    std::size_t size() const;

private:
    void put(const std::string &key, Hit hit, UnixTime now);  // REQUIRES: expiresAt > now

    mutable std::mutex mutex_;
    LruMap<std::string, Hit> entries_;  // guarded by mutex_
};

} // namespace oidfed::detail
