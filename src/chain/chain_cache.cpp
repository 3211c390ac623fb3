#include "chain/chain_cache.h"

namespace oidfed::detail {

std::optional<ChainCache::Hit> ChainCache::get(const std::string &key, UnixTime now)
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end())
        return std::nullopt;
    if (it->second.hit.expiresAt <= now) {
        lru_.erase(it->second.lru);
        entries_.erase(it);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.hit;
}

void ChainCache::put(const std::string &key, Hit hit, UnixTime now)
{
    if (hit.expiresAt <= now || maxEntries_ == 0)
        return;
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        lru_.erase(it->second.lru);
        entries_.erase(it);
    }
    while (entries_.size() >= maxEntries_) {
        entries_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(key);
    entries_.emplace(key, Entry{std::move(hit), lru_.begin()});
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
