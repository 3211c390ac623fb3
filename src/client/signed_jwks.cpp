// Signed JWK Sets (5.2.1 signed_jwks_uri): the checks that need no I/O, in
// the order of the threat model: shape and alg, typ, then the claims that
// name the entity, then the signature with its Federation Entity Keys, then
// time, then the keys themselves.

#include <oidfed/signed_jwks.h>

#include "statement/claims.h"

namespace oidfed {

namespace {

constexpr std::string_view kRule = "5.2.1 signed_jwks_uri";

Error named(Error error, const EntityId &entity)
{
    if (error.rule.empty())
        error.rule = kRule;
    error.entityId = entity.str();
    return error;
}

// A claim that must name `entity` exactly (16: code point comparison).
Result<void> checkNamesEntity(const Json &claims, std::string_view name, const EntityId &entity)
{
    const Json *value = claims.find(name);
    if (!value)
        return claims::violation(ErrorCode::MissingClaim, kRule, name,
                                 "the signed JWK Set has no " + std::string(name));
    if (!value->isString() || value->asString() != entity.str())
        return claims::violation(ErrorCode::InvalidClaim, kRule, name,
                                 "the signed JWK Set's " + std::string(name) + " is " +
                                     (value->isString() ? value->asString() : value->dump()) + ", not " +
                                     entity.str() + ", the entity whose metadata names it");
    return ok();
}

} // namespace

Result<JwkSet> protocolKeySet(const Json &jwks, const KeyLimits &limits)
{
    if (!jwks.isObject())
        return fail(Error(ErrorCode::InvalidClaim, "a JWK Set must be a JSON object").withClaim("keys"));
    const Json *keys = jwks.find("keys");
    if (!keys || !keys->isArray() || keys->asArray().empty())
        return fail(Error(ErrorCode::InvalidClaim, "a JWK Set needs a non-empty keys array").withClaim("keys"));
    // 5.2.1: "If both signing and encryption keys are present, use is
    // REQUIRED on every key."
    bool encryption = false;
    bool unmarked = false;
    for (const Json &key : keys->asArray()) {
        const std::string *use = key.isObject() ? key.findString("use") : nullptr;
        if (!use)
            unmarked = true;
        else if (*use == "enc")
            encryption = true;
    }
    if (encryption && unmarked)
        return fail(Error(ErrorCode::InvalidClaim,
                          "the JWK Set mixes signing and encryption keys but not every key has use")
                        .withClaim("use"));
    return JwkSet::fromJson(jwks, limits);
}

Result<SignedJwks> verifySignedJwks(std::string_view jwt, const EntityId &entity, const JwkSet &federationKeys,
                                    UnixTime now, std::chrono::seconds clockSkew, const SignedJwksLimits &limits)
{
    auto check = [&]() -> Result<SignedJwks> {
        auto jws = Jws::parse(jwt, limits.jws);
        if (!jws) {
            Error error = std::move(jws).error();
            error.claim = error.code == ErrorCode::UnsupportedAlgorithm ? "alg" : "signed_jwks_uri";
            error.rule = kRule;
            return fail(std::move(error));
        }
        OIDFED_TRY_VOID(claims::checkType(*jws, kJwkSetJwtType, kRule));
        OIDFED_TRY_VOID(claims::checkKidHeader(*jws, kRule));
        OIDFED_TRY(Json payload, jws->payloadJson(limits.jws.json));
        OIDFED_TRY_VOID(checkNamesEntity(payload, "iss", entity));
        OIDFED_TRY_VOID(checkNamesEntity(payload, "sub", entity));
        auto verified = jws->verify(federationKeys);
        if (!verified)
            return fail(std::move(verified).error().withClaim("kid").withRule(kRule));
        OIDFED_TRY(UnixTime exp, claims::numericDateClaim(payload, "exp", kRule));
        OIDFED_TRY(UnixTime iat, claims::optionalNumericDateClaim(payload, "iat", kRule));
        OIDFED_TRY_VOID(claims::checkValidityPeriod(iat < 0 ? now : iat, exp, now, clockSkew.count(), kRule,
                                                    "the signed JWK Set of " + entity.str()));
        if (iat >= 0)
            OIDFED_TRY_VOID(claims::checkIssuedBeforeExpiry(iat, exp, kRule));
        if (!payload.contains("keys"))
            return claims::violation(ErrorCode::MissingClaim, kRule, "keys", "the signed JWK Set has no keys");
        auto keys = protocolKeySet(payload, limits.keys);
        if (!keys) {
            Error error = std::move(keys).error();
            error.code = ErrorCode::InvalidClaim;
            if (error.claim.empty())
                error.claim = "keys";
            error.rule = kRule;
            return fail(std::move(error));
        }
        return SignedJwks{std::move(keys).value(), iat, exp};
    };
    auto result = check();
    if (!result)
        return fail(named(std::move(result).error(), entity));
    return result;
}

} // namespace oidfed
