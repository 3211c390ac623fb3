// The steps of Trust Mark (7.3) and Trust Mark Delegation (7.2.2)
// validation, one function each. verifyTrustMark() and the issuing functions
// (trust_mark/trust_mark.cpp), the delegation functions
// (trust_mark/trust_mark_delegation.h), the status functions and the issuing
// side (entity/trust_mark_issuer.cpp) run them; the rules shared with every
// federation JWT are in statement/claims.h.
// None of them sets the error's entity: the caller does (the mark's iss).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>

namespace oidfed::trust_mark {

/// Which of the two JWT kinds a rule is checking; selects the typ and the
/// rule names ("7.3 ..." or "7.2.2 ...").
enum class Kind { Mark, Delegation };

/// A Trust Mark or a Trust Mark Delegation whose shape and claims passed,
/// but whose signature, time and policy have not been checked yet.
struct ParsedMark {
    Jws jws;
    Json claims;
    EntityId issuer;
    EntityId subject;
    std::string trustMarkType;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = -1;  ///< -1: no exp
};

/// The Trust Mark Owner of a type, from the anchor's trust_mark_owners.
struct TrustMarkOwner {
    EntityId entityId;
    JwkSet jwks;
};

/// 7.3 steps 1 and 3 / 7.2.2 steps 1 and 3: a compact JWS whose alg is on
/// the allow-list (Jws::parse). Its error codes, with the rule set.
Result<Jws> parseSignedJwt(std::string_view jwt, Kind kind, const JwsLimits &limits);

/// The iss claim when it is a string, for naming the entity in errors
/// before the claims are checked; empty otherwise.
std::string peekIssuer(const Jws &jws, const JwsLimits &limits);

/// 7.3 steps 1-3 and 7.1 / 7.2.2 steps 1-3 and 7.2.1, everything that needs
/// neither keys nor a clock: parseSignedJwt, checkMarkType, checkMarkKid,
/// checkMarkClaims, then for a mark checkMarkTypFor, in that order. When
/// `issuer` is given it receives the iss (peekIssuer) as soon as the JWS is
/// parsed, for naming the entity in errors of the later steps. `typs`: the
/// typ values a trust framework defines per type (marks only).
Result<ParsedMark> parseMark(std::string_view jwt, Kind kind, const StatementOptions &options,
                             std::string *issuer = nullptr, const TrustMarkTypValues &typs = {});

/// How messages name a mark or a delegation: "the trust mark TYPE issued by
/// ISS to SUB", "the delegation of trust mark type TYPE from OWNER to ISSUER".
std::string markName(const ParsedMark &mark, Kind kind);

/// The earlier of two optional expiries (-1: none).
UnixTime earliestExpiry(UnixTime a, UnixTime b);

/// 7.3 step 2 / 7.2.2 step 2, before the claims are read: typ is exactly
/// trust-mark-delegation+jwt for a delegation; for a mark, trust-mark+jwt or
/// any value of `typs` (BadType).
Result<void> checkMarkType(const Jws &jws, Kind kind, const TrustMarkTypValues &typs = {});

/// 7.3 step 2 for the mark's own type: its typ is one `typs` lists for
/// mark.trustMarkType, or trust-mark+jwt when the type is not listed
/// (BadType, naming the values accepted).
Result<void> checkMarkTypFor(const ParsedMark &mark, const TrustMarkTypValues &typs);

/// 7 / 7.2.1: the kid header is present (KeyNotFound).
Result<void> checkMarkKid(const Jws &jws, Kind kind);

/// 7.1 / 7.2.1: iss, sub (Entity Identifiers), trust_mark_type (non-empty
/// string; the pre-Final names "id" and "trust_mark_id" are named in the
/// MissingClaim message), iat (NumericDate), exp (optional NumericDate),
/// iat <= exp, and for a mark a string "delegation" when present.
Result<ParsedMark> checkMarkClaims(Jws jws, Kind kind, const StatementOptions &options);

/// 7.3 step 4: the mark's sub is the entity whose EC carries it (InvalidClaim).
Result<void> checkMarkSubject(const ParsedMark &mark, const EntityId &subject);

/// 7.3 steps 5-6 / 7.2.2 steps 6-7: iat <= now + skew (NotYetValid) and,
/// when exp is present, now < exp + skew (Expired).
Result<void> checkMarkValidity(const ParsedMark &mark, Kind kind, UnixTime now, std::chrono::seconds skew);

/// 17.5 federation policy (see trust_mark.h): the anchor recognises the
/// mark's type and allows its issuer. NoTrustAnchor otherwise; Malformed
/// for a trust_mark_issuers entry that is not an array of strings.
Result<void> checkIssuerAllowed(const ParsedMark &mark, const TrustMarkAnchor &anchor);

/// 7.3 (before the steps): the issuer's Federation Entity Keys, from the
/// anchor itself or from a chain established by `issuerKeys`. The
/// callback's error code is kept (the issuer has no valid chain);
/// NoTrustAnchor when there is no callback.
Result<JwkSet> issuerKeysFor(const ParsedMark &mark, const TrustMarkAnchor &anchor,
                             const TrustMarkIssuerKeys &issuerKeys);

/// 7.3 step 7 / 7.2.2 step 9: the header kid names one of `keys` exactly
/// and the signature verifies with it (KeyNotFound, InvalidKey, BadSignature).
Result<void> checkMarkSignature(const ParsedMark &mark, Kind kind, const JwkSet &keys);

/// 7.3 step 8: a type listed in the anchor's trust_mark_owners needs the
/// delegation claim (MissingClaim).
Result<void> checkDelegationPresent(const ParsedMark &mark, const TrustMarkAnchor &anchor);

/// 3.1.2 / 7.2.2: the owner of `trustMarkType` in the anchor's
/// trust_mark_owners. InvalidClaim when there is no entry; Malformed /
/// InvalidKey when it is not {sub: Entity Identifier, jwks: JWK Set}.
Result<TrustMarkOwner> trustMarkOwnerOf(const TrustMarkAnchor &anchor, std::string_view trustMarkType,
                                        const StatementOptions &options);

/// 7.2.2 step 4: the delegation's sub is the mark's issuer (InvalidClaim).
Result<void> checkDelegatedIssuer(const ParsedMark &delegation, const EntityId &trustMarkIssuer);

/// 7.2.2 step 5: the delegation's iss is the type's owner (InvalidClaim).
Result<void> checkDelegationOwner(const ParsedMark &delegation, const TrustMarkOwner &owner);

/// 7.2.2 step 8: the delegation is for the mark's type (InvalidClaim).
Result<void> checkDelegatedType(const ParsedMark &delegation, std::string_view trustMarkType);

} // namespace oidfed::trust_mark
