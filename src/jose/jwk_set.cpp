#include <oidfed/jwk.h>

#include <algorithm>
#include <string>

namespace oidfed {

namespace {

bool hasKid(const std::vector<Jwk> &keys, const std::string &kid)
{
    return std::any_of(keys.begin(), keys.end(), [&](const Jwk &k) { return k.kid() == kid; });
}

/// Prefixes the message with the position of the offending key.
Unexpected keyError(std::size_t index, Error error)
{
    error.message = "jwks key #" + std::to_string(index) + ": " + error.message;
    return fail(std::move(error));
}

} // namespace

Result<JwkSet> JwkSet::fromJson(const Json &jwks, const KeyLimits &limits)
{
    if (!jwks.isObject())
        return fail(ErrorCode::Malformed, "a JWK Set must be a JSON object");
    const Json *keys = jwks.find("keys");
    if (!keys || !keys->isArray())
        return fail(Error(ErrorCode::Malformed, "a JWK Set needs a \"keys\" array").withClaim("keys"));

    if (keys->size() > limits.maxKeysPerSet)
        return fail(Error(ErrorCode::LimitExceeded, "a JWK Set of " + std::to_string(keys->size()) +
                                                        " keys; at most " + std::to_string(limits.maxKeysPerSet) +
                                                        " are accepted (B10)")
                        .withClaim("keys"));
    JwkSet set;
    set.keys_.reserve(keys->size());
    for (std::size_t i = 0; i < keys->asArray().size(); ++i) {
        const Json &entry = keys->asArray()[i];
        if (!entry.isObject())
            return keyError(i, Error(ErrorCode::Malformed, "a JWK must be a JSON object"));
        // OpenID Federation 3: every key MUST have a kid, unique in the set.
        const std::string *kid = entry.findString("kid");
        if (!kid || kid->empty())
            return keyError(i, Error(ErrorCode::InvalidKey, "the key has no non-empty string kid").withClaim("kid"));
        if (hasKid(set.keys_, *kid))
            return keyError(i, Error(ErrorCode::InvalidKey, "duplicate kid in the JWK Set (C06)").withClaim("kid"));
        auto key = Jwk::fromPublicJson(entry, limits);
        if (!key)
            return keyError(i, std::move(key).error());
        set.keys_.push_back(std::move(key).value());
    }
    return set;
}

Result<JwkSet> JwkSet::fromKeys(std::vector<Jwk> keys)
{
    // The keys were validated when they were made, under their own limits;
    // only their public halves are rebuilt here.
    KeyLimits anySize;
    anySize.minRsaBits = 0;
    anySize.maxRsaBits = 1 << 16;

    JwkSet set;
    set.keys_.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        Jwk &key = keys[i];
        if (key.kid().empty())
            return keyError(i, Error(ErrorCode::InvalidKey, "the key has an empty kid").withClaim("kid"));
        if (hasKid(set.keys_, key.kid()))
            return keyError(i, Error(ErrorCode::InvalidKey, "duplicate kid in the JWK Set (C06)").withClaim("kid"));
        if (key.hasPrivate()) {
            auto publicKey = Jwk::fromPublicJson(key.toPublicJson(), anySize);
            if (!publicKey)
                return keyError(i, std::move(publicKey).error());
            set.keys_.push_back(std::move(publicKey).value());
        } else {
            set.keys_.push_back(std::move(key));
        }
    }
    return set;
}

const Jwk *JwkSet::find(std::string_view kid) const
{
    auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Jwk &k) { return k.kid() == kid; });
    return it == keys_.end() ? nullptr : &*it;
}

Json JwkSet::toJson() const
{
    Json keys = Json::array();
    for (const Jwk &key : keys_)
        keys.push(key.toPublicJson());
    Json out = Json::object();
    out.set("keys", std::move(keys));
    return out;
}

} // namespace oidfed
