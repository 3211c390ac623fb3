// libFuzzer target: public JWK and JWK Set import (include/oidfed/jwk.h),
// the parser every fetched jwks goes through (threats C06, C10-C12, P4).
//
// Invariants: import fails only with Malformed, InvalidKey or LimitExceeded;
// an accepted key never holds private material, and its public JSON imports
// again to a key with the same thumbprint, type and curve; a set keeps no
// more keys than KeyLimits::maxKeysPerSet.

#include <cstddef>
#include <cstdint>

#include <oidfed/json.h>
#include <oidfed/jwk.h>

#include "fuzz_support.h"

using oidfed::ErrorCode;
using oidfed::Json;
using oidfed::Jwk;
using oidfed::fuzz::check;

namespace {

bool importError(ErrorCode code)
{
    return code == ErrorCode::Malformed || code == ErrorCode::InvalidKey || code == ErrorCode::LimitExceeded;
}

void checkKey(const Jwk &key)
{
    check(!key.hasPrivate(), "an imported public JWK holds no private key");
    auto again = Jwk::fromPublicJson(key.toPublicJson());
    check(again.has_value(), "the public JSON of an accepted key imports again");
    check(again->thumbprint() == key.thumbprint(), "the thumbprint survives export and import");
    check(again->type() == key.type() && again->curve() == key.curve(), "type and curve survive");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    auto json = oidfed::parseJson(oidfed::fuzz::asText(data, size));
    if (!json)
        return 0;

    // The document as one JWK.
    if (auto key = Jwk::fromPublicJson(*json))
        checkKey(*key);
    else
        check(importError(key.error().code), "JWK import fails with Malformed, InvalidKey or LimitExceeded");

    // The document as a JWK Set.
    const oidfed::KeyLimits limits;
    if (auto set = oidfed::JwkSet::fromJson(*json, limits)) {
        check(set->keys().size() <= limits.maxKeysPerSet, "a set holds at most maxKeysPerSet keys");
        for (const Jwk &key : set->keys())
            checkKey(key);
    } else {
        check(importError(set.error().code), "JWK Set import fails with Malformed, InvalidKey or LimitExceeded");
    }
    return 0;
}
