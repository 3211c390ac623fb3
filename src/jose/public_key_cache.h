// PublicKeyCache: public JWKs already imported, keyed by their exact JSON
// text and the key limits they passed. A key that appears in several
// statements (a leaf's key is in its own Entity Configuration and in its
// superior's Subordinate Statement) is then imported and checked once, not
// once per statement: an EC import costs a point decoding and its checks,
// about as much as verifying a signature. Import is a pure function of the
// JSON text and the limits, and the Impl is immutable, so sharing it is
// exact. Only successes are kept. Bounded (LRU); thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include <oidfed/jwk.h>

#include "core/lru_map.h"

namespace oidfed::jose {

class PublicKeyCache {
public:
    explicit PublicKeyCache(std::size_t maxEntries) : entries_(maxEntries) {}

    /// The key a previous import of this exact JWK under these limits gave.
    std::shared_ptr<const Jwk::Impl> find(const std::string &cacheKey);
    void put(const std::string &cacheKey, std::shared_ptr<const Jwk::Impl> impl);

    /// The cache key: the limits, then the JWK's JSON text as parsed.
    static std::string keyOf(const Json &jwk, const KeyLimits &limits);

    /// The process-wide instance Jwk::fromPublicJson uses.
    static PublicKeyCache &shared();

private:
    std::mutex mutex_;
    detail::LruMap<std::string, std::shared_ptr<const Jwk::Impl>> entries_;  // guarded by mutex_
};

} // namespace oidfed::jose
