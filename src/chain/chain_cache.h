// The in-process cache of resolved chains (positive) and failures (negative),
// bounded by entry count, LRU. Entries are shared_ptr<const TrustChain>: they
// were verified when stored and are immutable, so any thread may use them.
// Every read re-checks the expiry against `now` (threat J04).
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <oidfed/clock.h>
#include <oidfed/error.h>
#include <oidfed/trust_chain.h>

namespace oidfed::detail {

class ChainCache {
public:
    explicit ChainCache(std::size_t maxEntries) : maxEntries_(maxEntries) {}

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

    struct Entry {
        Hit hit;
        std::list<std::string>::iterator lru;
    };
    const std::size_t maxEntries_;
    mutable std::mutex mutex_;
    // Guarded by mutex_.
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;
};

} // namespace oidfed::detail
