// libFuzzer target: JWS Compact Serialization parsing and verification
// against fixed public keys (include/oidfed/jws.h).
//
// Each input is tried twice: as a compact JWS, and as the JSON text of a
// protected header inside an otherwise fixed JWS, so that mutations reach the
// header checks without having to survive base64url.
//
// Invariants: only the documented error codes come back; an accepted JWS
// keeps the exact input as compact(), its signing input is the first two
// segments, its decoded segments re-encode to the input's segments (strict
// base64url), its header is an object whose "alg" names alg(); verify() only
// succeeds with the key whose kid the header names, and agrees with
// verifyWith() on that key.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <oidfed/base64url.h>
#include <oidfed/jws.h>

#include "fuzz_support.h"

using oidfed::ErrorCode;
using oidfed::Jws;
using oidfed::fuzz::check;

namespace {

bool isOneOf(ErrorCode code, std::initializer_list<ErrorCode> codes)
{
    for (ErrorCode c : codes)
        if (c == code)
            return true;
    return false;
}

void checkAccepted(const Jws &jws, std::string_view input)
{
    check(jws.compact() == input, "compact() is exactly the input");
    const std::size_t firstDot = input.find('.');
    const std::size_t secondDot = input.find('.', firstDot + 1);
    check(secondDot != std::string_view::npos && input.find('.', secondDot + 1) == std::string_view::npos,
          "an accepted JWS has exactly three segments");
    check(jws.signingInput() == input.substr(0, secondDot), "the signing input is the first two segments");
    check(oidfed::base64urlEncode(jws.payload()) == input.substr(firstDot + 1, secondDot - firstDot - 1),
          "the payload re-encodes to its segment");
    check(oidfed::base64urlEncode(jws.signature()) == input.substr(secondDot + 1),
          "the signature re-encodes to its segment");
    check(!jws.signature().empty(), "an accepted JWS has a signature");

    check(jws.header().isObject(), "the header is an object");
    const std::string *alg = jws.header().findString("alg");
    check(alg && *alg == oidfed::jwsAlgorithmName(jws.alg()), "alg() is the header's alg");
    const std::string *kid = jws.header().findString("kid");
    check(jws.kid() == (kid ? *kid : std::string()), "kid() is the header's string kid");
    for (std::string_view refused : {"crit", "b64", "zip"})
        check(!jws.header().contains(refused), "crit, b64 and zip headers are refused");

    auto payload = jws.payloadJson();
    if (payload)
        check(payload->isObject(), "payloadJson() returns an object");
    else
        check(isOneOf(payload.error().code, {ErrorCode::Malformed, ErrorCode::LimitExceeded}),
              "payloadJson() fails with Malformed or LimitExceeded only");

    const oidfed::JwkSet &keys = oidfed::fuzz::fixedKeys();
    auto verified = jws.verify(keys);
    if (verified) {
        const oidfed::Jwk *key = keys.find(jws.kid());
        check(!jws.kid().empty() && key != nullptr, "verify() succeeds only with the key named by kid");
        check(jws.verifyWith(*key).has_value(), "verify() and verifyWith() agree");
    } else {
        check(isOneOf(verified.error().code, {ErrorCode::KeyNotFound, ErrorCode::InvalidKey, ErrorCode::BadSignature}),
              "verify() fails with KeyNotFound, InvalidKey or BadSignature only");
    }
    for (const oidfed::Jwk &key : keys.keys()) {
        auto with = jws.verifyWith(key);
        if (!with)
            check(isOneOf(with.error().code, {ErrorCode::InvalidKey, ErrorCode::BadSignature}),
                  "verifyWith() fails with InvalidKey or BadSignature only");
    }
}

void parseOne(std::string_view input)
{
    auto jws = Jws::parse(input);
    if (jws) {
        checkAccepted(*jws, input);
        return;
    }
    check(isOneOf(jws.error().code,
                  {ErrorCode::Malformed, ErrorCode::UnsupportedAlgorithm, ErrorCode::UnknownCritical,
                   ErrorCode::LimitExceeded}),
          "Jws::parse fails with Malformed, UnsupportedAlgorithm, UnknownCritical or LimitExceeded only");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input = oidfed::fuzz::asText(data, size);
    parseOne(input);

    // The input as a protected header; payload {"iss":"x"}, a 64-byte signature.
    const std::string withHeader = oidfed::base64urlEncode(input) + ".eyJpc3MiOiJ4In0." +
                                   oidfed::base64urlEncode(std::string(64, '\x01'));
    parseOne(withHeader);
    return 0;
}
