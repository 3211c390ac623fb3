#include <oidfed/trust_mark.h>

#include <utility>

#include "trust_mark/trust_mark_delegation.h"
#include "trust_mark/trust_mark_rules.h"

#include "statement/claims.h"

namespace oidfed {

using trust_mark::Kind;
using trust_mark::ParsedMark;

namespace {

// Spec order is 1-9; here the checks that need no issuer keys run first
// (the delegation too: its keys come from the anchor's EC), so a mark the
// anchor would reject costs no resolution of its issuer (threat B02/I08).
Result<VerifiedTrustMark> verifySteps(std::string_view jwt, const EntityId &subject, const TrustMarkContext &ctx,
                                      std::string &entity)
{
    // steps 1-3, 7.1
    OIDFED_TRY(ParsedMark mark, trust_mark::parseMark(jwt, Kind::Mark, ctx.options, &entity, ctx.typValues));
    OIDFED_TRY_VOID(trust_mark::checkMarkSubject(mark, subject));                          // step 4
    OIDFED_TRY_VOID(trust_mark::checkMarkValidity(mark, Kind::Mark, ctx.now, ctx.clockSkew));  // steps 5-6
    OIDFED_TRY_VOID(trust_mark::checkIssuerAllowed(mark, ctx.anchor));                     // 17.5
    OIDFED_TRY_VOID(trust_mark::checkDelegationPresent(mark, ctx.anchor));                 // step 8
    UnixTime expiresAt = mark.expiresAt;
    if (const std::string *delegation = mark.claims.findString("delegation")) {           // step 9
        OIDFED_TRY(ParsedMark verified, trust_mark::verifyDelegation(*delegation, mark.issuer, mark.trustMarkType, ctx));
        expiresAt = trust_mark::earliestExpiry(expiresAt, verified.expiresAt);
    }
    OIDFED_TRY(JwkSet keys, trust_mark::issuerKeysFor(mark, ctx.anchor, ctx.issuerKeys));  // section 10
    OIDFED_TRY_VOID(trust_mark::checkMarkSignature(mark, Kind::Mark, keys));                // step 7
    return VerifiedTrustMark{mark.trustMarkType, mark.issuer.str(), std::string(jwt), expiresAt};
}

// Signs with `typ`, then runs the receiver's structural rules (accepting
// `typs`) and the signature check.
Result<std::pair<std::string, ParsedMark>> signAndCheck(const Json &payload, Kind kind, std::string_view typ,
                                                        const TrustMarkTypValues &typs, const Jwk &key,
                                                        const StatementOptions &options)
{
    Json header = Json::object();
    header.set("typ", std::string(typ));
    OIDFED_TRY(std::string jwt, signJws(header, payload.dump(), key));
    OIDFED_TRY(ParsedMark parsed, trust_mark::parseMark(jwt, kind, options, nullptr, typs));
    OIDFED_TRY(JwkSet keys, JwkSet::fromKeys({key}));
    OIDFED_TRY_VOID(trust_mark::checkMarkSignature(parsed, kind, keys));
    return std::pair<std::string, ParsedMark>(std::move(jwt), std::move(parsed));
}

// The owner's signature needs the anchor's trust_mark_owners, but an issuer
// can still make sure that the delegation it embeds is one for this mark.
Result<void> checkDelegationFits(const TrustMarkClaims &claims, const StatementOptions &options)
{
    OIDFED_TRY_VOID(trust_mark::parseDelegation(claims.delegation, claims.issuer, claims.trustMarkType, options));
    return ok();
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
    auto delegation = trust_mark::verifyDelegation(delegationJwt, trustMarkIssuer, trustMarkType, ctx);
    if (!delegation)
        return fail(std::move(delegation).error().withEntity(trustMarkIssuer.str()));
    return delegation->expiresAt;
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
    TrustMarkTypValues typs;
    if (!claims.typ.empty())
        typs[claims.trustMarkType] = {claims.typ};
    auto signedMark = signAndCheck(payload, Kind::Mark, claims.typ.empty() ? kTrustMarkType : claims.typ, typs,
                                   issuerKey, options);
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
    auto signedDelegation = signAndCheck(payload, Kind::Delegation, kTrustMarkDelegationType, {}, ownerKey, options);
    if (!signedDelegation)
        return fail(std::move(signedDelegation).error().withEntity(claims.owner.str()));
    return std::move(signedDelegation->first);
}

} // namespace oidfed
