// SharedRegistrations: an OP's current registration of each RP in the
// shared cache (Redis), so that every replica knows it (issue 16: "kept
// until its exp ... so every replica knows it"). The value is the signed
// registration response itself, under cacheKey(Registration, {op, rp}),
// until its exp; a new registration of the RP replaces it (12.2.2 step 7).
//
// Redis is not a trust boundary: a replica reading an entry back verifies
// the response's signature with the OP's own published keys, its typ, iss,
// sub, iat and exp (now), and keeps only the client_id and the times. A
// garbled, forged or expired entry is no registration.
//
// Thread-safe (the Cache's contract).
#pragma once

#include <optional>
#include <string>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/jwk.h>

namespace oidfed::server {

/// What a replica learns from the shared cache about an RP's registration.
struct SharedRegistration {
    std::string clientId;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
};

class SharedRegistrations {
public:
    /// `cache` may be null (no Redis): put() does nothing, get() finds nothing.
    SharedRegistrations(Cache *cache, EntityId op, std::string clientEntityType)
        : cache_(cache), op_(std::move(op)), clientEntityType_(std::move(clientEntityType))
    {
    }

    bool enabled() const noexcept { return cache_ != nullptr; }

    /// Records `response` (the signed response about `rp`) until `expiresAt`.
    void put(const std::string &rp, const std::string &response, UnixTime expiresAt, UnixTime now) const;

    /// The RP's registration as the shared cache holds it, verified with
    /// `opKeys` at `now`; nullopt when there is none or it does not verify.
    std::optional<SharedRegistration> get(const std::string &rp, const JwkSet &opKeys, UnixTime now) const;

    /// What a response says, once its signature verified with `opKeys`:
    /// typ explicit-registration-response+jwt, iss the OP, sub `rp`, exp
    /// after `now`, a client_id in the client metadata. nullopt otherwise.
    std::optional<SharedRegistration> read(std::string_view response, const std::string &rp, const JwkSet &opKeys,
                                           UnixTime now) const;

private:
    std::string key(const std::string &rp) const;

    Cache *cache_;
    EntityId op_;
    std::string clientEntityType_;
};

} // namespace oidfed::server
