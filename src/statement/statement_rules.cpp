#include "statement/statement_rules.h"

#include <algorithm>
#include <string_view>

#include <oidfed/base64url.h>
#include <oidfed/metadata_policy.h>

#include "statement/claims.h"

namespace oidfed::statement {

using claims::violation;

namespace {

// Claims defined by OpenID Federation (13), which "crit" must never list.
const std::vector<std::string_view> kSpecClaims = {
    "iss", "sub", "iat", "exp", "jwks", "metadata", "crit", "authority_hints", "trust_anchor_hints",
    "trust_marks", "trust_mark_issuers", "trust_mark_owners", "constraints", "metadata_policy",
    "metadata_policy_crit", "source_endpoint", "aud", "trust_anchor", "ref", "delegation", "logo_uri",
    "keys", "trust_mark_type", "trust_chain"};

Result<void> checkObjectOfObjects(const Json &value, std::string_view claim, std::string_view rule,
                                  std::string_view what)
{
    if (!value.isObject())
        return violation(ErrorCode::Malformed, rule, claim, std::string(claim) + " must be a JSON object");
    for (const auto &[name, member] : value.asObject())
        if (!member.isObject())
            return violation(ErrorCode::Malformed, rule, claim,
                             std::string(claim) + "." + name + " must be a JSON object of " + std::string(what));
    return ok();
}

} // namespace

Result<void> checkHeader(const Jws &jws)
{
    OIDFED_TRY_VOID(claims::checkType(jws, kEntityStatementType, "3.2 typ"));
    OIDFED_TRY_VOID(claims::checkKidHeader(jws, "3.2 kid"));
    return claims::checkHeaderAbsent(jws, {"trust_chain", "peer_trust_chain"}, "4.3 trust_chain header");
}

Result<void> checkClaimPlacement(const Json &claims, bool isEntityConfiguration)
{
    if (isEntityConfiguration) {
        OIDFED_TRY_VOID(claims::checkAbsent(
            claims, {"constraints", "metadata_policy", "metadata_policy_crit", "source_endpoint"},
            "3.1.3 Subordinate Statement claims", "in an Entity Configuration"));
    } else {
        OIDFED_TRY_VOID(claims::checkAbsent(
            claims, {"authority_hints", "trust_anchor_hints", "trust_marks", "trust_mark_issuers", "trust_mark_owners"},
            "3.1.2 Entity Configuration claims", "in a Subordinate Statement"));
    }
    return claims::checkAbsent(claims, {"aud", "trust_anchor"}, "3.2 aud/trust_anchor",
                               "outside Explicit Registration");
}

Result<JwkSet> checkJwks(const Json &claims, const KeyLimits &limits)
{
    const Json *jwks = claims.find("jwks");
    if (!jwks)
        return violation(ErrorCode::MissingClaim, "3.2 jwks", "jwks", "required claim jwks is missing");
    auto set = JwkSet::fromJson(*jwks, limits);
    if (!set) {
        Error error = std::move(set).error();
        return fail(std::move(error).withRule("3.2 jwks").withClaim("jwks"));
    }
    if (set->empty())
        return violation(ErrorCode::InvalidClaim, "3.2 jwks", "jwks", "jwks holds no key");
    return std::move(set).value();
}

Result<std::vector<EntityId>> checkAuthorityHints(const Json &claims, const EntityId &subject,
                                                  const EntityIdOptions &options)
{
    if (!claims.contains("authority_hints"))
        return std::vector<EntityId>{};
    OIDFED_TRY(auto hints, claims::entityIdArrayClaim(claims, "authority_hints", options, "3.1.2 authority_hints"));
    if (std::find(hints.begin(), hints.end(), subject) != hints.end())
        return violation(ErrorCode::InvalidClaim, "3.1.2 authority_hints", "authority_hints",
                         "authority_hints names the entity itself");
    return hints;
}

Result<void> checkTrustAnchorHints(const Json &claims, const EntityIdOptions &options)
{
    if (!claims.contains("trust_anchor_hints"))
        return ok();
    OIDFED_TRY(auto hints, claims::entityIdArrayClaim(claims, "trust_anchor_hints", options, "3.1.2 trust_anchor_hints"));
    (void)hints;
    return ok();
}

Result<void> checkMetadata(const Json &claims, const EntityIdOptions &options)
{
    const Json *metadata = claims.find("metadata");
    if (!metadata)
        return ok();
    OIDFED_TRY_VOID(checkObjectOfObjects(*metadata, "metadata", "3.2 metadata", "parameters"));
    for (const auto &[type, parameters] : metadata->asObject()) {
        for (const auto &[name, value] : parameters.asObject())
            if (value.isNull())
                return violation(ErrorCode::InvalidClaim, "5 metadata null", "metadata",
                                 "metadata." + type + "." + name + " is null");
    }
    if (const Json *federation = metadata->find("federation_entity")) {
        for (std::string_view forbidden : {"jwks", "jwks_uri", "signed_jwks_uri"})
            if (federation->contains(forbidden))
                return violation(ErrorCode::InvalidClaim, "5.2.1 federation_entity keys", "metadata",
                                 "federation_entity metadata must not contain " + std::string(forbidden));
        for (const auto &[name, value] : federation->asObject()) {
            if (!name.starts_with("federation_") || !name.ends_with("_endpoint"))
                continue;
            if (!value.isString() || !claims::isEndpointUrl(value.asString(), options.allowHttp))
                return violation(ErrorCode::InvalidClaim, "5.1.1 endpoint URL", "metadata",
                                 "federation_entity." + name + " must be an https URL without a fragment");
        }
    }
    return ok();
}

Result<void> checkMetadataPolicySyntax(const Json &claims)
{
    const Json *policy = claims.find("metadata_policy");
    if (!policy)
        return ok();
    OIDFED_TRY_VOID(checkObjectOfObjects(*policy, "metadata_policy", "6.1.2 metadata_policy", "parameter policies"));
    for (const auto &[type, parameters] : policy->asObject())
        for (const auto &[name, operators] : parameters.asObject())
            if (!operators.isObject())
                return violation(ErrorCode::Malformed, "6.1.2 metadata_policy", "metadata_policy",
                                 "metadata_policy." + type + "." + name + " must be an object of operators");
    return ok();
}

Result<void> checkMetadataPolicyCrit(const Json &claims, const std::vector<std::string> &understood)
{
    const Json *crit = claims.find("metadata_policy_crit");
    if (!crit)
        return ok();
    constexpr std::string_view kRule = "3.1.3 metadata_policy_crit";
    // The shape (non-empty, distinct, no standard operator) is the policy
    // engine's rule; whether each name is understood is the reader's.
    auto names = parseMetadataPolicyCrit(*crit);
    if (!names)
        return fail(std::move(names).error().withRule(kRule).withClaim("metadata_policy_crit"));
    for (const std::string &name : *names)
        if (std::find(understood.begin(), understood.end(), name) == understood.end())
            return violation(ErrorCode::UnknownCritical, kRule, "metadata_policy_crit",
                             "critical policy operator " + name + " is not understood");
    return ok();
}

Result<void> checkConstraintsSyntax(const Json &claims)
{
    const Json *constraints = claims.find("constraints");
    if (!constraints)
        return ok();
    constexpr std::string_view kRule = "6.2 constraints";
    if (!constraints->isObject())
        return violation(ErrorCode::Malformed, kRule, "constraints", "constraints must be a JSON object");
    auto isStringArray = [](const Json &value) {
        return value.isArray() &&
               std::all_of(value.asArray().begin(), value.asArray().end(), [](const Json &e) { return e.isString(); });
    };
    if (const Json *length = constraints->find("max_path_length")) {
        if (!length->isInt() || length->asInt() < 0)
            return violation(ErrorCode::Malformed, kRule, "constraints", "max_path_length must be a non-negative integer");
    }
    if (const Json *naming = constraints->find("naming_constraints")) {
        if (!naming->isObject())
            return violation(ErrorCode::Malformed, kRule, "constraints", "naming_constraints must be an object");
        for (std::string_view list : {"permitted", "excluded"})
            if (const Json *names = naming->find(list); names && !isStringArray(*names))
                return violation(ErrorCode::Malformed, kRule, "constraints",
                                 "naming_constraints." + std::string(list) + " must be an array of strings");
    }
    if (const Json *types = constraints->find("allowed_entity_types"); types && !isStringArray(*types))
        return violation(ErrorCode::Malformed, kRule, "constraints", "allowed_entity_types must be an array of strings");
    return ok();
}

// The payload of a compact JWS, decoded and parsed, without judging its
// header: an unsupported alg, a wrong typ or a missing kid make a Trust Mark
// unverifiable, which excludes the mark in 7.3, not the Entity Configuration
// that carries it (threat I03). Only the shape needed to compare the types of
// 3.1.2 is required here.
static Result<Json> markPayload(std::string_view jwt, const JwsLimits &limits)
{
    if (jwt.size() > limits.maxBytes)
        return fail(ErrorCode::LimitExceeded, "larger than " + std::to_string(limits.maxBytes) + " bytes");
    std::size_t first = jwt.find('.');
    std::size_t second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
    if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos)
        return fail(ErrorCode::Malformed, "not a compact JWS (three dot-separated parts)");
    OIDFED_TRY(std::string payload, base64urlDecode(jwt.substr(first + 1, second - first - 1)));
    OIDFED_TRY(Json claims, parseJson(payload, limits.json));
    if (!claims.isObject())
        return fail(ErrorCode::Malformed, "the payload is not a JSON object");
    return claims;
}

Result<void> checkTrustMarks(const Json &claims, const JwsLimits &limits)
{
    const Json *marks = claims.find("trust_marks");
    if (!marks)
        return ok();
    constexpr std::string_view kRule = "3.1.2 trust_marks";
    if (!marks->isArray())
        return violation(ErrorCode::Malformed, kRule, "trust_marks", "trust_marks must be an array");
    for (const Json &entry : marks->asArray()) {
        const std::string *type = entry.findString("trust_mark_type");
        const std::string *jwt = entry.findString("trust_mark");
        if (!type || !jwt)
            return violation(ErrorCode::Malformed, kRule, "trust_marks",
                             "each trust_marks entry needs string trust_mark_type and trust_mark");
        auto payload = markPayload(*jwt, limits);
        if (!payload)
            return violation(payload.error().code == ErrorCode::LimitExceeded ? ErrorCode::LimitExceeded
                                                                              : ErrorCode::Malformed,
                             kRule, "trust_marks",
                             "trust mark of type " + *type + " is not a compact JWS: " + payload.error().message);
        const std::string *inner = payload->findString("trust_mark_type");
        if (!inner || *inner != *type)
            return violation(ErrorCode::InvalidClaim, kRule, "trust_marks",
                             "trust_marks entry type " + *type + " differs from the mark's trust_mark_type");
    }
    return ok();
}

Result<void> checkTrustMarkIssuers(const Json &claims, const EntityIdOptions &options)
{
    const Json *issuers = claims.find("trust_mark_issuers");
    if (!issuers)
        return ok();
    constexpr std::string_view kRule = "3.1.2 trust_mark_issuers";
    if (!issuers->isObject())
        return violation(ErrorCode::Malformed, kRule, "trust_mark_issuers", "trust_mark_issuers must be an object");
    for (const auto &[type, list] : issuers->asObject()) {
        if (!list.isArray())
            return violation(ErrorCode::Malformed, kRule, "trust_mark_issuers", type + " must map to an array");
        for (const Json &issuer : list.asArray())
            if (!issuer.isString() || !EntityId::parse(issuer.asString(), options))
                return violation(ErrorCode::Malformed, kRule, "trust_mark_issuers",
                                 type + " lists something that is not an Entity Identifier");
    }
    return ok();
}

Result<void> checkTrustMarkOwners(const Json &claims, const EntityIdOptions &options, const KeyLimits &limits)
{
    const Json *owners = claims.find("trust_mark_owners");
    if (!owners)
        return ok();
    constexpr std::string_view kRule = "3.1.2 trust_mark_owners";
    if (!owners->isObject())
        return violation(ErrorCode::Malformed, kRule, "trust_mark_owners", "trust_mark_owners must be an object");
    for (const auto &[type, owner] : owners->asObject()) {
        if (!owner.isObject())
            return violation(ErrorCode::Malformed, kRule, "trust_mark_owners", type + " must map to an object");
        const std::string *sub = owner.findString("sub");
        if (!sub || !EntityId::parse(*sub, options))
            return violation(ErrorCode::Malformed, kRule, "trust_mark_owners", type + ".sub must be an Entity Identifier");
        const Json *jwks = owner.find("jwks");
        if (!jwks || !JwkSet::fromJson(*jwks, limits))
            return violation(ErrorCode::Malformed, kRule, "trust_mark_owners", type + ".jwks must be a valid JWK Set");
    }
    return ok();
}

Result<void> checkSourceEndpoint(const Json &claims, const EntityIdOptions &options)
{
    const Json *endpoint = claims.find("source_endpoint");
    if (!endpoint)
        return ok();
    if (!endpoint->isString() || !claims::isEndpointUrl(endpoint->asString(), options.allowHttp))
        return violation(ErrorCode::Malformed, "3.1.3 source_endpoint", "source_endpoint",
                         "source_endpoint must be an https URL without a fragment");
    return ok();
}

Result<void> checkStatementCrit(const Json &claims, const std::vector<std::string> &understood)
{
    return claims::checkCrit(claims, kSpecClaims, understood, "3.2 crit");
}

} // namespace oidfed::statement
