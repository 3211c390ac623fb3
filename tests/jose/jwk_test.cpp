#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <oidfed/base64url.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "jose/openssl_ptr.h"
#include "test_support.h"

using namespace oidfed;
using oidfed::test::json;
using oidfed::test::loadSharedJson;

namespace {

constexpr JwsAlgorithm kAllAlgorithms[] = {
    JwsAlgorithm::RS256, JwsAlgorithm::RS384, JwsAlgorithm::RS512, JwsAlgorithm::PS256, JwsAlgorithm::PS384,
    JwsAlgorithm::PS512, JwsAlgorithm::ES256, JwsAlgorithm::ES384, JwsAlgorithm::ES512, JwsAlgorithm::EdDSA,
};

Json cookbookKey(const char *file)
{
    return loadSharedJson(std::string("jose-vectors/ietf-jose-cookbook/jwk/") + file);
}

/// A copy of `jwk` with one member set (or removed when value is null).
Json withMember(Json jwk, std::string_view name, Json value)
{
    if (value.isNull())
        jwk.erase(name);
    else
        jwk.set(name, std::move(value));
    return jwk;
}

std::string bignumParam(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *raw = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(pkey, name, &raw) == 1);
    jose::BignumPtr bn(raw);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char *>(bytes.data()));
    return bytes;
}

/// An RSA key made by OpenSSL at test time (no private key is committed).
jose::EvpPkeyPtr generateRsa(unsigned bits, unsigned exponent)
{
    jose::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) == 1);
    jose::BignumPtr e(BN_new());
    REQUIRE(BN_set_word(e.get(), exponent) == 1);
    REQUIRE(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) == 1);
    EVP_PKEY *raw = nullptr;
    REQUIRE(EVP_PKEY_generate(ctx.get(), &raw) == 1);
    return jose::EvpPkeyPtr(raw);
}

Json rsaPublicJwk(const EVP_PKEY *pkey)
{
    Json jwk = Json::object();
    jwk.set("kty", "RSA");
    jwk.set("n", base64urlEncode(bignumParam(pkey, OSSL_PKEY_PARAM_RSA_N)));
    jwk.set("e", base64urlEncode(bignumParam(pkey, OSSL_PKEY_PARAM_RSA_E)));
    return jwk;
}

std::string privatePem(const EVP_PKEY *pkey, const EVP_CIPHER *cipher = nullptr, const char *password = nullptr)
{
    jose::BioPtr bio(BIO_new(BIO_s_mem()));
    REQUIRE(bio);
    if (cipher)
        REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, cipher, password,
                                              static_cast<int>(std::strlen(password)), nullptr, nullptr) == 1);
    else
        REQUIRE(PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

ErrorCode publicError(const Json &jwk, const KeyLimits &limits = {})
{
    auto key = Jwk::fromPublicJson(jwk, limits);
    REQUIRE_FALSE(key);
    return key.error().code;
}

} // namespace

TEST_CASE("RFC 7520 3.1 and 3.3: public EC P-521 and RSA keys load and round-trip")
{
    for (const char *file : {"3_1.ec_public_key.json", "3_3.rsa_public_key.json"}) {
        CAPTURE(file);
        const Json input = cookbookKey(file);
        auto key = Jwk::fromPublicJson(input);
        REQUIRE(key);
        CHECK_FALSE(key->hasPrivate());
        CHECK(key->kid() == "bilbo.baggins@hobbiton.example");
        CHECK(key->toPublicJson() == input);
    }
    auto ec = Jwk::fromPublicJson(cookbookKey("3_1.ec_public_key.json"));
    REQUIRE(ec);
    CHECK(ec->type() == KeyType::Ec);
    CHECK(ec->curve() == "P-521");
    CHECK(ec->supports(JwsAlgorithm::ES512));
    CHECK_FALSE(ec->supports(JwsAlgorithm::ES256));
    CHECK_FALSE(ec->supports(JwsAlgorithm::RS256));
    auto rsa = Jwk::fromPublicJson(cookbookKey("3_3.rsa_public_key.json"));
    REQUIRE(rsa);
    CHECK(rsa->type() == KeyType::Rsa);
    CHECK(rsa->rsaBits() == 2048);
    CHECK(rsa->curve().empty());
    for (JwsAlgorithm alg : {JwsAlgorithm::RS256, JwsAlgorithm::PS384, JwsAlgorithm::PS512})
        CHECK(rsa->supports(alg));
    CHECK_FALSE(rsa->supports(JwsAlgorithm::ES256));
    CHECK_FALSE(rsa->supports(JwsAlgorithm::EdDSA));
}

TEST_CASE("RFC 7520 3.2 and 3.4: private keys are refused as public and load as private")
{
    for (const char *file : {"3_2.ec_private_key.json", "3_4.rsa_private_key.json"}) {
        CAPTURE(file);
        const Json input = cookbookKey(file);
        CHECK(publicError(input) == ErrorCode::InvalidKey);
        auto key = Jwk::fromPrivateJson(input);
        REQUIRE(key);
        CHECK(key->hasPrivate());
        CHECK(key->toPrivateJson() == input);
        // The public half is the 3.1 / 3.3 key.
        const char *publicFile = key->type() == KeyType::Ec ? "3_1.ec_public_key.json" : "3_3.rsa_public_key.json";
        CHECK(key->toPublicJson() == cookbookKey(publicFile));
    }
}

TEST_CASE("RFC 7520 3.5 and 3.6: symmetric (oct) keys are never accepted")
{
    for (const char *file : {"3_5.symmetric_key_mac_computation.json", "3_6.symmetric_key_encryption.json"}) {
        CAPTURE(file);
        const Json input = cookbookKey(file);
        CHECK(publicError(input) == ErrorCode::InvalidKey);
        auto asPrivate = Jwk::fromPrivateJson(input);
        REQUIRE_FALSE(asPrivate);
        CHECK(asPrivate.error().code == ErrorCode::InvalidKey);
        CHECK_FALSE(JwkSet::fromJson(Json(Json::Object{{"keys", Json(Json::Array{input})}})));
    }
}

TEST_CASE("RFC 7638 3.1 and RFC 8037 A.3 thumbprints")
{
    auto rsa = Jwk::fromPublicJson(json(R"({"kty":"RSA",
        "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e":"AQAB","alg":"RS256","kid":"2011-04-29"})"));
    REQUIRE(rsa);
    CHECK(rsa->thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");

    Json ed = loadSharedJson("jose-vectors/ietf-jose-cookbook/curve25519/jws.json").find("input")->find("key")->asObject();
    ed.erase("d");
    auto okp = Jwk::fromPublicJson(ed);
    REQUIRE(okp);
    CHECK(okp->type() == KeyType::Okp);
    CHECK(okp->curve() == "Ed25519");
    CHECK(okp->thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    // The thumbprint ignores the optional members.
    auto renamed = Jwk::fromPublicJson(withMember(ed, "kid", "other"));
    REQUIRE(renamed);
    CHECK(renamed->thumbprint() == okp->thumbprint());
}

TEST_CASE("generate, sign and verify with every algorithm")
{
    for (JwsAlgorithm alg : kAllAlgorithms) {
        CAPTURE(jwsAlgorithmName(alg));
        auto key = Jwk::generate(alg);
        REQUIRE(key);
        CHECK(key->hasPrivate());
        CHECK(key->alg() == jwsAlgorithmName(alg));
        CHECK(key->kid() == key->thumbprint());
        CHECK(key->supports(alg));
        if (key->type() == KeyType::Rsa)
            CHECK(key->rsaBits() == 2048);

        auto signedJws = signJws(json(R"({"typ":"entity-statement+jwt"})"), R"({"iss":"https://a.example"})", *key);
        REQUIRE(signedJws);
        auto keys = JwkSet::fromKeys({*key});
        REQUIRE(keys);
        CHECK_FALSE(keys->keys().front().hasPrivate());
        auto jws = Jws::parse(*signedJws);
        REQUIRE(jws);
        CHECK(jws->alg() == alg);
        CHECK(jws->kid() == key->kid());
        CHECK(jws->typ() == "entity-statement+jwt");
        CHECK(jws->verify(*keys));
        CHECK(jws->verifyWith(*key));
        auto payload = jws->payloadJson();
        REQUIRE(payload);
        CHECK(*payload->findString("iss") == "https://a.example");

        // A different key of the same kind does not verify it.
        auto other = Jwk::generate(alg);
        REQUIRE(other);
        auto wrong = jws->verifyWith(*other);
        REQUIRE_FALSE(wrong);
        CHECK(wrong.error().code == ErrorCode::BadSignature);

        // The private JWK round-trips to the same key.
        auto reloaded = Jwk::fromPrivateJson(key->toPrivateJson());
        REQUIRE(reloaded);
        CHECK(reloaded->thumbprint() == key->thumbprint());
        CHECK(jws->verifyWith(*reloaded));
    }
}

TEST_CASE("PKCS#8 PEM round trip")
{
    for (JwsAlgorithm alg : {JwsAlgorithm::RS256, JwsAlgorithm::ES256, JwsAlgorithm::ES384, JwsAlgorithm::ES512,
                             JwsAlgorithm::EdDSA}) {
        CAPTURE(jwsAlgorithmName(alg));
        auto key = Jwk::generate(alg);
        REQUIRE(key);
        const std::string pem = key->toPrivatePem();
        CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
        auto loaded = Jwk::fromPrivatePem(pem);
        REQUIRE(loaded);
        CHECK(loaded->hasPrivate());
        CHECK(loaded->thumbprint() == key->thumbprint());
        CHECK(loaded->kid() == key->thumbprint());
        CHECK(loaded->alg().empty());
        auto named = Jwk::fromPrivatePem(pem, "my-key");
        REQUIRE(named);
        CHECK(named->kid() == "my-key");
        // Signed with the loaded key, verified with the original.
        auto compact = signJws(Json(), "payload", *named, alg);
        REQUIRE(compact);
        auto jws = Jws::parse(*compact);
        REQUIRE(jws);
        CHECK(jws->verifyWith(*key));
    }
    CHECK(Jwk::fromPrivatePem("").error().code == ErrorCode::InvalidArgument);
    CHECK(Jwk::fromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").error().code ==
          ErrorCode::Malformed);
    // An encrypted PEM fails instead of prompting for a passphrase.
    auto rsa = generateRsa(2048, 65537);
    CHECK_FALSE(Jwk::fromPrivatePem(privatePem(rsa.get(), EVP_aes_256_cbc(), "secret")));
    // Public keys cannot sign or be exported as private.
    auto pub = Jwk::fromPublicJson(rsaPublicJwk(rsa.get()));
    REQUIRE(pub);
    CHECK(pub->toPrivatePem().empty());
    CHECK(pub->toPrivateJson().isNull());
    CHECK(signJws(Json(), "x", pub->withKid("k"), JwsAlgorithm::RS256).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("weak and oversized RSA keys are rejected (C11, C12)")
{
    SUBCASE("1024-bit key made at test time")
    {
        auto weak = generateRsa(1024, 65537);
        CHECK(publicError(rsaPublicJwk(weak.get())) == ErrorCode::InvalidKey);
        auto pem = Jwk::fromPrivatePem(privatePem(weak.get()));
        REQUIRE_FALSE(pem);
        CHECK(pem.error().code == ErrorCode::InvalidKey);
        KeyLimits lax;
        lax.minRsaBits = 1024;
        CHECK(Jwk::fromPublicJson(rsaPublicJwk(weak.get()), lax));
    }
    SUBCASE("e = 3 key made at test time")
    {
        auto smallExponent = generateRsa(2048, 3);
        CHECK(publicError(rsaPublicJwk(smallExponent.get())) == ErrorCode::InvalidKey);
        CHECK(Jwk::fromPrivatePem(privatePem(smallExponent.get())).error().code == ErrorCode::InvalidKey);
    }
    SUBCASE("other exponents and moduli")
    {
        const Json good = cookbookKey("3_3.rsa_public_key.json");
        REQUIRE(Jwk::fromPublicJson(good));
        for (const char *e : {"AQ", "Aw", "AQAA", "AQAC", "AQAAAAAAAAAB"}) {  // 1, 3, 65536, 65538, 2^64+1
            CAPTURE(e);
            CHECK(publicError(withMember(good, "e", e)) == ErrorCode::InvalidKey);
        }
        // Leading zero octets: not the minimal Base64urlUInt.
        const std::string n = *base64urlDecode(*good.findString("n"));
        CHECK(publicError(withMember(good, "n", base64urlEncode(std::string(1, '\0') + n))) ==
              ErrorCode::InvalidKey);
        CHECK(publicError(withMember(good, "e", "AAEAAQ")) == ErrorCode::InvalidKey);
        // An even modulus.
        std::string even = n;
        even.back() = static_cast<char>(even.back() & ~1);
        CHECK(publicError(withMember(good, "n", base64urlEncode(even))) == ErrorCode::InvalidKey);
        // A 16384-bit modulus is refused on its size alone, before any math.
        std::string huge(2048, '\x5a');
        huge.front() = '\xc3';
        huge.back() = '\x01';
        CHECK(publicError(withMember(good, "n", base64urlEncode(huge))) == ErrorCode::InvalidKey);
        KeyLimits strict;
        strict.minRsaBits = 3072;
        CHECK(publicError(good, strict) == ErrorCode::InvalidKey);
        CHECK(publicError(withMember(good, "n", Json())) == ErrorCode::InvalidKey);
        CHECK(publicError(withMember(good, "n", 12)) == ErrorCode::Malformed);
        CHECK(publicError(withMember(good, "n", *good.findString("n") + "=")) == ErrorCode::Malformed);
    }
}

TEST_CASE("EC and OKP keys: points off the curve, wrong lengths, unknown curves (C11)")
{
    const Json p521 = cookbookKey("3_1.ec_public_key.json");
    const std::string y = *base64urlDecode(*p521.findString("y"));
    std::string offCurve = y;
    offCurve.back() = static_cast<char>(offCurve.back() ^ 1);
    CHECK(publicError(withMember(p521, "y", base64urlEncode(offCurve))) == ErrorCode::InvalidKey);
    // A coordinate one byte short (the leading zero byte of x dropped) or long.
    const std::string x = *base64urlDecode(*p521.findString("x"));
    CHECK(publicError(withMember(p521, "x", base64urlEncode(x.substr(1)))) == ErrorCode::InvalidKey);
    CHECK(publicError(withMember(p521, "x", base64urlEncode(std::string(1, '\0') + x))) == ErrorCode::InvalidKey);
    // P-521 coordinates presented as another curve.
    CHECK(publicError(withMember(p521, "crv", "P-384")) == ErrorCode::InvalidKey);
    for (const char *crv : {"secp256k1", "P-192", "p-521", "Ed25519", ""})
        CHECK(publicError(withMember(p521, "crv", crv)) == ErrorCode::InvalidKey);
    CHECK(publicError(withMember(p521, "crv", Json())) == ErrorCode::InvalidKey);
    // The point at infinity cannot be written with full-width coordinates
    // that are on the curve; all-zero coordinates are off it.
    const std::string zeros(66, '\0');
    CHECK(publicError(withMember(withMember(p521, "x", base64urlEncode(zeros)), "y", base64urlEncode(zeros))) ==
          ErrorCode::InvalidKey);

    Json ed = loadSharedJson("jose-vectors/ietf-jose-cookbook/curve25519/jws.json").find("input")->find("key")->asObject();
    ed.erase("d");
    const std::string edX = *base64urlDecode(*ed.findString("x"));
    CHECK(publicError(withMember(ed, "x", base64urlEncode(edX.substr(1)))) == ErrorCode::InvalidKey);
    for (const char *crv : {"X25519", "Ed448", "P-256"})
        CHECK(publicError(withMember(ed, "crv", crv)) == ErrorCode::InvalidKey);
    for (const char *kty : {"oct", "ec", "RSA-PSS", ""})
        CHECK(publicError(withMember(ed, "kty", kty)) == ErrorCode::InvalidKey);
    CHECK(publicError(withMember(ed, "kty", Json())) == ErrorCode::InvalidKey);
    CHECK(publicError(Json("not an object")) == ErrorCode::Malformed);
}

TEST_CASE("private members make a public JWK invalid; a private part must match (C11)")
{
    const Json pub = cookbookKey("3_3.rsa_public_key.json");
    for (const char *member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
        CAPTURE(member);
        CHECK(publicError(withMember(pub, member, "AQAB")) == ErrorCode::InvalidKey);
    }
    // The 3.2 private scalar with another key's public point.
    Json mixed = cookbookKey("3_2.ec_private_key.json");
    auto other = Jwk::generate(JwsAlgorithm::ES512);
    REQUIRE(other);
    const Json otherPublic = other->toPublicJson();
    mixed.set("x", *otherPublic.findString("x"));
    mixed.set("y", *otherPublic.findString("y"));
    CHECK(Jwk::fromPrivateJson(mixed).error().code == ErrorCode::InvalidKey);
    // RSA with a changed d; RSA without its CRT members.
    Json rsa = cookbookKey("3_4.rsa_private_key.json");
    std::string d = *base64urlDecode(*rsa.findString("d"));
    d.back() = static_cast<char>(d.back() ^ 2);
    CHECK(Jwk::fromPrivateJson(withMember(rsa, "d", base64urlEncode(d))).error().code == ErrorCode::InvalidKey);
    CHECK(Jwk::fromPrivateJson(withMember(rsa, "qi", Json())).error().code == ErrorCode::InvalidKey);
    CHECK(Jwk::fromPrivateJson(withMember(rsa, "oth", Json::array())).error().code == ErrorCode::InvalidKey);
    // Ed25519 whose d does not give x.
    Json ed = loadSharedJson("jose-vectors/ietf-jose-cookbook/curve25519/jws.json").find("input")->find("key")->asObject();
    REQUIRE(Jwk::fromPrivateJson(ed));
    ed.set("x", *other->toPublicJson().findString("x"));
    CHECK_FALSE(Jwk::fromPrivateJson(ed));
}

TEST_CASE("supports(): kty, crv, alg, use and key_ops must all agree (C03)")
{
    const Json p521 = cookbookKey("3_1.ec_public_key.json");  // has "use":"sig"
    auto check = [&](const Json &jwk, JwsAlgorithm alg) {
        auto key = Jwk::fromPublicJson(jwk);
        REQUIRE(key);
        return key->supports(alg);
    };
    CHECK(check(p521, JwsAlgorithm::ES512));
    CHECK(check(withMember(p521, "alg", "ES512"), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "alg", "ES521"), JwsAlgorithm::ES512));  // not a JWA name
    CHECK_FALSE(check(withMember(p521, "alg", "ES256"), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "use", "enc"), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "use", ""), JwsAlgorithm::ES512));
    CHECK(check(withMember(p521, "key_ops", json(R"(["verify"])")), JwsAlgorithm::ES512));
    CHECK(check(withMember(p521, "key_ops", json(R"(["sign"])")), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "key_ops", json(R"(["encrypt"])")), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "key_ops", json(R"(["sign, verify"])")), JwsAlgorithm::ES512));
    CHECK_FALSE(check(withMember(p521, "key_ops", Json::array()), JwsAlgorithm::ES512));
    CHECK(publicError(withMember(p521, "key_ops", json(R"(["verify","verify"])"))) == ErrorCode::InvalidKey);
    CHECK(publicError(withMember(p521, "key_ops", "verify")) == ErrorCode::Malformed);
    CHECK(publicError(withMember(p521, "use", 1)) == ErrorCode::Malformed);
    CHECK(publicError(withMember(p521, "alg", Json::array())) == ErrorCode::Malformed);
    CHECK(publicError(withMember(p521, "kid", 7)) == ErrorCode::Malformed);

    const Json rsa = cookbookKey("3_3.rsa_public_key.json");
    CHECK(check(withMember(rsa, "alg", "PS256"), JwsAlgorithm::PS256));
    CHECK_FALSE(check(withMember(rsa, "alg", "RS256"), JwsAlgorithm::PS256));
    CHECK_FALSE(check(withMember(rsa, "alg", "HS256"), JwsAlgorithm::RS256));

    // A key whose key_ops allows only "sign" cannot verify.
    auto signOnly = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(signOnly);
    auto compact = signJws(Json(), "x", *signOnly);
    REQUIRE(compact);
    auto restricted = Jwk::fromPublicJson(withMember(signOnly->toPublicJson(), "key_ops", json(R"(["sign"])")));
    REQUIRE(restricted);
    CHECK(Jws::parse(*compact)->verifyWith(*restricted).error().code == ErrorCode::InvalidKey);
}

TEST_CASE("JwkSet: parsing rules (C04, C06, C11)")
{
    auto a = Jwk::generate(JwsAlgorithm::ES256);
    auto b = Jwk::generate(JwsAlgorithm::RS256);
    REQUIRE(a);
    REQUIRE(b);
    const Json aPub = a->toPublicJson();
    const Json bPub = b->toPublicJson();
    auto set = [](std::vector<Json> keys) { return Json(Json::Object{{"keys", Json(Json::Array(std::move(keys)))}}); };
    auto code = [](const Json &jwks) {
        auto parsed = JwkSet::fromJson(jwks);
        REQUIRE_FALSE(parsed);
        return parsed.error().code;
    };

    auto good = JwkSet::fromJson(set({aPub, bPub}));
    REQUIRE(good);
    CHECK(good->keys().size() == 2);
    REQUIRE(good->find(a->kid()));
    CHECK(good->find(a->kid())->thumbprint() == a->thumbprint());
    CHECK(good->find(a->kid().substr(1)) == nullptr);
    CHECK(good->find("") == nullptr);
    CHECK(JwkSet::fromJson(good->toJson())->keys().size() == 2);
    CHECK(JwkSet::fromJson(set({}))->empty());

    CHECK(code(Json::array()) == ErrorCode::Malformed);
    CHECK(code(json("{}")) == ErrorCode::Malformed);
    CHECK(code(json(R"({"keys":{}})")) == ErrorCode::Malformed);
    CHECK(code(set({Json("x")})) == ErrorCode::Malformed);
    CHECK(code(set({withMember(aPub, "kid", Json())})) == ErrorCode::InvalidKey);
    CHECK(code(set({withMember(aPub, "kid", "")})) == ErrorCode::InvalidKey);
    CHECK(code(set({withMember(aPub, "kid", 5)})) == ErrorCode::InvalidKey);
    CHECK(code(set({aPub, withMember(bPub, "kid", a->kid())})) == ErrorCode::InvalidKey);
    CHECK(code(set({aPub, a->toPrivateJson()})) == ErrorCode::InvalidKey);
    CHECK(code(set({aPub, withMember(cookbookKey("3_5.symmetric_key_mac_computation.json"), "kid", "s")})) ==
          ErrorCode::InvalidKey);

    auto fromKeys = JwkSet::fromKeys({*a, *b});
    REQUIRE(fromKeys);
    for (const Jwk &key : fromKeys->keys())
        CHECK_FALSE(key.hasPrivate());
    CHECK(fromKeys->toJson() == set({aPub, bPub}));
    CHECK(JwkSet::fromKeys({*a, b->withKid(a->kid())}).error().code == ErrorCode::InvalidKey);
    CHECK(JwkSet::fromKeys({a->withKid("")}).error().code == ErrorCode::InvalidKey);
}

TEST_CASE("JwkSet: a set larger than maxKeysPerSet is refused before any key is read (B10)")
{
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    auto setOf = [&](std::size_t count) {
        Json keys = Json::array();
        for (std::size_t i = 0; i < count; ++i)
            keys.push(withMember(key->toPublicJson(), "kid", "k" + std::to_string(i)));
        Json jwks = Json::object();
        jwks.set("keys", std::move(keys));
        return jwks;
    };
    KeyLimits limits;
    REQUIRE(limits.maxKeysPerSet == 64);
    auto atLimit = JwkSet::fromJson(setOf(64), limits);
    REQUIRE_MESSAGE(atLimit, atLimit.error().describe());
    CHECK(atLimit->keys().size() == 64);
    auto over = JwkSet::fromJson(setOf(65), limits);
    REQUIRE_FALSE(over);
    CHECK(over.error().code == ErrorCode::LimitExceeded);
    CHECK(over.error().claim == "keys");
    // The limit is checked first: an oversized set of garbage is still LimitExceeded.
    Json garbage = Json::object();
    Json entries = Json::array();
    for (int i = 0; i < 1000; ++i)
        entries.push("not a key");
    garbage.set("keys", std::move(entries));
    CHECK(JwkSet::fromJson(garbage, limits).error().code == ErrorCode::LimitExceeded);
    limits.maxKeysPerSet = 2;
    CHECK(JwkSet::fromJson(setOf(3), limits).error().code == ErrorCode::LimitExceeded);
}
