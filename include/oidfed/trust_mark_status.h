/// Trust Mark Status responses (spec 8.4): issuing one as a Trust Mark
/// Issuer, and verifying one received from an issuer's
/// federation_trust_mark_status_endpoint.
///
/// A status response is a `trust-mark-status-response+jwt` signed with one of
/// the issuer's Federation Entity Keys. Its claims: iss (the issuer), iat,
/// trust_mark (the compact Trust Mark asked about, verbatim) and status
/// ("active", "expired", "revoked", "invalid"; the spec lets frameworks
/// define more, which verification passes through as text). The pre-draft-44
/// unsigned `{"active": true}` answer is never produced nor accepted
/// (peers.md 3.3). Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>

namespace oidfed {

/// The required JWS "typ" of a status response (8.4.2). Compared exactly.
inline constexpr std::string_view kTrustMarkStatusResponseType = "trust-mark-status-response+jwt";
/// Its media type (15).
inline constexpr std::string_view kTrustMarkStatusResponseMediaType = "application/trust-mark-status-response+jwt";

/// The four status values of spec 8.4.2.
enum class TrustMarkStatus { Active, Expired, Revoked, Invalid };

/// "active", "expired", "revoked" or "invalid".
std::string_view trustMarkStatusName(TrustMarkStatus status) noexcept;

/// The claims of a status response to issue.
struct TrustMarkStatusClaims {
    EntityId issuer;
    std::string trustMark{};  ///< the compact Trust Mark, verbatim
    TrustMarkStatus status = TrustMarkStatus::Invalid;
    UnixTime issuedAt = 0;
};

/// Signs a status response with `issuerKey` (typ
/// trust-mark-status-response+jwt, kid from the key).
/// InvalidArgument when the key has no private part or kid, or trustMark is
/// empty.
Result<std::string> issueTrustMarkStatusResponse(const TrustMarkStatusClaims &claims, const Jwk &issuerKey);

/// A status response whose signature, typ and claims were checked.
struct TrustMarkStatusResponse {
    EntityId issuer;
    UnixTime issuedAt = 0;
    std::string trustMark{};
    std::string status{};  ///< as received; one of the four names, or a framework's own value

    bool active() const noexcept { return status == "active"; }
};

/// Verifies a status response from the issuer whose Federation Entity Keys
/// the caller trusts (`issuerKeys`, e.g. from the issuer's resolved chain).
/// Checks: JWS shape and allow-listed alg; typ exactly
/// trust-mark-status-response+jwt (BadType); kid present and in
/// `issuerKeys` (KeyNotFound); the signature (BadSignature); iss, iat,
/// trust_mark and status present with the right types (MissingClaim /
/// Malformed); iss == expectedIssuer and trust_mark == expectedTrustMark
/// byte for byte (InvalidClaim: an answer about another mark must not be
/// taken for this one); iat not beyond now + skew (NotYetValid).
Result<TrustMarkStatusResponse> verifyTrustMarkStatusResponse(std::string_view jwt, const JwkSet &issuerKeys,
                                                              const EntityId &expectedIssuer,
                                                              std::string_view expectedTrustMark, UnixTime now,
                                                              std::chrono::seconds skew = std::chrono::seconds(60),
                                                              const StatementOptions &options = {});

/// The claims of a Trust Mark read without verifying anything but its shape
/// (7.3 steps 1-3 and 7.1: compact JWS, allow-listed alg, typ
/// trust-mark+jwt, kid, iss / sub / trust_mark_type / iat / exp). For an
/// issuer answering about a mark it may have issued, and for tools: never
/// trust these claims before verifyTrustMark() (or the issuer's own
/// signature check) passed.
struct UnverifiedTrustMark {
    EntityId issuer;
    EntityId subject;
    std::string trustMarkType{};
    UnixTime issuedAt = 0;
    UnixTime expiresAt = -1;   ///< -1: no exp
    std::string kid{};
    std::string delegation{};  ///< empty: none
};

/// Decodes `jwt` as above; `typs` as in TrustMarkContext (a trust
/// framework's typ values per type). Errors as verifyTrustMark()'s
/// structural steps.
Result<UnverifiedTrustMark> decodeTrustMark(std::string_view jwt, const StatementOptions &options = {},
                                            const TrustMarkTypValues &typs = {});

/// Whether the signature of `jwt` verifies with the key of `keys` named by
/// its kid (KeyNotFound, InvalidKey, BadSignature otherwise). Structure is
/// checked first, as decodeTrustMark().
Result<void> checkTrustMarkSignature(std::string_view jwt, const JwkSet &keys, const StatementOptions &options = {},
                                     const TrustMarkTypValues &typs = {});

} // namespace oidfed
