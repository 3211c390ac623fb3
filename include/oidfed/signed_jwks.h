/// Signed JWK Sets (spec 5.2.1 signed_jwks_uri): the JWT an entity
/// publishes at the signed_jwks_uri of one of its entity types, whose
/// payload is the JWK Set of that type's protocol keys, signed with one of
/// the entity's Federation Entity Keys.
///
/// verifySignedJwks() is pure: `now` and the keys are passed in. Safe from
/// any thread.
#pragma once

#include <chrono>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed {

/// The JWS typ of a signed JWK Set (5.2.1, 8.7.2). Compared exactly.
inline constexpr std::string_view kJwkSetJwtType = "jwk-set+jwt";
/// The media type a signed_jwks_uri answers with (5.2.1, 15).
inline constexpr std::string_view kJwkSetJwtMediaType = "application/jwk-set+jwt";

/// A signed JWK Set that verified.
struct SignedJwks {
    JwkSet keys;
    UnixTime issuedAt = -1;  ///< -1: no iat
    UnixTime expiresAt = 0;
};

/// Limits for reading a signed JWK Set.
struct SignedJwksLimits {
    JwsLimits jws{};
    KeyLimits keys{};
};

/// Verifies `jwt` as `entity`'s signed JWK Set (5.2.1): a compact JWS with
/// an allow-listed alg (never none or HMAC), typ exactly jwk-set+jwt, a kid
/// naming one of `federationKeys` (the entity's Federation Entity Keys, e.g.
/// TrustChain::subjectKeys()) and a signature that verifies with it; iss and
/// sub both `entity` (5.2.1 says sub SHOULD equal iss; here both must name
/// the entity whose metadata pointed at the document, so a set published
/// for another entity is never taken); exp REQUIRED (a key set that never
/// expires would outlive every chain) and now < exp + skew; iat, when
/// present, a number not after now + skew; keys a JWK Set of public keys
/// with unique kids (JwkSet::fromJson), not empty, and `use` on every key
/// when it mixes signing and encryption keys.
///
/// Errors (rule "5.2.1 signed_jwks_uri", claim the header or claim
/// concerned, entityId `entity`): Malformed / UnsupportedAlgorithm /
/// LimitExceeded (Jws::parse), BadType (typ), KeyNotFound / InvalidKey /
/// BadSignature (the signature), MissingClaim (iss, sub, exp, keys),
/// InvalidClaim (iss or sub another entity, a non-numeric iat / exp, keys
/// not a usable set, mixed use), Expired, NotYetValid.
Result<SignedJwks> verifySignedJwks(std::string_view jwt, const EntityId &entity, const JwkSet &federationKeys,
                                    UnixTime now, std::chrono::seconds clockSkew,
                                    const SignedJwksLimits &limits = {});

/// The keys of a JWK Set document given as an entity type's protocol keys
/// (jwks, jwks_uri or the payload of a signed_jwks_uri): JwkSet::fromJson,
/// not empty, and `use` on every key when signing and encryption keys are
/// mixed (5.2.1). Errors: InvalidClaim (claim "keys" or "use"), or
/// JwkSet::fromJson's. No context fields are set; the caller names them.
Result<JwkSet> protocolKeySet(const Json &jwks, const KeyLimits &limits = {});

} // namespace oidfed
