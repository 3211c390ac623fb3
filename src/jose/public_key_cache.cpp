#include "jose/public_key_cache.h"

#include "jose/jwk_impl.h"

namespace oidfed::jose {

namespace {

// Enough for every key of a federation's intermediates plus the leaves being
// resolved at once; an entry is one EVP_PKEY and its description.
constexpr std::size_t kSharedEntries = 4096;

} // namespace

std::shared_ptr<const Jwk::Impl> PublicKeyCache::find(const std::string &cacheKey)
{
    std::lock_guard lock(mutex_);
    auto *entry = entries_.find(cacheKey);
    return entry ? *entry : nullptr;
}

void PublicKeyCache::put(const std::string &cacheKey, std::shared_ptr<const Jwk::Impl> impl)
{
    std::lock_guard lock(mutex_);
    entries_.put(cacheKey, std::move(impl));
}

std::string PublicKeyCache::keyOf(const Json &jwk, const KeyLimits &limits)
{
    return std::to_string(limits.minRsaBits) + "-" + std::to_string(limits.maxRsaBits) + ":" + jwk.dump();
}

PublicKeyCache &PublicKeyCache::shared()
{
    static PublicKeyCache *cache = new PublicKeyCache(kSharedEntries);  // never destroyed: used until exit
    return *cache;
}

} // namespace oidfed::jose
