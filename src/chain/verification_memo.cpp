#include "chain/verification_memo.h"

namespace oidfed::detail {

Result<void> VerificationMemo::verify(const EntityStatement &statement, const JwkSet &keys, UnixTime now)
{
    const Jwk *key = keys.find(statement.jws().kid());
    if (!key)
        return statement.verifySignature(keys);  // the precise error comes from there
    std::string memoKey = statement.digest() + ":" + key->thumbprint();
    if (seen(memoKey, now))
        return ok();
    OIDFED_TRY_VOID(statement.verifySignature(keys));
    remember(memoKey, statement.expiresAt());
    return ok();
}

bool VerificationMemo::seen(const std::string &key, UnixTime now)
{
    std::lock_guard lock(mutex_);
    const UnixTime *until = entries_.find(key);
    if (!until)
        return false;
    if (*until <= now) {
        entries_.erase(key);
        return false;
    }
    ++hits_;
    return true;
}

void VerificationMemo::remember(const std::string &key, UnixTime until)
{
    std::lock_guard lock(mutex_);
    entries_.put(key, until);
}

std::size_t VerificationMemo::hits() const
{
    std::lock_guard lock(mutex_);
    return hits_;
}

} // namespace oidfed::detail
