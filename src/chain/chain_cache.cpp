#include "chain/chain_cache.h"

namespace oidfed::detail {

std::optional<ChainCache::Hit> ChainCache::get(const std::string &key, UnixTime now)
{
    std::lock_guard lock(mutex_);
    const Hit *hit = entries_.find(key);
    if (!hit)
        return std::nullopt;
    if (hit->expiresAt <= now) {
        entries_.erase(key);
        return std::nullopt;
    }
    return *hit;
}

void ChainCache::put(const std::string &key, Hit hit, UnixTime now)
{
    if (hit.expiresAt <= now)
        return;
    std::lock_guard lock(mutex_);
    entries_.put(key, std::move(hit));
}

void ChainCache::putChain(const std::string &key, std::shared_ptr<const TrustChain> chain, UnixTime expiresAt,
                          UnixTime now)
{
    put(key, Hit{std::move(chain), std::nullopt, expiresAt}, now);
}

void ChainCache::putFailure(const std::string &key, Error error, UnixTime expiresAt, UnixTime now)
{
    put(key, Hit{nullptr, std::move(error), expiresAt}, now);
}

std::size_t ChainCache::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace oidfed::detail
