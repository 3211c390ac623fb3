#include "chain/verification_memo.h"

#include <oidfed/cache_key.h>

namespace oidfed::detail {

Result<void> VerificationMemo::verify(const EntityStatement &statement, const JwkSet &keys, UnixTime now)
{
    const Jwk *key = keys.find(statement.jws().kid());
    if (!key || maxEntries_ == 0)
        return statement.verifySignature(keys);  // the precise error comes from there
    std::string memoKey = cacheKeyDigest(statement.compact()) + ":" + key->thumbprint();
    if (seen(memoKey, now))
        return ok();
    OIDFED_TRY_VOID(statement.verifySignature(keys));
    remember(memoKey, statement.expiresAt());
    return ok();
}

bool VerificationMemo::seen(const std::string &key, UnixTime now)
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end())
        return false;
    if (it->second.first <= now) {
        lru_.erase(it->second.second);
        entries_.erase(it);
        return false;
    }
    lru_.splice(lru_.begin(), lru_, it->second.second);
    ++hits_;
    return true;
}

void VerificationMemo::remember(const std::string &key, UnixTime until)
{
    std::lock_guard lock(mutex_);
    if (entries_.count(key))
        return;
    while (entries_.size() >= maxEntries_) {
        entries_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(key);
    entries_.emplace(key, std::make_pair(until, lru_.begin()));
}

std::size_t VerificationMemo::hits() const
{
    std::lock_guard lock(mutex_);
    return hits_;
}

} // namespace oidfed::detail
