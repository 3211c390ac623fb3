#include <oidfed/trust_mark_status.h>

#include <utility>

#include <oidfed/jws.h>
#include <oidfed/trust_mark.h>

#include "trust_mark/trust_mark_rules.h"
#include "statement/claims.h"

namespace oidfed {

namespace {

constexpr std::string_view kRule = "8.4.2";

} // namespace

std::string_view trustMarkStatusName(TrustMarkStatus status) noexcept
{
    switch (status) {
    case TrustMarkStatus::Active:
        return "active";
    case TrustMarkStatus::Expired:
        return "expired";
    case TrustMarkStatus::Revoked:
        return "revoked";
    case TrustMarkStatus::Invalid:
        return "invalid";
    }
    return "invalid";
}

Result<std::string> issueTrustMarkStatusResponse(const TrustMarkStatusClaims &claims, const Jwk &issuerKey)
{
    if (!issuerKey.hasPrivate() || issuerKey.kid().empty())
        return fail(ErrorCode::InvalidArgument, "trust mark status: the signing key has no private part or no kid");
    if (claims.trustMark.empty())
        return fail(ErrorCode::InvalidArgument, "trust mark status: no trust mark");
    Json payload = Json::object();
    payload.set("iss", claims.issuer.str());
    payload.set("iat", claims.issuedAt);
    payload.set("trust_mark", claims.trustMark);
    payload.set("status", std::string(trustMarkStatusName(claims.status)));
    Json header = Json::object();
    header.set("typ", std::string(kTrustMarkStatusResponseType));
    return signJws(header, payload.dump(), issuerKey);
}

Result<TrustMarkStatusResponse> verifyTrustMarkStatusResponse(std::string_view jwt, const JwkSet &issuerKeys,
                                                              const EntityId &expectedIssuer,
                                                              std::string_view expectedTrustMark, UnixTime now,
                                                              std::chrono::seconds skew,
                                                              const StatementOptions &options)
{
    OIDFED_TRY(Jws jws, Jws::parse(jwt, options.jws));
    OIDFED_TRY_VOID(claims::checkType(jws, kTrustMarkStatusResponseType, kRule));
    OIDFED_TRY_VOID(claims::checkKidHeader(jws, kRule));
    OIDFED_TRY_VOID(jws.verify(issuerKeys));
    OIDFED_TRY(Json payload, jws.payloadJson(options.jws.json));
    OIDFED_TRY_VOID(claims::checkRequired(payload, {"iss", "iat", "trust_mark", "status"}, kRule));
    OIDFED_TRY(EntityId issuer, claims::entityIdClaim(payload, "iss", options.entityIds, kRule));
    if (issuer != expectedIssuer)
        return claims::violation(ErrorCode::InvalidClaim, kRule, "iss",
                                 "status response issued by " + issuer.str() + ", expected " + expectedIssuer.str());
    TrustMarkStatusResponse out{.issuer = std::move(issuer)};
    OIDFED_TRY(out.issuedAt, claims::numericDateClaim(payload, "iat", kRule));
    OIDFED_TRY_VOID(claims::checkValidityPeriod(out.issuedAt, -1, now, skew.count(), kRule,
                                                "the trust mark status response of " + out.issuer.str()));
    const std::string *mark = payload.findString("trust_mark");
    if (!mark)
        return claims::violation(ErrorCode::Malformed, kRule, "trust_mark", "trust_mark must be a string");
    if (*mark != expectedTrustMark)
        return claims::violation(ErrorCode::InvalidClaim, kRule, "trust_mark",
                                 "the status response is about another trust mark");
    out.trustMark = *mark;
    const std::string *status = payload.findString("status");
    if (!status || status->empty())
        return claims::violation(ErrorCode::Malformed, kRule, "status", "status must be a non-empty string");
    out.status = *status;
    return out;
}

Result<UnverifiedTrustMark> decodeTrustMark(std::string_view jwt, const StatementOptions &options,
                                            const TrustMarkTypValues &typs)
{
    OIDFED_TRY(trust_mark::ParsedMark mark, trust_mark::parseMark(jwt, trust_mark::Kind::Mark, options, nullptr, typs));
    UnverifiedTrustMark out{.issuer = mark.issuer, .subject = mark.subject};
    out.trustMarkType = mark.trustMarkType;
    out.issuedAt = mark.issuedAt;
    out.expiresAt = mark.expiresAt;
    if (const std::string *kid = mark.jws.header().findString("kid"))
        out.kid = *kid;
    if (const std::string *delegation = mark.claims.findString("delegation"))
        out.delegation = *delegation;
    return out;
}

Result<void> checkTrustMarkSignature(std::string_view jwt, const JwkSet &keys, const StatementOptions &options,
                                     const TrustMarkTypValues &typs)
{
    OIDFED_TRY(trust_mark::ParsedMark mark, trust_mark::parseMark(jwt, trust_mark::Kind::Mark, options, nullptr, typs));
    return trust_mark::checkMarkSignature(mark, trust_mark::Kind::Mark, keys);
}

} // namespace oidfed
