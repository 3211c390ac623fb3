#include <oidfed/trust_mark.h>

#include <algorithm>
#include <utility>

#include "chain/trust_mark_rules.h"

#include "statement/claims.h"

namespace oidfed {

using trust_mark::Kind;
using trust_mark::ParsedMark;

namespace {

// The checks every receiver (and every issuer, on its own output) runs
// before anything needs a key or a clock: JWS shape and alg, typ, kid,
// claims. `entity` receives the iss as soon as it can be read, for errors.
Result<ParsedMark> parseMark(std::string_view jwt, Kind kind, const StatementOptions &options, std::string &entity)
{
    OIDFED_TRY(Jws jws, trust_mark::parseSignedJwt(jwt, kind, options.jws));
    entity = trust_mark::peekIssuer(jws, options.jws);
    OIDFED_TRY_VOID(trust_mark::checkMarkType(jws, kind));
    OIDFED_TRY_VOID(trust_mark::checkMarkKid(jws, kind));
    return trust_mark::checkMarkClaims(std::move(jws), kind, options);
}

// The earlier of two optional expiries (-1: none).
UnixTime earliestExpiry(UnixTime a, UnixTime b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return std::min(a, b);
}

Result<UnixTime> delegationSteps(std::string_view jwt, const EntityId &trustMarkIssuer, std::string_view trustMarkType,
                                 const TrustMarkContext &ctx)
{
    // Without the owner's entry the delegation cannot be validated at all.
    OIDFED_TRY(trust_mark::TrustMarkOwner owner, trust_mark::trustMarkOwnerOf(ctx.anchor, trustMarkType, ctx.options));
    std::string unused;
    OIDFED_TRY(ParsedMark delegation, parseMark(jwt, Kind::Delegation, ctx.options, unused));  // 7.2.2 steps 1-3
    OIDFED_TRY_VOID(trust_mark::checkDelegatedIssuer(delegation, trustMarkIssuer));              // step 4
    OIDFED_TRY_VOID(trust_mark::checkDelegationOwner(delegation, owner));                        // step 5
    OIDFED_TRY_VOID(trust_mark::checkMarkValidity(delegation, Kind::Delegation, ctx.now, ctx.clockSkew));  // 6-7
    OIDFED_TRY_VOID(trust_mark::checkDelegatedType(delegation, trustMarkType));                   // step 8
    OIDFED_TRY_VOID(trust_mark::checkMarkSignature(delegation, Kind::Delegation, owner.jwks));   // step 9
    return delegation.expiresAt;
}

// Spec order is 1-9; here the checks that need no issuer keys run first
// (the delegation too: its keys come from the anchor's EC), so a mark the
// anchor would reject costs no resolution of its issuer (threat B02/I08).
Result<VerifiedTrustMark> verifySteps(std::string_view jwt, const EntityId &subject, const TrustMarkContext &ctx,
                                      std::string &entity)
{
    OIDFED_TRY(ParsedMark mark, parseMark(jwt, Kind::Mark, ctx.options, entity));         // steps 1-3, 7.1
    OIDFED_TRY_VOID(trust_mark::checkMarkSubject(mark, subject));                          // step 4
    OIDFED_TRY_VOID(trust_mark::checkMarkValidity(mark, Kind::Mark, ctx.now, ctx.clockSkew));  // steps 5-6
    OIDFED_TRY_VOID(trust_mark::checkIssuerAllowed(mark, ctx.anchor));                     // 17.5
    OIDFED_TRY_VOID(trust_mark::checkDelegationPresent(mark, ctx.anchor));                 // step 8
    UnixTime expiresAt = mark.expiresAt;
    if (const std::string *delegation = mark.claims.findString("delegation")) {           // step 9
        OIDFED_TRY(UnixTime delegationExpiry, delegationSteps(*delegation, mark.issuer, mark.trustMarkType, ctx));
        expiresAt = earliestExpiry(expiresAt, delegationExpiry);
    }
    OIDFED_TRY(JwkSet keys, trust_mark::issuerKeysFor(mark, ctx.anchor, ctx.issuerKeys));  // section 10
    OIDFED_TRY_VOID(trust_mark::checkMarkSignature(mark, Kind::Mark, keys));                // step 7
    return VerifiedTrustMark{mark.trustMarkType, mark.issuer.str(), std::string(jwt), expiresAt};
}

// Signs, then runs the receiver's structural rules and the signature check.
Result<std::pair<std::string, ParsedMark>> signAndCheck(const Json &payload, Kind kind, const Jwk &key,
                                                        const StatementOptions &options)
{
    Json header = Json::object();
    header.set("typ", std::string(kind == Kind::Mark ? kTrustMarkType : kTrustMarkDelegationType));
    OIDFED_TRY(std::string jwt, signJws(header, payload.dump(), key));
    std::string entity;
    OIDFED_TRY(ParsedMark parsed, parseMark(jwt, kind, options, entity));
    OIDFED_TRY(JwkSet keys, JwkSet::fromKeys({key}));
    OIDFED_TRY_VOID(trust_mark::checkMarkSignature(parsed, kind, keys));
    return std::pair<std::string, ParsedMark>(std::move(jwt), std::move(parsed));
}

// The owner's signature needs the anchor's trust_mark_owners, but an issuer
// can still make sure that the delegation it embeds is one for this mark.
Result<void> checkDelegationFits(const TrustMarkClaims &claims, const StatementOptions &options)
{
    std::string unused;
    OIDFED_TRY(ParsedMark delegation, parseMark(claims.delegation, Kind::Delegation, options, unused));
    OIDFED_TRY_VOID(trust_mark::checkDelegatedIssuer(delegation, claims.issuer));
    return trust_mark::checkDelegatedType(delegation, claims.trustMarkType);
}

} // namespace

TrustMarkAnchor TrustMarkAnchor::fromConfiguration(const EntityStatement &configuration)
{
    TrustMarkAnchor anchor{.entityId = configuration.issuer(), .jwks = configuration.jwks()};
    if (const Json *issuers = configuration.claim("trust_mark_issuers"))
        anchor.trustMarkIssuers = *issuers;
    if (const Json *owners = configuration.claim("trust_mark_owners"))
        anchor.trustMarkOwners = *owners;
    return anchor;
}

Result<VerifiedTrustMark> verifyTrustMark(std::string_view jwt, const EntityId &subject, const TrustMarkContext &ctx)
{
    std::string entity;
    auto verified = verifySteps(jwt, subject, ctx, entity);
    if (!verified)
        return fail(std::move(verified).error().withEntity(entity));
    return verified;
}

Result<UnixTime> checkTrustMarkDelegation(std::string_view delegationJwt, const EntityId &trustMarkIssuer,
                                          std::string_view trustMarkType, const TrustMarkContext &ctx)
{
    auto expiry = delegationSteps(delegationJwt, trustMarkIssuer, trustMarkType, ctx);
    if (!expiry)
        return fail(std::move(expiry).error().withEntity(trustMarkIssuer.str()));
    return expiry;
}

Result<std::string> issueTrustMark(const TrustMarkClaims &claims, const Jwk &issuerKey, const StatementOptions &options)
{
    Json payload = Json::object();
    payload.set("iss", claims.issuer.str());
    payload.set("sub", claims.subject.str());
    payload.set("trust_mark_type", claims.trustMarkType);
    payload.set("iat", claims.issuedAt);
    if (claims.expiresAt >= 0)
        payload.set("exp", claims.expiresAt);
    if (!claims.delegation.empty())
        payload.set("delegation", claims.delegation);
    OIDFED_TRY_VOID(claims::mergeExtraClaims(payload, claims.extraClaims));
    auto signedMark = signAndCheck(payload, Kind::Mark, issuerKey, options);
    if (!signedMark)
        return fail(std::move(signedMark).error().withEntity(claims.issuer.str()));
    if (!claims.delegation.empty())
        if (auto fits = checkDelegationFits(claims, options); !fits)
            return fail(std::move(fits).error().withClaim("delegation").withEntity(claims.issuer.str()));
    return std::move(signedMark->first);
}

Result<std::string> issueTrustMarkDelegation(const TrustMarkDelegationClaims &claims, const Jwk &ownerKey,
                                             const StatementOptions &options)
{
    Json payload = Json::object();
    payload.set("iss", claims.owner.str());
    payload.set("sub", claims.issuer.str());
    payload.set("trust_mark_type", claims.trustMarkType);
    payload.set("iat", claims.issuedAt);
    if (claims.expiresAt >= 0)
        payload.set("exp", claims.expiresAt);
    OIDFED_TRY_VOID(claims::mergeExtraClaims(payload, claims.extraClaims));
    auto signedDelegation = signAndCheck(payload, Kind::Delegation, ownerKey, options);
    if (!signedDelegation)
        return fail(std::move(signedDelegation).error().withEntity(claims.owner.str()));
    return std::move(signedDelegation->first);
}

} // namespace oidfed
