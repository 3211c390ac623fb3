#include "statement/registration_rules.h"

#include <oidfed/entity_statement.h>

#include "statement/claims.h"

namespace oidfed::statement {

using claims::violation;

namespace {

// One chain header: absent, or a non-empty array of non-empty strings.
Result<std::vector<std::string>> chainHeader(const Jws &jws, std::string_view name, std::string_view rule)
{
    std::vector<std::string> out;
    const Json *value = jws.header().find(name);
    if (!value)
        return out;
    if (!value->isArray() || value->size() == 0)
        return violation(ErrorCode::Malformed, rule, name,
                         "JWS header " + std::string(name) + " must be a non-empty JSON array of JWTs");
    for (const Json &jwt : value->asArray()) {
        if (!jwt.isString() || jwt.asString().empty())
            return violation(ErrorCode::Malformed, rule, name,
                             "JWS header " + std::string(name) + " holds something that is not a JWT string");
        out.push_back(jwt.asString());
    }
    return out;
}

// The claims only a Subordinate Statement may carry are absent.
Result<void> checkSubordinateOnlyAbsent(const Json &claims, std::string_view rule, std::string_view why)
{
    return claims::checkAbsent(claims, {"constraints", "metadata_policy", "metadata_policy_crit", "source_endpoint"},
                               rule, why);
}

} // namespace

Result<ChainHeaders> checkRequestHeader(const Jws &jws)
{
    OIDFED_TRY_VOID(claims::checkType(jws, kEntityStatementType, "12.2.1 typ"));
    OIDFED_TRY_VOID(claims::checkKidHeader(jws, "3.2 kid"));
    ChainHeaders headers;
    OIDFED_TRY(headers.trustChain, chainHeader(jws, "trust_chain", "4.3 trust_chain header"));
    OIDFED_TRY(headers.peerTrustChain, chainHeader(jws, "peer_trust_chain", "4.4 peer_trust_chain header"));
    return headers;
}

Result<void> checkResponseHeader(const Jws &jws)
{
    OIDFED_TRY_VOID(claims::checkType(jws, kRegistrationResponseType, "12.2.3 typ"));
    OIDFED_TRY_VOID(claims::checkKidHeader(jws, "12.2.3 kid"));
    return claims::checkHeaderAbsent(jws, {"trust_chain", "peer_trust_chain"}, "4.3 trust_chain header");
}

Result<void> checkRequestClaimPlacement(const Json &claims, bool isEntityConfiguration)
{
    constexpr std::string_view kRule = "12.2.1 request";
    if (!isEntityConfiguration)
        return violation(ErrorCode::InvalidClaim, kRule, "iss",
                         "a registration request is the RP's Entity Configuration: iss and sub must be equal");
    OIDFED_TRY_VOID(claims::checkRequired(claims, {"aud", "authority_hints", "metadata"}, kRule));
    OIDFED_TRY_VOID(checkSubordinateOnlyAbsent(claims, "3.1.3 Subordinate Statement claims", "in an Entity Configuration"));
    return claims::checkAbsent(claims, {"trust_anchor"}, "3.2 aud/trust_anchor", "in a registration request");
}

Result<void> checkResponseClaimPlacement(const Json &claims, bool isEntityConfiguration)
{
    constexpr std::string_view kRule = "12.2.3 response";
    if (isEntityConfiguration)
        return violation(ErrorCode::InvalidClaim, kRule, "sub",
                         "a registration response is issued by the OP about the RP: iss and sub must differ");
    OIDFED_TRY_VOID(claims::checkRequired(claims, {"aud", "trust_anchor", "authority_hints", "metadata"}, kRule));
    OIDFED_TRY_VOID(checkSubordinateOnlyAbsent(claims, kRule, "in a registration response"));
    return claims::checkAbsent(claims, {"trust_anchor_hints", "trust_marks", "trust_mark_issuers", "trust_mark_owners"},
                               kRule, "in a registration response");
}

Result<EntityId> checkSingleAudience(const Json &claims, const EntityIdOptions &options, std::string_view rule)
{
    const Json *aud = claims.find("aud");
    if (!aud)
        return violation(ErrorCode::MissingClaim, rule, "aud", "required claim aud is missing");
    const Json *single = aud;
    if (aud->isArray()) {
        if (aud->size() != 1)
            return violation(ErrorCode::InvalidClaim, rule, "aud",
                             "aud must hold a single value, not " + std::to_string(aud->size()));
        single = &aud->asArray()[0];
    }
    if (!single->isString())
        return violation(ErrorCode::Malformed, rule, "aud", "aud must be an Entity Identifier string");
    auto id = EntityId::parse(single->asString(), options);
    if (!id)
        return violation(ErrorCode::Malformed, rule, "aud", "aud: " + id.error().message);
    return std::move(id).value();
}

Result<void> checkSingleAuthorityHint(const std::vector<EntityId> &hints)
{
    if (hints.size() != 1)
        return violation(ErrorCode::InvalidClaim, "12.2.3 authority_hints", "authority_hints",
                         "a registration response's authority_hints must hold exactly one entity (the RP's "
                         "Immediate Superior), not " +
                             std::to_string(hints.size()));
    return ok();
}

Result<EntityId> checkTrustAnchorClaim(const Json &claims, const EntityIdOptions &options)
{
    return claims::entityIdClaim(claims, "trust_anchor", options, "3.1.5 trust_anchor");
}

} // namespace oidfed::statement
