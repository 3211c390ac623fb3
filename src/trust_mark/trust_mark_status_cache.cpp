#include "trust_mark/trust_mark_status_cache.h"

namespace oidfed::detail {

std::optional<TrustMarkStatusCache::Verdict> TrustMarkStatusCache::get(const std::string &key, UnixTime now) const
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || now >= it->second.expiresAt)
        return std::nullopt;
    return it->second.verdict;
}

void TrustMarkStatusCache::put(const std::string &key, Verdict verdict, UnixTime expiresAt)
{
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.insert_or_assign(key, Entry{std::move(verdict), expiresAt});
    if (inserted)
        order_.push_back(key);
    while (entries_.size() > maxEntries_ && !order_.empty()) {
        entries_.erase(order_.front());
        order_.pop_front();
    }
}

} // namespace oidfed::detail
