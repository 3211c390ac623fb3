#include <oidfed/resolve_response.h>

#include <utility>

#include <oidfed/jws.h>

#include "statement/claims.h"

namespace oidfed {

namespace {

constexpr std::string_view kRule = "8.3.2";

// The chain's own resolve-response claims (sub, exp, metadata, trust_marks,
// trust_chain) plus the resolver's iss and iat. trust_anchor is not a claim
// of the signed response (8.3.2): the last statement of trust_chain names it.
Json responsePayload(const TrustChain &chain, const EntityId &issuer, UnixTime now)
{
    Json payload = chain.toJson();
    payload.erase("trust_anchor");
    payload.set("iss", issuer.str());
    payload.set("iat", now);
    return payload;
}

Result<std::vector<std::string>> trustChainClaim(const Json &claims)
{
    const Json *chain = claims.find("trust_chain");
    if (!chain->isArray() || chain->asArray().empty())
        return claims::violation(ErrorCode::Malformed, kRule, "trust_chain", "trust_chain is not a non-empty array");
    std::vector<std::string> out;
    out.reserve(chain->size());
    for (const Json &jwt : chain->asArray()) {
        if (!jwt.isString())
            return claims::violation(ErrorCode::Malformed, kRule, "trust_chain", "trust_chain holds a non-string");
        out.push_back(jwt.asString());
    }
    return out;
}

} // namespace

Result<std::string> issueResolveResponse(const TrustChain &chain, const EntityId &issuer, UnixTime now,
                                         const Jwk &signingKey)
{
    if (!signingKey.hasPrivate() || signingKey.kid().empty())
        return fail(ErrorCode::InvalidArgument, "resolve response: the signing key has no private part or no kid");
    if (chain.expiresAt() <= now)
        return fail(ErrorCode::InvalidArgument, "resolve response: the trust chain has already expired");
    Json header = Json::object();
    header.set("typ", std::string(kResolveResponseType));
    return signJws(header, responsePayload(chain, issuer, now).dump(), signingKey);
}

Result<ResolveResponse> verifyResolveResponse(std::string_view jwt, const JwkSet &resolverKeys,
                                              const EntityId &expectedIssuer, std::string_view expectedSubject,
                                              UnixTime now, std::chrono::seconds skew, const StatementOptions &options)
{
    OIDFED_TRY(Jws jws, Jws::parse(jwt, options.jws));
    OIDFED_TRY_VOID(claims::checkType(jws, kResolveResponseType, kRule));
    OIDFED_TRY_VOID(claims::checkKidHeader(jws, kRule));
    OIDFED_TRY_VOID(jws.verify(resolverKeys));
    OIDFED_TRY(Json payload, jws.payloadJson(options.jws.json));
    OIDFED_TRY_VOID(claims::checkRequired(payload, {"iss", "sub", "iat", "exp", "metadata", "trust_chain"}, kRule));

    OIDFED_TRY(EntityId issuer, claims::entityIdClaim(payload, "iss", options.entityIds, kRule));
    OIDFED_TRY(EntityId subject, claims::entityIdClaim(payload, "sub", options.entityIds, kRule));
    ResolveResponse out{.issuer = std::move(issuer), .subject = std::move(subject)};
    if (out.issuer != expectedIssuer)
        return claims::violation(ErrorCode::InvalidClaim, kRule, "iss",
                                 "resolve response issued by " + out.issuer.str() + ", expected " +
                                     expectedIssuer.str());
    if (!expectedSubject.empty() && out.subject.str() != expectedSubject)
        return claims::violation(ErrorCode::InvalidClaim, kRule, "sub",
                                 "resolve response is about " + out.subject.str() + ", not the requested subject");
    OIDFED_TRY(out.issuedAt, claims::numericDateClaim(payload, "iat", kRule));
    OIDFED_TRY(out.expiresAt, claims::numericDateClaim(payload, "exp", kRule));
    OIDFED_TRY_VOID(claims::checkIssuedBeforeExpiry(out.issuedAt, out.expiresAt, kRule));
    OIDFED_TRY_VOID(claims::checkValidityPeriod(out.issuedAt, out.expiresAt, now, skew.count(), kRule,
                                                "the resolve response of " + out.issuer.str() + " about " +
                                                    out.subject.str()));
    const Json &metadata = *payload.find("metadata");
    if (!metadata.isObject())
        return claims::violation(ErrorCode::Malformed, kRule, "metadata", "metadata is not an object");
    out.metadata = metadata;
    OIDFED_TRY(out.trustChain, trustChainClaim(payload));
    if (const Json *marks = payload.find("trust_marks")) {
        if (!marks->isArray())
            return claims::violation(ErrorCode::Malformed, kRule, "trust_marks", "trust_marks is not an array");
        out.trustMarks = *marks;
    }
    return out;
}

} // namespace oidfed
