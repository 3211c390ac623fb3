// keys.json, the manifest of a KeyStore directory: one record per key,
// public data only. Format (UTF-8 JSON; unknown members are Malformed so that
// a typo or a newer format never passes silently):
//
//   {"version": 1,
//    "keys": [
//      {"kid":          RFC 7638 thumbprint of "jwk" (also the PEM file name),
//       "alg":          JWS algorithm, one the key supports,
//       "state":        "next" | "active" | "retired",
//       "created_at":   NumericDate,
//       "activated_at": NumericDate   (active and retired keys only),
//       "retired_at":   NumericDate   (retired keys only),
//       "expires_at":   NumericDate   (retired keys only, >= retired_at),
//       "revoked":      {"revoked_at": NumericDate,
//                        "reason": "unspecified"|"compromised"|"superseded"}
//                                     (next and retired keys only),
//       "jwk":          the public JWK (never a private member)}, ...]}
//
// Whole-store rules checked here: unique kids, exactly one active key, at
// most one next key that is not revoked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oidfed/jwk.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/result.h>

#include "entity/key_store.h"

namespace oidfed::entity {

/// Whether `reason` is a revocation reason of spec 8.7.3.
bool isKeyRevocationReason(std::string_view reason) noexcept;

/// The public JWK published for `key`: its public members with kid = its
/// thumbprint, alg and "use": "sig". InvalidKey only if the key is refused.
Result<Jwk> publishedPublicKey(const Jwk &key, JwsAlgorithm alg);

/// Parses the manifest text. Malformed (naming the record's kid or index
/// and the member) on any breach of the format above; InvalidKey when a
/// "jwk" is refused by Jwk::fromPublicJson. Each record's publicKey carries
/// kid, alg and "use": "sig".
Result<std::vector<KeyRecord>> parseKeyManifest(std::string_view text);

/// The manifest text for `records` (pretty JSON, trailing newline). Holds
/// public keys only.
std::string serializeKeyManifest(const std::vector<KeyRecord> &records);

} // namespace oidfed::entity
