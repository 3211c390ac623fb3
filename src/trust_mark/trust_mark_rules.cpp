#include "trust_mark/trust_mark_rules.h"

#include <algorithm>
#include <utility>

#include "statement/claims.h"

namespace oidfed::trust_mark {

using claims::violation;

namespace {

// Rule names: one table, so both kinds read the same in every error.
struct RuleNames {
    std::string_view jws, typ, kid, claims, iss, sub, type, iat, exp, validity, signature;
};

constexpr RuleNames kMarkRules{"7.3 step 1 JWS",        "7.3 step 2 typ", "7 kid",
                               "7.1 claims",            "7.1 iss",        "7.1 sub",
                               "7.1 trust_mark_type",   "7.1 iat",        "7.1 exp",
                               "7.3 steps 5-6 iat/exp", "7.3 step 7 signature"};
constexpr RuleNames kDelegationRules{"7.2.2 step 1 JWS",       "7.2.2 step 2 typ", "7.2.1 kid",
                                     "7.2.1 claims",           "7.2.1 iss",        "7.2.1 sub",
                                     "7.2.1 trust_mark_type",  "7.2.1 iat",        "7.2.1 exp",
                                     "7.2.2 steps 6-7 iat/exp", "7.2.2 step 9 signature"};

const RuleNames &rulesFor(Kind kind)
{
    return kind == Kind::Mark ? kMarkRules : kDelegationRules;
}

std::string_view typeFor(Kind kind)
{
    return kind == Kind::Mark ? kTrustMarkType : kTrustMarkDelegationType;
}

Result<std::string> trustMarkTypeClaim(const Json &claims, std::string_view rule)
{
    const Json *type = claims.find("trust_mark_type");
    if (!type) {
        // Drafts up to -41 said "id", -42 "trust_mark_id" (peers 3.6): name
        // the rename so that an operator sees why an old mark fails.
        for (std::string_view old : {"trust_mark_id", "id"})
            if (claims.contains(old))
                return violation(ErrorCode::MissingClaim, rule, "trust_mark_type",
                                 "required claim trust_mark_type is missing; the mark uses the pre-Final name " +
                                     std::string(old));
        return violation(ErrorCode::MissingClaim, rule, "trust_mark_type", "required claim trust_mark_type is missing");
    }
    if (!type->isString())
        return violation(ErrorCode::Malformed, rule, "trust_mark_type", "trust_mark_type must be a string");
    if (type->asString().empty())
        return violation(ErrorCode::InvalidClaim, rule, "trust_mark_type", "trust_mark_type must not be empty");
    return type->asString();
}

} // namespace

Result<Jws> parseSignedJwt(std::string_view jwt, Kind kind, const JwsLimits &limits)
{
    auto jws = Jws::parse(jwt, limits);
    if (!jws)
        return fail(std::move(jws).error().withRule(rulesFor(kind).jws));
    return jws;
}

std::string peekIssuer(const Jws &jws, const JwsLimits &limits)
{
    auto payload = jws.payloadJson(limits.json);
    if (!payload)
        return {};
    const std::string *iss = payload->findString("iss");
    return iss ? *iss : std::string();
}

Result<void> checkMarkType(const Jws &jws, Kind kind, const TrustMarkTypValues &typs)
{
    if (kind == Kind::Mark && jws.typ() != kTrustMarkType)
        for (const auto &[type, values] : typs)
            if (std::find(values.begin(), values.end(), jws.typ()) != values.end())
                return ok();  // a framework's value; checkMarkTypFor() matches it to the type
    return claims::checkType(jws, typeFor(kind), rulesFor(kind).typ);
}

Result<void> checkMarkTypFor(const ParsedMark &mark, const TrustMarkTypValues &typs)
{
    auto listed = typs.find(mark.trustMarkType);
    const std::string &typ = mark.jws.typ();
    if (listed == typs.end()) {
        if (typ == kTrustMarkType)
            return ok();
        return violation(ErrorCode::BadType, kMarkRules.typ, "typ",
                         "typ is \"" + typ + "\", which the trust framework defines for other types than " +
                             mark.trustMarkType + "; marks of this type are " + std::string(kTrustMarkType));
    }
    const std::vector<std::string> &values = listed->second;
    if (std::find(values.begin(), values.end(), typ) != values.end())
        return ok();
    std::string accepted;
    for (const std::string &value : values)
        accepted += (accepted.empty() ? "\"" : ", \"") + value + "\"";
    return violation(ErrorCode::BadType, kMarkRules.typ, "typ",
                     "typ is \"" + typ + "\"; marks of type " + mark.trustMarkType + " are typed " + accepted);
}

Result<void> checkMarkKid(const Jws &jws, Kind kind)
{
    return claims::checkKidHeader(jws, rulesFor(kind).kid);
}

Result<ParsedMark> checkMarkClaims(Jws jws, Kind kind, const StatementOptions &options)
{
    const RuleNames &rules = rulesFor(kind);
    // Claims are read from exactly the signed bytes (threat C23).
    auto payload = jws.payloadJson(options.jws.json);
    if (!payload)
        return fail(std::move(payload).error().withRule(rules.claims));
    const Json &c = *payload;
    OIDFED_TRY_VOID(claims::checkRequired(c, {"iss", "sub"}, rules.claims));
    OIDFED_TRY(std::string type, trustMarkTypeClaim(c, rules.type));
    OIDFED_TRY(EntityId issuer, claims::entityIdClaim(c, "iss", options.entityIds, rules.iss));
    OIDFED_TRY(EntityId subject, claims::entityIdClaim(c, "sub", options.entityIds, rules.sub));
    OIDFED_TRY(UnixTime iat, claims::numericDateClaim(c, "iat", rules.iat));
    OIDFED_TRY(UnixTime exp, claims::optionalNumericDateClaim(c, "exp", rules.exp));
    if (exp >= 0)
        OIDFED_TRY_VOID(claims::checkIssuedBeforeExpiry(iat, exp, rules.exp));
    if (kind == Kind::Mark)
        if (const Json *delegation = c.find("delegation"); delegation && !delegation->isString())
            return violation(ErrorCode::Malformed, "7.1 delegation", "delegation",
                             "delegation must be a compact JWT string");
    return ParsedMark{std::move(jws), std::move(payload).value(), std::move(issuer), std::move(subject),
                      std::move(type), iat, exp};
}

std::string markName(const ParsedMark &mark, Kind kind)
{
    if (kind == Kind::Mark)
        return "the trust mark " + mark.trustMarkType + " issued by " + mark.issuer.str() + " to " + mark.subject.str();
    return "the delegation of trust mark type " + mark.trustMarkType + " from " + mark.issuer.str() + " to " +
           mark.subject.str();
}

Result<ParsedMark> parseMark(std::string_view jwt, Kind kind, const StatementOptions &options, std::string *issuer,
                             const TrustMarkTypValues &typs)
{
    OIDFED_TRY(Jws jws, parseSignedJwt(jwt, kind, options.jws));
    if (issuer)
        *issuer = peekIssuer(jws, options.jws);
    OIDFED_TRY_VOID(checkMarkType(jws, kind, typs));
    OIDFED_TRY_VOID(checkMarkKid(jws, kind));
    OIDFED_TRY(ParsedMark parsed, checkMarkClaims(std::move(jws), kind, options));
    if (kind == Kind::Mark)
        OIDFED_TRY_VOID(checkMarkTypFor(parsed, typs));
    return parsed;
}

UnixTime earliestExpiry(UnixTime a, UnixTime b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return std::min(a, b);
}

Result<void> checkMarkSubject(const ParsedMark &mark, const EntityId &subject)
{
    if (mark.subject != subject)
        return violation(ErrorCode::InvalidClaim, "7.3 step 4 sub", "sub",
                         "the mark is about " + mark.subject.str() + ", not about " + subject.str() +
                             ", whose Entity Configuration carries it");
    return ok();
}

Result<void> checkMarkValidity(const ParsedMark &mark, Kind kind, UnixTime now, std::chrono::seconds skew)
{
    return claims::checkValidityPeriod(mark.issuedAt, mark.expiresAt, now, skew.count(), rulesFor(kind).validity,
                                       markName(mark, kind));
}

// Where the claim lives for a trust anchor that oidfed hosts.
constexpr std::string_view kHostedAnchorHint =
    " (a trust anchor hosted by oidfed: the trust_mark_issuers member of its entity in the configuration file, "
    "then a reload)";

Result<void> checkIssuerAllowed(const ParsedMark &mark, const TrustMarkAnchor &anchor)
{
    constexpr std::string_view kRule = "17.5 trust_mark_issuers";
    const Json *issuers = anchor.trustMarkIssuers.find(mark.trustMarkType);
    if (!issuers) {
        // Not listed: an owned type is governed by its owner's delegation
        // (checked in steps 8-9); any other type is unrecognised.
        if (anchor.trustMarkOwners.contains(mark.trustMarkType))
            return ok();
        return violation(ErrorCode::NoTrustAnchor, kRule, "trust_mark_type",
                         "trust anchor " + anchor.entityId.str() + " recognises no trust mark of type " +
                             mark.trustMarkType + ": the trust anchor's Entity Configuration lists it in neither "
                             "trust_mark_issuers nor trust_mark_owners. To accept such marks, the anchor's operator "
                             "adds \"" + mark.trustMarkType + "\" to the trust_mark_issuers claim of that Entity "
                             "Configuration with the issuers it allows (an empty array allows any)" +
                             std::string(kHostedAnchorHint));
    }
    if (!issuers->isArray())
        return violation(ErrorCode::Malformed, kRule, "trust_mark_issuers",
                         "trust_mark_issuers entry for " + mark.trustMarkType + " is not an array");
    if (issuers->size() == 0)
        return ok();  // 3.1.2: an empty array means anyone may issue the type
    const auto &list = issuers->asArray();
    bool listed = std::any_of(list.begin(), list.end(), [&](const Json &entry) {
        return entry.isString() && entry.asString() == mark.issuer.str();
    });
    if (!listed) {
        std::string allowed;
        for (const Json &entry : list)
            if (entry.isString())
                allowed += (allowed.empty() ? "" : ", ") + entry.asString();
        return violation(ErrorCode::NoTrustAnchor, kRule, "iss",
                         "trust mark issuer " + mark.issuer.str() + " may not issue " + mark.trustMarkType +
                             " under trust anchor " + anchor.entityId.str() +
                             ": the trust_mark_issuers claim of the trust anchor's Entity Configuration allows only " +
                             allowed + " for it. To accept " + mark.issuer.str() +
                             ", the anchor's operator adds it to trust_mark_issuers[\"" + mark.trustMarkType +
                             "\"] in that Entity Configuration" + std::string(kHostedAnchorHint));
    }
    return ok();
}

Result<JwkSet> issuerKeysFor(const ParsedMark &mark, const TrustMarkAnchor &anchor, const TrustMarkIssuerKeys &issuerKeys)
{
    constexpr std::string_view kRule = "7.3 issuer trust";
    if (mark.issuer == anchor.entityId)
        return anchor.jwks;
    if (!issuerKeys)
        return violation(ErrorCode::NoTrustAnchor, kRule, "iss",
                         "no way to establish trust in trust mark issuer " + mark.issuer.str());
    auto keys = issuerKeys(mark.issuer);
    if (!keys)
        return violation(keys.error().code, kRule, "iss",
                         "trust mark issuer " + mark.issuer.str() + " has no valid chain to " + anchor.entityId.str() +
                             ": " + keys.error().message);
    return keys;
}

Result<void> checkMarkSignature(const ParsedMark &mark, Kind kind, const JwkSet &keys)
{
    auto verified = mark.jws.verify(keys);
    if (!verified)
        return fail(std::move(verified).error().withRule(rulesFor(kind).signature).withClaim("kid"));
    return ok();
}

Result<void> checkDelegationPresent(const ParsedMark &mark, const TrustMarkAnchor &anchor)
{
    if (anchor.trustMarkOwners.contains(mark.trustMarkType) && !mark.claims.contains("delegation"))
        return violation(ErrorCode::MissingClaim, "7.3 step 8 delegation", "delegation",
                         "trust mark type " + mark.trustMarkType +
                             " has an owner in the trust anchor's trust_mark_owners, so the mark needs a delegation");
    return ok();
}

Result<TrustMarkOwner> trustMarkOwnerOf(const TrustMarkAnchor &anchor, std::string_view trustMarkType,
                                        const StatementOptions &options)
{
    constexpr std::string_view kRule = "7.2.2 trust_mark_owners";
    const Json *owner = anchor.trustMarkOwners.find(trustMarkType);
    if (!owner)
        return violation(ErrorCode::InvalidClaim, kRule, "delegation",
                         "the mark carries a delegation, but trust anchor " + anchor.entityId.str() +
                             " names no owner for " + std::string(trustMarkType) + " to check it against");
    if (!owner->isObject())
        return violation(ErrorCode::Malformed, kRule, "trust_mark_owners",
                         "trust_mark_owners entry for " + std::string(trustMarkType) + " is not an object");
    OIDFED_TRY(EntityId sub, claims::entityIdClaim(*owner, "sub", options.entityIds, kRule));
    const Json *jwks = owner->find("jwks");
    if (!jwks)
        return violation(ErrorCode::MissingClaim, kRule, "jwks",
                         "trust_mark_owners entry for " + std::string(trustMarkType) + " has no jwks");
    auto keys = JwkSet::fromJson(*jwks, options.keys);
    if (!keys)
        return fail(std::move(keys).error().withRule(kRule).withClaim("jwks"));
    return TrustMarkOwner{std::move(sub), std::move(keys).value()};
}

Result<void> checkDelegatedIssuer(const ParsedMark &delegation, const EntityId &trustMarkIssuer)
{
    if (delegation.subject != trustMarkIssuer)
        return violation(ErrorCode::InvalidClaim, "7.2.2 step 4 sub", "sub",
                         "the delegation is to " + delegation.subject.str() + ", not to the mark's issuer " +
                             trustMarkIssuer.str());
    return ok();
}

Result<void> checkDelegationOwner(const ParsedMark &delegation, const TrustMarkOwner &owner)
{
    if (delegation.issuer != owner.entityId)
        return violation(ErrorCode::InvalidClaim, "7.2.2 step 5 iss", "iss",
                         "the delegation is from " + delegation.issuer.str() + ", not from the type's owner " +
                             owner.entityId.str());
    return ok();
}

Result<void> checkDelegatedType(const ParsedMark &delegation, std::string_view trustMarkType)
{
    if (delegation.trustMarkType != trustMarkType)
        return violation(ErrorCode::InvalidClaim, "7.2.2 step 8 trust_mark_type", "trust_mark_type",
                         "the delegation is for " + delegation.trustMarkType + ", not for " +
                             std::string(trustMarkType));
    return ok();
}

} // namespace oidfed::trust_mark
