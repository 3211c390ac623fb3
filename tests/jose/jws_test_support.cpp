#include "jws_test_support.h"

#include <doctest/doctest.h>

#include <oidfed/base64url.h>

#include "jose/jws_crypto.h"

namespace oidfed::test {

namespace {

Jwk generated(JwsAlgorithm alg)
{
    auto key = Jwk::generate(alg);
    REQUIRE(key);
    return *key;
}

} // namespace

const TestKeys &testKeys()
{
    static const TestKeys instance = [] {
        TestKeys k{generated(JwsAlgorithm::RS256), generated(JwsAlgorithm::ES256), generated(JwsAlgorithm::ES384),
                   generated(JwsAlgorithm::ES512), generated(JwsAlgorithm::EdDSA), JwkSet()};
        auto set = JwkSet::fromKeys({k.rsa, k.p256, k.p384, k.p521, k.ed25519});
        REQUIRE(set);
        k.set = *set;
        return k;
    }();
    return instance;
}

std::string craftJws(std::string_view headerText, std::string_view payload, const Jwk &signer, JwsAlgorithm alg)
{
    const std::string input = base64urlEncode(headerText) + "." + base64urlEncode(payload);
    auto signature = jose::signBytes(signer, alg, input);
    REQUIRE(signature);
    return input + "." + base64urlEncode(*signature);
}

std::string headerWithKid(std::string_view alg, std::string_view kid)
{
    return R"({"alg":")" + std::string(alg) + R"(","kid":")" + std::string(kid) + R"("})";
}

std::string withSignature(const std::string &compact, std::string_view signature)
{
    return compact.substr(0, compact.rfind('.') + 1) + base64urlEncode(signature);
}

ErrorCode parseError(std::string_view compact, const JwsLimits &limits)
{
    auto jws = Jws::parse(compact, limits);
    REQUIRE_FALSE(jws);
    return jws.error().code;
}

ErrorCode verifyError(std::string_view compact, const JwkSet &set)
{
    auto jws = Jws::parse(compact);
    REQUIRE(jws);
    auto verified = jws->verify(set);
    REQUIRE_FALSE(verified);
    return verified.error().code;
}

Json publicPart(Json jwk)
{
    for (const char *member : {"d", "p", "q", "dp", "dq", "qi"})
        jwk.erase(member);
    return jwk;
}

} // namespace oidfed::test
