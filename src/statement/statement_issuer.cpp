#include <oidfed/statement_issuer.h>

#include <string_view>

#include "statement/claims.h"
#include "statement/statement_payload.h"

namespace oidfed {

namespace {

Json entityIdArray(const std::vector<EntityId> &ids)
{
    Json array = Json::array();
    for (const EntityId &id : ids)
        array.push(id.str());
    return array;
}

// Signs, then checks the result exactly as a receiver would.
Result<std::string> signAndCheck(const Json &payload, const Jwk &signingKey, const JwkSet &verificationKeys,
                                 const StatementOptions &options)
{
    Json header = Json::object();
    header.set("typ", std::string(kEntityStatementType));
    OIDFED_TRY(std::string jwt, signJws(header, payload.dump(), signingKey));
    OIDFED_TRY(EntityStatement parsed, EntityStatement::parse(jwt, options));
    OIDFED_TRY_VOID(parsed.verifySignature(verificationKeys));
    return jwt;
}

} // namespace

namespace statement {

Result<Json> entityConfigurationPayload(const EntityConfigurationClaims &claims, const Jwk &signingKey)
{
    if (!claims.jwks.find(signingKey.kid()))
        return fail(Error(ErrorCode::InvalidArgument, "signing key " + signingKey.kid() + " is not in the entity's jwks")
                        .withClaim("jwks")
                        .withEntity(claims.entityId.str()));
    Json payload = Json::object();
    payload.set("iss", claims.entityId.str());
    payload.set("sub", claims.entityId.str());
    payload.set("iat", claims.issuedAt);
    payload.set("exp", claims.expiresAt);
    payload.set("jwks", claims.jwks.toJson());
    if (claims.metadata.isObject() && claims.metadata.size() > 0)
        payload.set("metadata", claims.metadata);
    if (!claims.authorityHints.empty())
        payload.set("authority_hints", entityIdArray(claims.authorityHints));
    if (!claims.trustAnchorHints.empty())
        payload.set("trust_anchor_hints", entityIdArray(claims.trustAnchorHints));
    if (!claims.trustMarks.isNull())
        payload.set("trust_marks", claims.trustMarks);
    if (!claims.trustMarkIssuers.isNull())
        payload.set("trust_mark_issuers", claims.trustMarkIssuers);
    if (!claims.trustMarkOwners.isNull())
        payload.set("trust_mark_owners", claims.trustMarkOwners);
    OIDFED_TRY_VOID(claims::mergeExtraClaims(payload, claims.extraClaims));
    return payload;
}

} // namespace statement

Result<std::string> issueEntityConfiguration(const EntityConfigurationClaims &claims, const Jwk &signingKey,
                                             const StatementOptions &options)
{
    OIDFED_TRY(Json payload, statement::entityConfigurationPayload(claims, signingKey));
    return signAndCheck(payload, signingKey, claims.jwks, options);
}

Result<std::string> issueSubordinateStatement(const SubordinateStatementClaims &claims, const Jwk &signingKey,
                                              const StatementOptions &options)
{
    if (claims.issuer == claims.subject)
        return fail(ErrorCode::InvalidArgument, "a Subordinate Statement needs issuer != subject");
    Json payload = Json::object();
    payload.set("iss", claims.issuer.str());
    payload.set("sub", claims.subject.str());
    payload.set("iat", claims.issuedAt);
    payload.set("exp", claims.expiresAt);
    payload.set("jwks", claims.jwks.toJson());
    if (!claims.metadata.isNull())
        payload.set("metadata", claims.metadata);
    if (!claims.metadataPolicy.isNull())
        payload.set("metadata_policy", claims.metadataPolicy);
    if (!claims.metadataPolicyCrit.empty()) {
        Json crit = Json::array();
        for (const std::string &name : claims.metadataPolicyCrit)
            crit.push(name);
        payload.set("metadata_policy_crit", crit);
    }
    if (!claims.constraints.isNull())
        payload.set("constraints", claims.constraints);
    if (!claims.sourceEndpoint.empty())
        payload.set("source_endpoint", claims.sourceEndpoint);
    OIDFED_TRY_VOID(claims::mergeExtraClaims(payload, claims.extraClaims));
    OIDFED_TRY(JwkSet issuerKeys, JwkSet::fromKeys({signingKey}));
    return signAndCheck(payload, signingKey, issuerKeys, options);
}

} // namespace oidfed
