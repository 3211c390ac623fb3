/// Trust Marks (spec 7): verifying a mark carried in an Entity Configuration
/// (7.3) and its delegation (7.2.2), and issuing both.
///
/// Verification is pure: no I/O and no clock. The caller passes `now`, the
/// trust anchor's verified Entity Configuration and a callback that yields the
/// keys of a Trust Mark Issuer whose own chain to that anchor is already
/// established (section 10). Each step is one named function in
/// src/trust_mark/trust_mark_rules.cpp. A TrustMarkContext may be shared between
/// threads when its issuerKeys callback may; the functions keep nothing.
///
/// Federation policy (spec 17.5), as oidfed applies it. A mark is returned
/// only when the anchor recognises its type:
///  - type listed in the anchor's trust_mark_issuers with a non-empty array:
///    the mark's iss must be in that array (the anchor itself included; it
///    is not implicitly allowed);
///  - listed with an empty array: anyone may issue it (3.1.2; threat I09);
///  - not listed in trust_mark_issuers but listed in trust_mark_owners: the
///    owner's delegation (7.2) is the permission, so any issuer holding a
///    valid delegation from that owner is accepted;
///  - in neither: unrecognised, rejected with NoTrustAnchor (17.5 lets a
///    relying party use such marks on out-of-band trust; a resolver has none).
/// Independently of the above, a type listed in trust_mark_owners always
/// needs a valid delegation (7.3 step 8), and a mark that carries a
/// delegation for a type with no owner entry is rejected, since 7.2.2 cannot
/// be completed without the owner's keys (7.3 step 9).
#pragma once

#include <chrono>
#include <functional>
#include <map>
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

/// The required JWS "typ" of a Trust Mark (7). Compared exactly.
inline constexpr std::string_view kTrustMarkType = "trust-mark+jwt";
/// The media type of a served Trust Mark (15).
inline constexpr std::string_view kTrustMarkMediaType = "application/trust-mark+jwt";
/// The required JWS "typ" of a Trust Mark Delegation (7.2.1). Compared exactly.
inline constexpr std::string_view kTrustMarkDelegationType = "trust-mark-delegation+jwt";
/// The media type of a Trust Mark Delegation (15).
inline constexpr std::string_view kTrustMarkDelegationMediaType = "application/trust-mark-delegation+jwt";

/// The JWS "typ" values accepted for Trust Marks, per trust_mark_type. Spec 7:
/// "trust-mark+jwt", unless the trust framework defines a more specific
/// value. A type listed here accepts exactly its values (list
/// kTrustMarkType among them to keep accepting it too); any other type
/// accepts exactly kTrustMarkType. Values are compared exactly.
using TrustMarkTypValues = std::map<std::string, std::vector<std::string>, std::less<>>;

/// What the trust anchor says about Trust Marks. Only the anchor's own,
/// verified Entity Configuration may fill it: trust_mark_issuers and
/// trust_mark_owners are ignored in any other statement (3.1.2).
struct TrustMarkAnchor {
    EntityId entityId;
    /// The anchor's Federation Entity Keys, as vouched for by the pinned keys
    /// (the jwks of its verified Entity Configuration). They verify the
    /// marks whose issuer is the anchor itself.
    JwkSet jwks{};
    /// The EC's trust_mark_issuers claim: type -> [issuer ids]; null when absent.
    Json trustMarkIssuers{};
    /// The EC's trust_mark_owners claim: type -> {sub, jwks}; null when absent.
    Json trustMarkOwners{};

    /// Takes the above from the anchor's Entity Configuration.
    /// REQUIRES: `configuration` is the anchor's EC and its signature and
    /// validity were verified against the pinned keys (as the chain
    /// validator does). The result does not refer to `configuration`.
    static TrustMarkAnchor fromConfiguration(const EntityStatement &configuration);
};

/// The Federation Entity Keys of a Trust Mark Issuer that has a valid chain
/// to the same anchor, or the reason it has none (its code is passed on).
using TrustMarkIssuerKeys = std::function<Result<JwkSet>(const EntityId &issuer)>;

struct TrustMarkContext {
    TrustMarkAnchor anchor;
    /// The time to check iat / exp against.
    UnixTime now = 0;
    /// Leeway on every iat / exp, as for statements.
    std::chrono::seconds clockSkew{60};
    /// Called for any issuer other than the anchor, after the policy check
    /// (so an issuer the anchor does not allow costs no resolution). An empty
    /// function means no such issuer can be trusted (NoTrustAnchor).
    TrustMarkIssuerKeys issuerKeys{};
    /// Parsing limits and test switches (entityIds.allowHttp, key limits).
    StatementOptions options{};
    /// The typ values a trust framework defines per type (empty: every mark
    /// is trust-mark+jwt).
    TrustMarkTypValues typValues{};
};

/// Spec 7.3: verifies `jwt`, a Trust Mark found in the Entity Configuration
/// of `subject`. Every step runs; the ones that need no issuer keys come
/// first, so a mark the anchor would refuse costs no resolution of its
/// issuer: a compact JWS with an allow-listed alg (7.3 steps 1, 3), typ
/// exactly trust-mark+jwt or, for a type in ctx.typValues, one of its
/// values (step 2; checked before the claims against every accepted value,
/// then against the mark's own type), a kid header (7), iss / sub /
/// trust_mark_type / iat present and well-formed, exp optional (7.1),
/// iat <= exp, sub == subject (step 4), iat and exp against now with the
/// skew (steps 5, 6), the issuer allowed by the anchor (17.5, see the file
/// comment), delegation present when the type has an owner (step 8), the
/// delegation valid (step 9, checkTrustMarkDelegation); then the issuer's
/// keys (the anchor's own, or issuerKeys) and the signature with the key
/// named by kid (step 7).
/// On success: the type, issuer and jwt, and expiresAt = the earlier of the
/// mark's and its delegation's exp (-1 when neither has one), since the mark
/// stops verifying when either expires.
/// Errors carry the rule (e.g. "7.3 step 8 delegation"), the claim and, as
/// entity, the mark's iss when it could be read: Malformed, LimitExceeded,
/// UnsupportedAlgorithm, UnknownCritical (JWS shape); BadType; KeyNotFound
/// (kid absent or not among the issuer's keys); MissingClaim (including the
/// pre-Final names id / trust_mark_id in place of trust_mark_type);
/// InvalidClaim (sub is another entity, iat > exp, delegation mismatch);
/// NotYetValid; Expired; NoTrustAnchor (issuer not allowed, type not
/// recognised, no issuerKeys); the callback's own code when the issuer has
/// no valid chain; InvalidKey; BadSignature.
/// `ctx` is only read during the call.
Result<VerifiedTrustMark> verifyTrustMark(std::string_view jwt, const EntityId &subject, const TrustMarkContext &ctx);

/// Spec 7.2.2: validates `delegationJwt`, the delegation claim of a mark of
/// `trustMarkType` issued by `trustMarkIssuer`. Steps: a compact JWS with an
/// allow-listed alg (1, 3), typ exactly trust-mark-delegation+jwt (2), a
/// kid header (7.2.1), iss / sub / trust_mark_type / iat well-formed, exp
/// optional, sub == trustMarkIssuer (4), iss == the owner's sub in the
/// anchor's trust_mark_owners[trustMarkType] (5), iat / exp against now with
/// the skew (6, 7), trust_mark_type equal (8), the signature with the key
/// named by kid from trust_mark_owners[trustMarkType].jwks (9).
/// Returns the delegation's exp (-1 when absent).
/// Errors as verifyTrustMark, with rules "7.2.2 ..."; InvalidClaim when the
/// anchor has no (well-formed) owner entry for the type.
Result<UnixTime> checkTrustMarkDelegation(std::string_view delegationJwt, const EntityId &trustMarkIssuer,
                                          std::string_view trustMarkType, const TrustMarkContext &ctx);

/// The claims of a Trust Mark to issue (7.1).
struct TrustMarkClaims {
    EntityId issuer;
    EntityId subject;
    std::string trustMarkType{};
    UnixTime issuedAt = 0;
    UnixTime expiresAt = -1;             ///< -1: no exp (the mark does not expire)
    std::string delegation{};            ///< compact Trust Mark Delegation; omitted when empty
    Json extraClaims = Json::object();   ///< logo_uri, ref, ...; must not redefine the above
    /// The JWS typ: empty for trust-mark+jwt, else the more specific value
    /// the trust framework defines for this type (spec 7).
    std::string typ{};
};

/// The claims of a Trust Mark Delegation to issue (7.2.1).
struct TrustMarkDelegationClaims {
    EntityId owner;                      ///< iss: the Trust Mark Owner
    EntityId issuer;                     ///< sub: the delegated Trust Mark Issuer
    std::string trustMarkType{};
    UnixTime issuedAt = 0;
    UnixTime expiresAt = -1;             ///< -1: no exp
    Json extraClaims = Json::object();   ///< ref, ...; must not redefine the above
};

/// Signs a Trust Mark with `issuerKey` (typ claims.typ, by default
/// trust-mark+jwt; kid from the key), then checks it with the receiver's structural rules and verifies
/// the signature; a given delegation is checked for shape, typ and for
/// naming this issuer and type (its signature needs the owner's keys, which
/// only the verifier has). Time and anchor policy are not checked: a mark
/// may be issued ahead of time. REQUIRES: issuerKey.hasPrivate() and a
/// non-empty kid. Errors: InvalidArgument (bad input, an extra claim
/// redefining one above), InvalidKey, or the failing rule's code.
Result<std::string> issueTrustMark(const TrustMarkClaims &claims, const Jwk &issuerKey,
                                   const StatementOptions &options = {});

/// Signs a Trust Mark Delegation with the owner's `ownerKey`
/// (typ trust-mark-delegation+jwt), then checks it the same way.
/// Same requirements and errors as issueTrustMark.
Result<std::string> issueTrustMarkDelegation(const TrustMarkDelegationClaims &claims, const Jwk &ownerKey,
                                             const StatementOptions &options = {});

} // namespace oidfed
