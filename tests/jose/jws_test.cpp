// JWS against the published examples: RFC 7515 Appendix A, RFC 7520
// section 4, RFC 8037 Appendix A; and signJws behaviour.

#include <doctest/doctest.h>

#include <string>

#include <oidfed/base64url.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "jose/jws_crypto.h"
#include "jws_test_support.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test;

TEST_CASE("RFC 7515 A.2 (RS256) and A.3 (ES256) verify")
{
    auto rsa = Jwk::fromPublicJson(json(R"({"kty":"RSA","e":"AQAB",
        "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"})"));
    REQUIRE(rsa);
    const std::string a2 = std::string("eyJhbGciOiJSUzI1NiJ9.") + kRfc7515Payload +
                           ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
                           "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1"
                           "L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYE"
                           "UipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    auto jwsA2 = Jws::parse(a2);
    REQUIRE(jwsA2);
    CHECK(jwsA2->alg() == JwsAlgorithm::RS256);
    CHECK(jwsA2->kid().empty());
    CHECK(jwsA2->payload() == "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
    CHECK(jwsA2->verifyWith(*rsa));
    // Without a kid, selecting from a set is impossible (C04).
    auto set = JwkSet::fromKeys({rsa->withKid("2010-12-29")});
    REQUIRE(set);
    CHECK(jwsA2->verify(*set).error().code == ErrorCode::KeyNotFound);

    auto ec = Jwk::fromPublicJson(json(R"({"kty":"EC","crv":"P-256",
        "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})"));
    REQUIRE(ec);
    const std::string a3 = std::string("eyJhbGciOiJFUzI1NiJ9.") + kRfc7515Payload +
                           ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    auto jwsA3 = Jws::parse(a3);
    REQUIRE(jwsA3);
    CHECK(jwsA3->verifyWith(*ec));
    CHECK(jwsA3->verifyWith(*rsa).error().code == ErrorCode::InvalidKey);
    auto payload = jwsA3->payloadJson();
    REQUIRE(payload);
    CHECK(payload->find("exp")->asInt() == 1300819380);
}

TEST_CASE("RFC 7520 4.1 (RS256) is reproduced byte for byte and verifies")
{
    const Json vector = loadSharedJson("jose-vectors/ietf-jose-cookbook/jws/4_1.rsa_v15_signature.json");
    const Json &input = *vector.find("input");
    auto key = Jwk::fromPrivateJson(*input.find("key"));
    REQUIRE(key);
    const std::string expected = *vector.find("output")->findString("compact");

    auto produced = signJws(Json(), *input.findString("payload"), *key, JwsAlgorithm::RS256);
    REQUIRE(produced);
    CHECK(*produced == expected);
    auto raw = jose::signBytes(*key, JwsAlgorithm::RS256, *vector.find("signing")->findString("sig-input"));
    REQUIRE(raw);
    CHECK(base64urlEncode(*raw) == *vector.find("signing")->findString("sig"));

    auto set = JwkSet::fromJson(Json(Json::Object{{"keys", Json(Json::Array{publicPart(*input.find("key"))})}}));
    REQUIRE(set);
    auto jws = Jws::parse(expected);
    REQUIRE(jws);
    CHECK(jws->kid() == "bilbo.baggins@hobbiton.example");
    CHECK(jws->verify(*set));
    CHECK(jws->payload() == *input.findString("payload"));
}

TEST_CASE("RFC 7520 4.2 (PS384) and 4.3 (ES512) verify")
{
    for (const char *file : {"4_2.rsa-pss_signature.json", "4_3.ecdsa_signature.json"}) {
        CAPTURE(file);
        const Json vector = loadSharedJson(std::string("jose-vectors/ietf-jose-cookbook/jws/") + file);
        const Json &input = *vector.find("input");
        auto set =
            JwkSet::fromJson(Json(Json::Object{{"keys", Json(Json::Array{publicPart(*input.find("key"))})}}));
        REQUIRE(set);
        auto jws = Jws::parse(*vector.find("output")->findString("compact"));
        REQUIRE(jws);
        CHECK(jwsAlgorithmName(jws->alg()) == *input.findString("alg"));
        CHECK(jws->verify(*set));
        // A fresh signature with the private key also verifies (PSS and
        // ECDSA are randomized, so it cannot be compared byte for byte).
        auto key = Jwk::fromPrivateJson(*input.find("key"));
        REQUIRE(key);
        auto fresh = signJws(Json(), *input.findString("payload"), *key, jws->alg());
        REQUIRE(fresh);
        CHECK(*fresh != *vector.find("output")->findString("compact"));
        CHECK(Jws::parse(*fresh)->verify(*set));
    }
}

TEST_CASE("RFC 7520 4.4 and 4.5 (HS256) are rejected: no HMAC by design")
{
    for (const char *file : {"4_4.hmac-sha2_integrity_protection.json", "4_5.signature_with_detached_content.json"}) {
        const Json vector = loadSharedJson(std::string("jose-vectors/ietf-jose-cookbook/jws/") + file);
        CHECK(parseError(*vector.find("output")->findString("compact")) == ErrorCode::UnsupportedAlgorithm);
    }
}

TEST_CASE("RFC 8037 A.4 (Ed25519) is reproduced byte for byte and verifies")
{
    const Json vector = loadSharedJson("jose-vectors/ietf-jose-cookbook/curve25519/jws.json");
    auto key = Jwk::fromPrivateJson(*vector.find("input")->find("key"));
    REQUIRE(key);
    const Json &signing = *vector.find("signing");
    auto raw = jose::signBytes(*key, JwsAlgorithm::EdDSA, *signing.findString("sig-input"));
    REQUIRE(raw);
    CHECK(base64urlEncode(*raw) == *signing.findString("sig"));
    auto jws = Jws::parse(*vector.find("output")->findString("compact"));
    REQUIRE(jws);
    CHECK(jws->alg() == JwsAlgorithm::EdDSA);
    CHECK(jws->payload() == "Example of Ed25519 signing");
    CHECK(jws->verifyWith(*key));
    auto pub = Jwk::fromPublicJson(publicPart(*vector.find("input")->find("key")));
    REQUIRE(pub);
    CHECK(jws->verifyWith(*pub));
    CHECK(jws->verifyWith(testKeys().ed25519).error().code == ErrorCode::BadSignature);
}

TEST_CASE("signJws: header layout, typ, alg selection")
{
    const TestKeys &k = testKeys();
    Json header = json(R"({"typ":"entity-statement+jwt","alg":"none","kid":"evil"})");
    auto compact = signJws(header, R"({"sub":"x"})", k.p384);
    REQUIRE(compact);
    auto jws = Jws::parse(*compact);
    REQUIRE(jws);
    // alg and kid come from the key; the caller's are ignored. Order: alg, kid, the rest.
    CHECK(*base64urlDecode(compact->substr(0, compact->find('.'))) ==
          R"({"alg":"ES384","kid":")" + k.p384.kid() + R"(","typ":"entity-statement+jwt"})");
    CHECK(jws->typ() == "entity-statement+jwt");
    CHECK(jws->verify(k.set));
    CHECK(signJws(Json::array(), "{}", k.p384).error().code == ErrorCode::InvalidArgument);
    CHECK(signJws(Json(), "{}", k.p384.withKid("")).error().code == ErrorCode::InvalidArgument);
    // Every algorithm a key's type allows, when the key does not pin one.
    Json unpinned = k.rsa.toPrivateJson();
    unpinned.erase("alg");
    auto rsa = Jwk::fromPrivateJson(unpinned);
    REQUIRE(rsa);
    auto defaultAlg = signJws(Json(), "{}", *rsa);
    REQUIRE(defaultAlg);
    CHECK(Jws::parse(*defaultAlg)->alg() == JwsAlgorithm::RS256);
    for (JwsAlgorithm alg : {JwsAlgorithm::RS384, JwsAlgorithm::RS512, JwsAlgorithm::PS256, JwsAlgorithm::PS384,
                             JwsAlgorithm::PS512}) {
        auto signedJws = signJws(Json(), "{}", *rsa, alg);
        REQUIRE(signedJws);
        auto parsed = Jws::parse(*signedJws);
        REQUIRE(parsed);
        CHECK(parsed->alg() == alg);
        CHECK(parsed->verifyWith(*rsa));
    }
}

TEST_CASE("JwsAlgorithm names round-trip")
{
    for (const char *name : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}) {
        auto alg = parseJwsAlgorithm(name);
        REQUIRE(alg);
        CHECK(jwsAlgorithmName(*alg) == name);
    }
    CHECK_FALSE(parseJwsAlgorithm("none"));
    CHECK_FALSE(parseJwsAlgorithm("eddsa"));
}
