// VerificationMemo: remembers which statement verified with which key, so a
// statement shared by many chains (the anchor's statement about an
// intermediate, the intermediate's own) is verified once, not once per leaf.
// The key is the SHA-256 of the whole compact JWS (header, payload and
// signature: a changed byte anywhere is a different entry) and the RFC 7638
// thumbprint of the key; an entry lives until the statement's exp. In
// process only: a verification result is never read from a shared cache.
// Bounded; thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>

#include "core/lru_map.h"

namespace oidfed::detail {

class VerificationMemo {
public:
    explicit VerificationMemo(std::size_t maxEntries) : entries_(maxEntries) {}

    /// statement.verifySignature(keys), answered from memory when this exact
    /// statement already verified with the same key and has not expired.
    Result<void> verify(const EntityStatement &statement, const JwkSet &keys, UnixTime now);

    std::size_t hits() const;

private:
    bool seen(const std::string &key, UnixTime now);
    void remember(const std::string &key, UnixTime until);

    mutable std::mutex mutex_;
    // Guarded by mutex_: memo key -> the statement's exp.
    LruMap<std::string, UnixTime> entries_;
    std::size_t hits_ = 0;
};

} // namespace oidfed::detail
