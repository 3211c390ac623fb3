#include <oidfed/jws.h>

#include <array>

#include <oidfed/base64url.h>

#include "jose/jwk_impl.h"
#include "jose/jws_crypto.h"

namespace oidfed {

namespace {

/// Header parameters whose presence makes a JWS unacceptable: "crit" because
/// no extension is supported (RFC 7515 4.1.11, C14), "b64" because unencoded
/// payloads change what is signed (RFC 7797, C15), "zip" because it belongs
/// to JWE and would invite decompression (C24).
constexpr std::array<std::string_view, 3> kRejectedHeaders{"crit", "b64", "zip"};

/// Members signJws refuses to copy from the caller's header: the ones parse()
/// rejects, and the key-carrying ones that verifiers must never trust.
constexpr std::array<std::string_view, 7> kUnsignableHeaders{"crit", "b64", "zip", "jwk", "jku", "x5u", "x5c"};

Result<std::string> decodeSegment(std::string_view segment, std::string_view what)
{
    auto bytes = base64urlDecode(segment);
    if (!bytes)
        return fail(Error(ErrorCode::Malformed, "the JWS " + std::string(what) + " is not strict base64url")
                        .withRule("RFC 7515 7.1"));
    return bytes;
}

} // namespace

Result<Jws> Jws::parse(std::string_view compact, const JwsLimits &limits)
{
    // Size first, before any scan or allocation (C20).
    if (compact.size() > limits.maxBytes)
        return fail(ErrorCode::LimitExceeded, "the JWS is larger than allowed");

    // Exactly three segments: stop at the third dot (JWE, C19).
    std::array<std::size_t, 2> dots{};
    std::size_t found = 0;
    for (std::size_t i = 0; i < compact.size(); ++i) {
        if (compact[i] != '.')
            continue;
        if (found == dots.size())
            return fail(Error(ErrorCode::Malformed, "a compact JWS has exactly three segments")
                            .withRule("RFC 7515 7.1"));
        dots[found++] = i;
    }
    if (found != dots.size())
        return fail(Error(ErrorCode::Malformed, "a compact JWS has exactly three segments").withRule("RFC 7515 7.1"));
    const std::string_view headerText = compact.substr(0, dots[0]);
    const std::string_view payloadText = compact.substr(dots[0] + 1, dots[1] - dots[0] - 1);
    const std::string_view signatureText = compact.substr(dots[1] + 1);

    Jws jws;
    // Every segment must be strict base64url before any of it is trusted;
    // whitespace, padding and other characters fail here (C19, C21).
    OIDFED_TRY(std::string headerBytes, decodeSegment(headerText, "header"));
    OIDFED_TRY(jws.payload_, decodeSegment(payloadText, "payload"));
    OIDFED_TRY(jws.signature_, decodeSegment(signatureText, "signature"));

    auto header = parseJson(headerBytes, limits.json);
    if (!header)
        return fail(Error(header.error().code, "the JWS header is not valid JSON: " + header.error().message)
                        .withRule("RFC 7515 4"));
    if (!header->isObject())
        return fail(Error(ErrorCode::Malformed, "the JWS header is not a JSON object").withRule("RFC 7515 4"));

    const Json *alg = header->find("alg");
    if (!alg || !alg->isString())
        return fail(Error(ErrorCode::Malformed, "the JWS header has no string alg").withClaim("alg"));
    const auto parsedAlg = parseJwsAlgorithm(alg->asString());
    if (!parsedAlg)
        return fail(Error(ErrorCode::UnsupportedAlgorithm, "alg is not in the allow-list").withClaim("alg"));

    for (std::string_view name : kRejectedHeaders)
        if (header->contains(name))
            return fail(Error(ErrorCode::UnknownCritical, "the JWS header uses an unsupported extension")
                            .withClaim(name));

    if (jws.signature_.empty())
        return fail(Error(ErrorCode::Malformed, "the JWS signature is empty").withRule("RFC 7515 7.1"));

    jws.alg_ = *parsedAlg;
    if (const std::string *kid = header->findString("kid"))
        jws.kid_ = *kid;
    if (const std::string *typ = header->findString("typ"))
        jws.typ_ = *typ;
    jws.header_ = std::move(header).value();
    jws.compact_ = std::string(compact);
    jws.signingInputLength_ = dots[1];
    return jws;
}

Result<Json> Jws::payloadJson(const JsonLimits &limits) const
{
    OIDFED_TRY(Json payload, parseJson(payload_, limits));
    if (!payload.isObject())
        return fail(ErrorCode::Malformed, "the JWS payload is not a JSON object");
    return payload;
}

std::string_view Jws::signingInput() const
{
    return std::string_view(compact_).substr(0, signingInputLength_);
}

Result<void> Jws::verify(const JwkSet &keys) const
{
    // The key is chosen by exact kid only: no header key, no "try them all".
    if (kid_.empty())
        return fail(Error(ErrorCode::KeyNotFound, "the JWS header has no non-empty string kid").withClaim("kid"));
    const Jwk *key = keys.find(kid_);
    if (!key)
        return fail(Error(ErrorCode::KeyNotFound, "no key with the JWS kid").withClaim("kid"));
    return verifyWith(*key);
}

Result<void> Jws::verifyWith(const Jwk &key) const
{
    if (!jose::keyAllows(key.impl(), alg_, jose::KeyOperation::Verify))
        return fail(Error(ErrorCode::InvalidKey, "the key may not verify this algorithm").withClaim("alg"));
    return jose::verifyBytes(key, alg_, signingInput(), signature_);
}

Result<std::string> signJws(const Json &header, std::string_view payload, const Jwk &key)
{
    if (!key.alg().empty()) {
        const auto alg = parseJwsAlgorithm(key.alg());
        if (!alg)
            return fail(Error(ErrorCode::InvalidKey, "the key's alg is not a supported JWS algorithm").withClaim("alg"));
        return signJws(header, payload, key, *alg);
    }
    switch (key.type()) {
    case KeyType::Rsa:
        return signJws(header, payload, key, JwsAlgorithm::RS256);
    case KeyType::Okp:
        return signJws(header, payload, key, JwsAlgorithm::EdDSA);
    case KeyType::Ec:
        break;
    }
    if (key.curve() == "P-384")
        return signJws(header, payload, key, JwsAlgorithm::ES384);
    if (key.curve() == "P-521")
        return signJws(header, payload, key, JwsAlgorithm::ES512);
    return signJws(header, payload, key, JwsAlgorithm::ES256);
}

Result<std::string> signJws(const Json &header, std::string_view payload, const Jwk &key, JwsAlgorithm alg)
{
    if (!key.hasPrivate())
        return fail(ErrorCode::InvalidArgument, "signing needs a private key");
    if (key.kid().empty())
        return fail(Error(ErrorCode::InvalidArgument, "signing needs a key with a kid").withClaim("kid"));
    if (!header.isNull() && !header.isObject())
        return fail(ErrorCode::InvalidArgument, "the extra header must be a JSON object");
    if (!jose::keyAllows(key.impl(), alg, jose::KeyOperation::Sign))
        return fail(Error(ErrorCode::InvalidKey, "the key may not sign with this algorithm").withClaim("alg"));

    Json protectedHeader = Json::object();
    protectedHeader.set("alg", jwsAlgorithmName(alg));
    protectedHeader.set("kid", key.kid());
    if (header.isObject()) {
        for (const auto &[name, value] : header.asObject()) {
            if (name == "alg" || name == "kid")
                continue;
            for (std::string_view refused : kUnsignableHeaders)
                if (name == refused)
                    return fail(Error(ErrorCode::InvalidArgument, "this header member may not be signed")
                                    .withClaim(name));
            protectedHeader.set(name, value);
        }
    }

    std::string out = base64urlEncode(protectedHeader.dump());
    out += '.';
    out += base64urlEncode(payload);
    OIDFED_TRY(std::string signature, jose::signBytes(key, alg, out));
    out += '.';
    out += base64urlEncode(signature);
    return out;
}

} // namespace oidfed
