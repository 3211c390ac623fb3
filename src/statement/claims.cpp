#include "statement/claims.h"

#include <algorithm>
#include <cmath>

#include "core/time_text.h"

namespace oidfed::claims {

namespace {

// 9999-12-31T23:59:59Z: later NumericDates are treated as malformed.
constexpr UnixTime kMaxNumericDate = 253402300799;

} // namespace

Unexpected violation(ErrorCode code, std::string_view rule, std::string_view claim, std::string message)
{
    return fail(Error(code, std::move(message)).withRule(rule).withClaim(claim));
}

Result<void> checkType(const Jws &jws, std::string_view expected, std::string_view rule)
{
    const Json *typ = jws.header().find("typ");
    if (!typ)
        return violation(ErrorCode::BadType, rule, "typ", "JWS header has no typ; expected \"" + std::string(expected) + "\"");
    if (!typ->isString() || typ->asString() != expected)
        return violation(ErrorCode::BadType, rule, "typ",
                         "typ is " + typ->dump() + "; expected \"" + std::string(expected) + "\"");
    return ok();
}

Result<void> checkKidHeader(const Jws &jws, std::string_view rule)
{
    const Json *kid = jws.header().find("kid");
    if (!kid || !kid->isString() || kid->asString().empty())
        return violation(ErrorCode::KeyNotFound, rule, "kid", "JWS header kid must be a non-empty string");
    return ok();
}

Result<void> checkHeaderAbsent(const Jws &jws, std::initializer_list<std::string_view> names, std::string_view rule)
{
    for (std::string_view name : names)
        if (jws.header().contains(name))
            return violation(ErrorCode::ClaimNotAllowed, rule, name,
                             "JWS header parameter " + std::string(name) + " is not allowed here");
    return ok();
}

Result<void> checkRequired(const Json &claims, std::initializer_list<std::string_view> names, std::string_view rule)
{
    for (std::string_view name : names)
        if (!claims.contains(name))
            return violation(ErrorCode::MissingClaim, rule, name, "required claim " + std::string(name) + " is missing");
    return ok();
}

Result<void> checkAbsent(const Json &claims, std::initializer_list<std::string_view> names, std::string_view rule,
                         std::string_view why)
{
    for (std::string_view name : names)
        if (claims.contains(name))
            return violation(ErrorCode::ClaimNotAllowed, rule, name,
                             "claim " + std::string(name) + " is not allowed " + std::string(why));
    return ok();
}

Result<EntityId> entityIdClaim(const Json &claims, std::string_view name, const EntityIdOptions &options,
                               std::string_view rule)
{
    const Json *value = claims.find(name);
    if (!value)
        return violation(ErrorCode::MissingClaim, rule, name, "required claim " + std::string(name) + " is missing");
    if (!value->isString())
        return violation(ErrorCode::Malformed, rule, name, std::string(name) + " must be a string");
    auto id = EntityId::parse(value->asString(), options);
    if (!id)
        return violation(ErrorCode::Malformed, rule, name, std::string(name) + ": " + id.error().message);
    return std::move(id).value();
}

Result<UnixTime> numericDateClaim(const Json &claims, std::string_view name, std::string_view rule)
{
    const Json *value = claims.find(name);
    if (!value)
        return violation(ErrorCode::MissingClaim, rule, name, "required claim " + std::string(name) + " is missing");
    if (!value->isNumber())
        return violation(ErrorCode::InvalidClaim, rule, name, std::string(name) + " must be a NumericDate number");
    double d = value->asDouble();
    if (!std::isfinite(d) || d < 0 || d > static_cast<double>(kMaxNumericDate))
        return violation(ErrorCode::InvalidClaim, rule, name, std::string(name) + " is out of range: " + value->dump());
    return value->isInt() ? value->asInt() : static_cast<UnixTime>(std::floor(d));
}

Result<UnixTime> optionalNumericDateClaim(const Json &claims, std::string_view name, std::string_view rule)
{
    if (!claims.contains(name))
        return UnixTime{-1};
    return numericDateClaim(claims, name, rule);
}

Result<void> checkIssuedBeforeExpiry(UnixTime iat, UnixTime exp, std::string_view rule)
{
    if (iat > exp)
        return violation(ErrorCode::InvalidClaim, rule, "iat",
                         "iat " + std::to_string(iat) + " is after exp " + std::to_string(exp));
    return ok();
}

Result<void> checkValidityPeriod(UnixTime iat, UnixTime exp, UnixTime now, std::int64_t skewSeconds,
                                 std::string_view rule, std::string_view what)
{
    const std::string skew = "; allowed clock skew " + std::to_string(skewSeconds) + " s, now " + formatRfc3339(now) + ")";
    if (iat > now + skewSeconds)
        return violation(ErrorCode::NotYetValid, rule, "iat",
                         std::string(what) + " is not valid yet: issued at " + describeTime(iat, now) + " (iat " + std::to_string(iat) + skew);
    if (exp >= 0 && now >= exp + skewSeconds)
        return violation(ErrorCode::Expired, rule, "exp",
                         std::string(what) + " expired at " + describeTime(exp, now) + " (exp " + std::to_string(exp) + skew);
    return ok();
}

Result<void> checkCrit(const Json &claims, const std::vector<std::string_view> &specClaims,
                       const std::vector<std::string> &understood, std::string_view rule)
{
    const Json *crit = claims.find("crit");
    if (!crit)
        return ok();
    if (!crit->isArray() || crit->size() == 0)
        return violation(ErrorCode::Malformed, rule, "crit", "crit must be a non-empty array of claim names");
    // Shape first (strings, no duplicates), then meaning.
    std::vector<std::string_view> seen;
    for (const Json &entry : crit->asArray()) {
        if (!entry.isString())
            return violation(ErrorCode::Malformed, rule, "crit", "crit entries must be strings");
        const std::string &name = entry.asString();
        if (std::find(seen.begin(), seen.end(), name) != seen.end())
            return violation(ErrorCode::InvalidClaim, rule, "crit", "crit lists " + name + " twice");
        seen.push_back(name);
    }
    for (std::string_view name : seen) {
        std::string text(name);
        if (std::find(specClaims.begin(), specClaims.end(), name) != specClaims.end())
            return violation(ErrorCode::InvalidClaim, rule, "crit", "crit must not list the spec-defined claim " + text);
        if (!claims.contains(name))
            return violation(ErrorCode::InvalidClaim, rule, "crit", "crit lists " + text + ", which is not present");
        if (std::find(understood.begin(), understood.end(), name) == understood.end())
            return violation(ErrorCode::UnknownCritical, rule, "crit", "critical claim " + text + " is not understood");
    }
    return ok();
}

Result<std::vector<EntityId>> entityIdArrayClaim(const Json &claims, std::string_view name,
                                                 const EntityIdOptions &options, std::string_view rule)
{
    const Json *value = claims.find(name);
    if (!value || !value->isArray() || value->size() == 0)
        return violation(ErrorCode::Malformed, rule, name, std::string(name) + " must be a non-empty array of Entity Identifiers");
    std::vector<EntityId> ids;
    ids.reserve(value->size());
    for (const Json &entry : value->asArray()) {
        if (!entry.isString())
            return violation(ErrorCode::Malformed, rule, name, std::string(name) + " entries must be strings");
        auto id = EntityId::parse(entry.asString(), options);
        if (!id)
            return violation(ErrorCode::Malformed, rule, name, std::string(name) + ": " + id.error().message);
        if (std::find(ids.begin(), ids.end(), *id) != ids.end())
            return violation(ErrorCode::InvalidClaim, rule, name, std::string(name) + " lists " + id->str() + " twice");
        ids.push_back(std::move(id).value());
    }
    return ids;
}

Result<void> mergeExtraClaims(Json &payload, const Json &extra)
{
    if (extra.isNull())
        return ok();
    if (!extra.isObject())
        return fail(ErrorCode::InvalidArgument, "extra claims must be a JSON object");
    for (const auto &[name, value] : extra.asObject()) {
        if (payload.contains(name))
            return fail(Error(ErrorCode::InvalidArgument, "extra claim " + name + " redefines a claim already set")
                            .withClaim(name));
        payload.set(name, value);
    }
    return ok();
}

bool isEndpointUrl(std::string_view url, bool allowHttp)
{
    if (!(url.starts_with("https://") || (allowHttp && url.starts_with("http://"))))
        return false;
    if (url.find('#') != std::string_view::npos)
        return false;
    std::string_view rest = url.substr(url.find("//") + 2);
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == ':')
        return false;
    return std::none_of(url.begin(), url.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f;
    });
}

} // namespace oidfed::claims
