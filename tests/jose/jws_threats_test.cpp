// The JWS threats of shared/reference/threats.md section C that apply at
// this layer, one test case per threat (or closely related group).

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <openssl/evp.h>

#include <oidfed/base64url.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "jose/jws_crypto.h"
#include "jws_test_support.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test;

TEST_CASE("C01: alg none and everything outside the allow-list")
{
    for (const char *alg : {"none", "None", "NONE", "", "HS256", "HS384", "HS512", "ES256K", "RS1", "rs256",
                            "RS256 ", "EdDSA25519", "Ed25519"}) {
        CAPTURE(alg);
        const std::string header = R"({"alg":")" + std::string(alg) + R"(","kid":"k"})";
        const std::string compact = base64urlEncode(header) + "." + base64urlEncode("{}") + ".";
        CHECK(parseError(compact) == ErrorCode::UnsupportedAlgorithm);
        CHECK(parseError(compact + "c2ln") == ErrorCode::UnsupportedAlgorithm);
    }
    for (const char *header : {R"({"kid":"k"})", R"({"alg":null})", R"({"alg":256})", R"({"alg":["RS256"]})",
                               R"({"alg":{"name":"RS256"}})"}) {
        CAPTURE(header);
        CHECK(parseError(base64urlEncode(header) + ".e30.c2ln") == ErrorCode::Malformed);
    }
}

TEST_CASE("C02: an HMAC over the issuer's public key is never accepted")
{
    const Jwk &rsa = testKeys().rsa;
    const std::string macKey = rsa.toPublicJson().dump();
    const std::string input = base64urlEncode(headerWithKid("HS256", rsa.kid())) + "." + base64urlEncode("{}");
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t macLength = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, macKey.data(), macKey.size(),
                      reinterpret_cast<const unsigned char *>(input.data()), input.size(), mac, sizeof mac,
                      &macLength) != nullptr);
    const std::string compact = input + "." + base64urlEncode(std::string(reinterpret_cast<char *>(mac), macLength));
    CHECK(parseError(compact) == ErrorCode::UnsupportedAlgorithm);
}

TEST_CASE("C03: the key must fit alg (kty, crv, alg, use, key_ops)")
{
    const TestKeys &k = testKeys();
    // Signed correctly, but named with the kid of a key of another kind.
    const std::pair<JwsAlgorithm, const Jwk *> cases[][2] = {
        {{JwsAlgorithm::RS256, &k.rsa}, {JwsAlgorithm::RS256, &k.p256}},
        {{JwsAlgorithm::ES256, &k.p256}, {JwsAlgorithm::ES256, &k.p384}},
        {{JwsAlgorithm::ES512, &k.p521}, {JwsAlgorithm::ES512, &k.p256}},
        {{JwsAlgorithm::EdDSA, &k.ed25519}, {JwsAlgorithm::EdDSA, &k.p256}},
        {{JwsAlgorithm::ES256, &k.p256}, {JwsAlgorithm::ES256, &k.ed25519}},
    };
    for (const auto &pair : cases) {
        const auto &signer = pair[0];  // not a structured binding: see base64url_test.cpp
        const auto &named = pair[1];
        CAPTURE(jwsAlgorithmName(signer.first));
        const std::string compact = craftJws(headerWithKid(jwsAlgorithmName(signer.first), named.second->kid()), "{}",
                                          *signer.second, signer.first);
        CHECK(verifyError(compact, k.set) == ErrorCode::InvalidKey);
    }
    // PS256 with an RSA key whose JWK says RS256 (the generated key does).
    REQUIRE(k.rsa.alg() == "RS256");
    const std::string ps = craftJws(headerWithKid("PS256", k.rsa.kid()), "{}", k.rsa, JwsAlgorithm::PS256);
    CHECK(verifyError(ps, k.set) == ErrorCode::InvalidKey);
    // The same signature verifies once the key no longer pins RS256.
    Json unpinned = k.rsa.toPublicJson();
    unpinned.erase("alg");
    auto loose = Jwk::fromPublicJson(unpinned);
    REQUIRE(loose);
    CHECK(Jws::parse(ps)->verifyWith(*loose));
    // "use":"enc" and "key_ops":["encrypt"] keys cannot verify.
    for (const char *member : {R"({"use":"enc"})", R"({"key_ops":["encrypt"]})"}) {
        Json restricted = unpinned;
        const Json extra = json(member);
        for (const auto &[name, value] : extra.asObject())
            restricted.set(name, value);
        auto key = Jwk::fromPublicJson(restricted);
        REQUIRE(key);
        CHECK(Jws::parse(ps)->verifyWith(*key).error().code == ErrorCode::InvalidKey);
    }
    // signJws refuses too.
    CHECK(signJws(Json(), "{}", k.rsa, JwsAlgorithm::PS256).error().code == ErrorCode::InvalidKey);
    CHECK(signJws(Json(), "{}", k.p256, JwsAlgorithm::ES384).error().code == ErrorCode::InvalidKey);
}

TEST_CASE("C04, C05, C07: kid is required, matched exactly, with no fallback")
{
    const TestKeys &k = testKeys();
    const Jwk &signer = k.p256;
    for (const char *header : {R"({"alg":"ES256"})", R"({"alg":"ES256","kid":""})", R"({"alg":"ES256","kid":null})",
                               R"({"alg":"ES256","kid":123})", R"({"alg":"ES256","kid":["x"]})"}) {
        CAPTURE(header);
        const std::string compact = craftJws(header, "{}", signer, JwsAlgorithm::ES256);
        CHECK(verifyError(compact, k.set) == ErrorCode::KeyNotFound);
        CHECK(Jws::parse(compact)->kid().empty());
        // verifyWith() ignores kid altogether.
        CHECK(Jws::parse(compact)->verifyWith(signer));
    }
    // Not found: the right key is in the set but under another kid.
    const std::string unknown = craftJws(headerWithKid("ES256", "no-such-kid"), "{}", signer, JwsAlgorithm::ES256);
    CHECK(verifyError(unknown, k.set) == ErrorCode::KeyNotFound);
    const std::string trailingSpace =
        craftJws(headerWithKid("ES256", signer.kid() + " "), "{}", signer, JwsAlgorithm::ES256);
    CHECK(verifyError(trailingSpace, k.set) == ErrorCode::KeyNotFound);
    CHECK(verifyError(craftJws(headerWithKid("ES256", signer.kid()), "{}", signer, JwsAlgorithm::ES256), JwkSet()) ==
          ErrorCode::KeyNotFound);
    // Same kid, wrong key: the signature fails.
    auto impostor = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(impostor);
    const std::string forged = craftJws(headerWithKid("ES256", signer.kid()), "{}", *impostor, JwsAlgorithm::ES256);
    CHECK(verifyError(forged, k.set) == ErrorCode::BadSignature);
}

TEST_CASE("C13: jwk, jku, x5u and x5c headers never supply the key")
{
    const TestKeys &k = testKeys();
    auto attacker = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(attacker);
    Json header = json(headerWithKid("ES256", k.p256.kid()));
    header.set("jwk", attacker->toPublicJson());
    header.set("jku", "https://127.0.0.1/keys");
    header.set("x5u", "https://127.0.0.1/cert");
    header.set("x5c", Json::array());
    const std::string forged = craftJws(header.dump(), "{}", *attacker, JwsAlgorithm::ES256);
    CHECK(verifyError(forged, k.set) == ErrorCode::BadSignature);
    // The same headers on an honest signature change nothing.
    const std::string honest = craftJws(header.dump(), "{}", k.p256, JwsAlgorithm::ES256);
    CHECK(Jws::parse(honest)->verify(k.set));
    // And signJws will not write them.
    for (const char *name : {"jwk", "jku", "x5u", "x5c"}) {
        Json extra = Json::object();
        extra.set(name, "x");
        CHECK(signJws(extra, "{}", k.p256).error().code == ErrorCode::InvalidArgument);
    }
}

TEST_CASE("C14, C15, C24: crit, b64 and zip are rejected before any crypto")
{
    const Jwk &signer = testKeys().p256;
    for (const char *extra : {R"("crit":["exp"],"exp":1)", R"("crit":[])", R"("crit":["foo"])", R"("crit":["b64"])",
                              R"("crit":"foo")", R"("crit":null)", R"("b64":false,"crit":["b64"])", R"("b64":false)",
                              R"("b64":true)", R"("zip":"DEF")"}) {
        CAPTURE(extra);
        const std::string header = R"({"alg":"ES256","kid":")" + signer.kid() + R"(",)" + extra + "}";
        CHECK(parseError(craftJws(header, "{}", signer, JwsAlgorithm::ES256)) == ErrorCode::UnknownCritical);
    }
    // A raw (b64=false) payload with a dot in it is not even three segments.
    CHECK(parseError(base64urlEncode(R"({"alg":"ES256","b64":false,"crit":["b64"]})") + ".$.02.c2ln") ==
          ErrorCode::Malformed);
    for (const char *name : {"crit", "b64", "zip"}) {
        Json extra = Json::object();
        extra.set(name, Json::array());
        CHECK(signJws(extra, "{}", signer).error().code == ErrorCode::InvalidArgument);
    }
}

TEST_CASE("C19: exactly three segments of compact serialization")
{
    const std::string good = craftJws(headerWithKid("ES256", testKeys().p256.kid()), "{}", testKeys().p256, JwsAlgorithm::ES256);
    REQUIRE(Jws::parse(good));
    const std::string header = good.substr(0, good.find('.'));
    const std::vector<std::string> bad = {
        "",
        ".",
        "..",
        header + ".e30",                       // 2 segments
        good + ".",                            // trailing dot
        good + ".c2ln",                        // 4 segments
        good + ".c2ln.c2ln",                   // 5 segments (JWE shape)
        "." + good,                            // leading dot
        " " + good,                            // leading space
        good + " ",                            // trailing space
        good + "\n",                           // trailing newline
        good + "\r\n",                         //
        header + " .e30." + good.substr(good.rfind('.') + 1),
        R"({"payload":"e30","signatures":[]})",  // JSON serialization
        "{\"protected\":\"" + header + "\",\"payload\":\"e30\",\"signature\":\"c2ln\"}",
    };
    for (const std::string &compact : bad) {
        CAPTURE(compact);
        CHECK(parseError(compact) == ErrorCode::Malformed);
    }
    // An empty signature is malformed; an empty payload is allowed.
    CHECK(parseError(good.substr(0, good.rfind('.') + 1)) == ErrorCode::Malformed);
    CHECK(Jws::parse(craftJws(headerWithKid("ES256", "k"), "", testKeys().p256, JwsAlgorithm::ES256)));
}

TEST_CASE("C20: size is checked before splitting")
{
    CHECK(parseError(std::string(1 << 20, '.')) == ErrorCode::LimitExceeded);
    CHECK(parseError(std::string((256 << 10) + 1, 'A')) == ErrorCode::LimitExceeded);
    JwsLimits big;
    big.maxBytes = 2 << 20;
    CHECK(parseError(std::string(1 << 20, '.'), big) == ErrorCode::Malformed);
    // A 300 KB header is refused by the default limit; a smaller limit applies too.
    const std::string huge = craftJws(R"({"alg":"ES256","kid":"k","pad":")" + std::string(300 << 10, 'x') + "\"}", "{}",
                                   testKeys().p256, JwsAlgorithm::ES256);
    CHECK(parseError(huge) == ErrorCode::LimitExceeded);
    JwsLimits tight;
    tight.maxBytes = 100;
    CHECK(parseError(craftJws(headerWithKid("ES256", testKeys().p256.kid()), "{}", testKeys().p256, JwsAlgorithm::ES256),
                     tight) == ErrorCode::LimitExceeded);
    // The JSON limits apply to the header.
    JwsLimits shallow;
    shallow.json.maxDepth = 2;
    CHECK(parseError(craftJws(R"({"alg":"ES256","x":[[[1]]]})", "{}", testKeys().p256, JwsAlgorithm::ES256), shallow) ==
          ErrorCode::LimitExceeded);
}

TEST_CASE("C21: non-canonical base64url in any segment")
{
    const std::string good = craftJws(headerWithKid("ES256", testKeys().p256.kid()), "{}", testKeys().p256, JwsAlgorithm::ES256);
    const std::size_t first = good.find('.');
    const std::size_t second = good.rfind('.');
    const std::string header = good.substr(0, first);
    const std::string payload = good.substr(first + 1, second - first - 1);  // "e30"
    const std::string signature = good.substr(second + 1);
    REQUIRE(payload == "e30");
    for (const std::string &compact : {
             header + "=." + payload + "." + signature,
             header + ".e30=." + signature,
             header + "." + payload + "." + signature + "==",
             header + ".e31." + signature,  // "e31" has a non-zero unused bit
             header + ".e3+." + signature,
             header + ".e3/." + signature,
             header + "." + payload + "." + signature.substr(1),  // length 1 mod 4 (85 chars)
         }) {
        CAPTURE(compact);
        CHECK(parseError(compact) == ErrorCode::Malformed);
    }
}

TEST_CASE("C22, C23: header and payload are JSON objects read from exactly the signed bytes")
{
    const Jwk &signer = testKeys().p256;
    for (const char *header : {"[]", R"("ES256")", "null", "\xef\xbb\xbf{\"alg\":\"ES256\"}", "{\"alg\":\"ES\xff\"}",
                               R"({"alg":"ES256","alg":"none"})", R"({"alg":"ES256")"}) {
        CAPTURE(header);
        CHECK(parseError(craftJws(header, "{}", signer, JwsAlgorithm::ES256)) == ErrorCode::Malformed);
    }
    for (const char *payload : {"[]", R"("str")", "null", "\xef\xbb\xbf{}", "{\"a\":\"\xc0\xaf\"}", R"(["\ud800"])",
                                R"({"sub":"a","sub":"b"})", "", "not json"}) {
        CAPTURE(payload);
        auto jws = Jws::parse(craftJws(headerWithKid("ES256", signer.kid()), payload, signer, JwsAlgorithm::ES256));
        REQUIRE(jws);
        CHECK(jws->verify(testKeys().set));  // the signature is fine ...
        CHECK(jws->payload() == payload);
        CHECK(jws->payloadJson().error().code == ErrorCode::Malformed);  // ... the payload is not
    }
    // Claims come from the verified bytes, escapes and spacing included.
    const std::string payload = "{ \"iss\" : \"\\u0041\" ,\"n\":1.0e1}";
    auto jws = Jws::parse(craftJws(headerWithKid("ES256", signer.kid()), payload, signer, JwsAlgorithm::ES256));
    REQUIRE(jws);
    CHECK(jws->payload() == payload);
    CHECK(*jws->payloadJson()->findString("iss") == "A");
    // A JSON-equivalent re-encoding of the payload is a different signing input.
    const std::string original = jws->compact();
    const std::size_t first = original.find('.');
    const std::size_t second = original.rfind('.');
    const std::string reencoded = original.substr(0, first + 1) + base64urlEncode(R"({"iss":"A","n":10})") +
                                  original.substr(second);
    CHECK(verifyError(reencoded, testKeys().set) == ErrorCode::BadSignature);
    CHECK(jws->signingInput() == original.substr(0, second));
}

TEST_CASE("C08, C09: ECDSA signatures of the wrong length or out of range")
{
    const Jwk &signer = testKeys().p256;
    const std::string good = craftJws(headerWithKid("ES256", signer.kid()), "{}", signer, JwsAlgorithm::ES256);
    const std::string sig = *base64urlDecode(good.substr(good.rfind('.') + 1));
    REQUIRE(sig.size() == 64);
    // P-256 group order n.
    const std::string order = *base64urlDecode("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE");
    REQUIRE(order.size() == 32);
    const std::string zero(32, '\0');
    const std::string one = std::string(31, '\0') + "\x01";
    const std::vector<std::string> bad = {
        sig.substr(0, 63), sig + std::string(1, '\0'), sig + sig, std::string(64, '\0'), std::string(63, '\0'),
        order + one, one + zero, zero + one, order + order, one + order,
        std::string(21830 * 3 / 4, 'A'),
    };
    for (const std::string &signature : bad) {
        CAPTURE(signature.size());
        CHECK(verifyError(withSignature(good, signature), testKeys().set) == ErrorCode::BadSignature);
    }
    // A DER-encoded signature is not a JWS signature.
    auto der = jose::signBytes(signer, JwsAlgorithm::ES256, "x");
    REQUIRE(der);
    std::string derShaped = "\x30\x44\x02\x20" + sig.substr(0, 32) + "\x02\x20" + sig.substr(32);
    CHECK(verifyError(withSignature(good, derShaped), testKeys().set) == ErrorCode::BadSignature);
    // The other curves check their own widths (2 x 48, 2 x 66).
    for (const Jwk *key : {&testKeys().p384, &testKeys().p521}) {
        const JwsAlgorithm alg = key == &testKeys().p384 ? JwsAlgorithm::ES384 : JwsAlgorithm::ES512;
        const std::string ok = craftJws(headerWithKid(jwsAlgorithmName(alg), key->kid()), "{}", *key, alg);
        const std::string raw = *base64urlDecode(ok.substr(ok.rfind('.') + 1));
        CHECK(raw.size() == (alg == JwsAlgorithm::ES384 ? 96u : 132u));
        CHECK(Jws::parse(ok)->verify(testKeys().set));
        CHECK(verifyError(withSignature(ok, raw.substr(1)), testKeys().set) == ErrorCode::BadSignature);
        CHECK(verifyError(withSignature(ok, raw + std::string(1, '\0')), testKeys().set) == ErrorCode::BadSignature);
        CHECK(verifyError(withSignature(ok, sig), testKeys().set) == ErrorCode::BadSignature);
    }
}

TEST_CASE("C10: RSA signatures must be exactly the modulus length and valid")
{
    const Jwk &signer = testKeys().rsa;
    const std::string good = craftJws(headerWithKid("RS256", signer.kid()), "{}", signer, JwsAlgorithm::RS256);
    const std::string sig = *base64urlDecode(good.substr(good.rfind('.') + 1));
    REQUIRE(sig.size() == 256);
    CHECK(Jws::parse(good)->verify(testKeys().set));
    const std::string n = *base64urlDecode(*signer.toPublicJson().findString("n"));
    std::string nMinus1 = n;
    nMinus1.back() = static_cast<char>(nMinus1.back() - 1);
    for (const std::string &signature : {std::string(1, '\0') + sig, sig + std::string(1, '\0'), sig.substr(1),
                                         std::string(256, '\0'), std::string(255, '\0') + "\x01", n, nMinus1,
                                         std::string(512, '\xff'), std::string(1, '\x01')}) {
        CAPTURE(signature.size());
        CHECK(verifyError(withSignature(good, signature), testKeys().set) == ErrorCode::BadSignature);
    }
    // Ed25519 signatures are exactly 64 bytes.
    const Jwk &ed = testKeys().ed25519;
    const std::string edGood = craftJws(headerWithKid("EdDSA", ed.kid()), "{}", ed, JwsAlgorithm::EdDSA);
    const std::string edSig = *base64urlDecode(edGood.substr(edGood.rfind('.') + 1));
    CHECK(verifyError(withSignature(edGood, edSig.substr(1)), testKeys().set) == ErrorCode::BadSignature);
    CHECK(verifyError(withSignature(edGood, edSig + std::string(1, '\0')), testKeys().set) == ErrorCode::BadSignature);
}

