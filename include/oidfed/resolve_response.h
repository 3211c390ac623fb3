/// Resolve responses (spec 8.3.2): issuing one for a verified TrustChain, and
/// verifying one received from a remote resolver.
///
/// A resolve response is a `resolve-response+jwt` signed by the resolver with
/// a Federation Entity Key. Its claims: iss (the resolver), sub, iat, exp (the
/// chain's expiry, which is already the minimum over the statements and the
/// returned trust marks, 8.3.2), metadata (resolved, for the requested
/// entity types), trust_chain (subject's EC first, anchor's EC last) and
/// trust_marks (only verified marks; omitted when there are none).
///
/// Trusting a remote resolver means trusting it to validate correctly
/// (8.3.3). A caller that wants more can validate the returned trust_chain
/// itself with validateTrustChain() and its own pinned anchors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

/// The required JWS "typ" of a resolve response. Compared exactly.
inline constexpr std::string_view kResolveResponseType = "resolve-response+jwt";
/// Its media type (15).
inline constexpr std::string_view kResolveResponseMediaType = "application/resolve-response+jwt";

/// Signs the resolve response for `chain` as `issuer` at `now`.
/// InvalidArgument when the key has no private part or kid, or when the
/// chain has already expired at `now`.
Result<std::string> issueResolveResponse(const TrustChain &chain, const EntityId &issuer, UnixTime now,
                                         const Jwk &signingKey);

/// A resolve response whose signature, typ and claims were checked.
struct ResolveResponse {
    EntityId issuer;
    EntityId subject;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
    Json metadata = Json::object();
    std::vector<std::string> trustChain{};
    Json trustMarks{};  ///< the array as received, or null when absent
};

/// Verifies a resolve response from a resolver whose Federation Entity Keys
/// the caller trusts. Checks: JWS shape and allow-listed alg; typ exactly
/// `resolve-response+jwt` (BadType); kid present and found in
/// `resolverKeys` (KeyNotFound); the signature (BadSignature); iss ==
/// `expectedIssuer` and, when `expectedSubject` is not empty, sub ==
/// it (InvalidClaim); iss, sub, iat, exp, metadata and trust_chain present
/// with the right JSON types (MissingClaim / Malformed); a non-empty
/// trust_chain of strings; iat not in the future and exp not passed beyond
/// `skew` (NotYetValid / Expired).
Result<ResolveResponse> verifyResolveResponse(std::string_view jwt, const JwkSet &resolverKeys,
                                              const EntityId &expectedIssuer, std::string_view expectedSubject,
                                              UnixTime now, std::chrono::seconds skew = std::chrono::seconds(60),
                                              const StatementOptions &options = {});

} // namespace oidfed
