// Every case of Wycheproof json_web_signature_test.json, with its verdict.
//
// Each group has a key (its "public" JWK, or its "private" one when it has
// no public one: the symmetric groups) and tests {tcId, jws, result}. We load
// the key as a one-key JWK Set through JwkSet::fromJson, parse the JWS with
// Jws::parse (a JSON-serialized "jws" is passed as its JSON text) and verify
// it with Jws::verify. A case is "accepted" when all three succeed.
//
// The labels are followed except for the cases listed in the two tables
// below, each with its reason. Every case is counted, and the count must
// equal numberOfTests, so none can be skipped silently.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::loadSharedJson;

namespace {

constexpr const char *kHmacNeverSupported =
    "HMAC (HS*) with an oct key: OpenID Federation forbids symmetric signatures for entity statements and "
    "oidfed never supports none or HMAC, so this valid MAC is rejected";

// Cases labelled "valid" that oidfed rejects by design.
const std::map<int, const char *> kByDesign = {
    {1, kHmacNeverSupported},   // hs256 acceptsValid
    {348, kHmacNeverSupported}, // rfc7520 Figure35 (RFC 7520 4.4)
    {352, kHmacNeverSupported}, // rfc7520 Figure35, second copy
    {357, kHmacNeverSupported}, // base64 ValidMac
    {358, kHmacNeverSupported}, // base64 ValidEdgeCaseMac
    {359, kHmacNeverSupported}, // base64 ValidEdgeCaseMac
    {376, kHmacNeverSupported}, // base64 ValidSpacesInJsonHeader
    {377, kHmacNeverSupported}, // base64 ValidWhiteSpaceInJsonHeader
};

// Upstream errata listed in shared/jose-vectors/README.md. `flips` says
// whether our verdict differs from the label.
struct Erratum {
    bool flips;
    const char *reason;
};

const std::map<int, Erratum> kErrata = {
    {367, {false, "labelled invalid but byte-identical to 357 (ValidMac), C2SP/wycheproof#236; we reject it "
                  "because HS256 is never supported, which matches the label for another reason"}},
    {370, {false, "same as 367: a copy of 357 labelled invalid; rejected here as HS256"}},
    {372, {true, "labelled valid but the header segment holds a '?': RFC 7515 requires strict base64url, so "
                 "Jws::parse rejects it as Malformed whatever the key (and the key here is an oct key)"}},
    {373, {true, "labelled valid but the payload segment holds a '?': Malformed, as 372"}},
    {346, {true, "labelled valid, but the group key says alg PS256 while the header says PS384; we enforce key "
                 "alg == header alg, as tcIds 332-340 require (InvalidKey)"}},
    {350, {true, "as 346, with key_ops [\"verify\"]: key alg PS256, header PS384 (InvalidKey)"}},
    {347, {true, "labelled valid, but the group key says alg \"ES521\" (not a JWA name) while the header says "
                 "ES512; key alg must equal header alg (InvalidKey)"}},
    {351, {true, "as 347, with key_ops [\"verify\"] (InvalidKey)"}},
    {349, {false, "the README warns that key_ops [\"sign, verify\"] (one string) fails a strict check; that "
                  "value is only on the group's private JWK. We verify with the public JWK, whose key_ops is "
                  "[\"verify\"], so the label (valid) stands and the case is accepted"}},
};

struct Verdict {
    bool accepted = false;
    ErrorCode code = ErrorCode::Internal;
};

Verdict judge(const Json &group, const Json &test)
{
    const Json *publicKey = group.find("public");
    const Json &key = publicKey && !publicKey->isNull() ? *publicKey : *group.find("private");
    auto keys = JwkSet::fromJson(Json(Json::Object{{"keys", Json(Json::Array{key})}}));
    if (!keys)
        return {false, keys.error().code};
    const Json &jwsValue = *test.find("jws");
    const std::string compact = jwsValue.isString() ? jwsValue.asString() : jwsValue.dump();
    auto jws = Jws::parse(compact);
    if (!jws)
        return {false, jws.error().code};
    auto verified = jws->verify(*keys);
    if (!verified)
        return {false, verified.error().code};
    return {true, ErrorCode::Internal};
}

} // namespace

TEST_CASE("Wycheproof json_web_signature_test.json: every case")
{
    const Json file = loadSharedJson("jose-vectors/wycheproof/testvectors_v1/json_web_signature_test.json");
    int cases = 0;
    int accepted = 0;
    int labelledValid = 0;
    int byDesign = 0;
    int errataFlipped = 0;
    for (const Json &group : file.find("testGroups")->asArray()) {
        for (const Json &test : group.find("tests")->asArray()) {
            const int tcId = static_cast<int>(test.find("tcId")->asInt());
            const bool valid = *test.findString("result") == "valid";
            CAPTURE(tcId);
            CAPTURE(*test.findString("comment"));
            ++cases;
            labelledValid += valid;

            bool expectAccepted = valid;
            if (auto it = kByDesign.find(tcId); it != kByDesign.end()) {
                CHECK(valid);
                expectAccepted = false;
                ++byDesign;
            }
            if (auto it = kErrata.find(tcId); it != kErrata.end()) {
                if (it->second.flips) {
                    expectAccepted = !valid;
                    ++errataFlipped;
                }
            }

            const Verdict verdict = judge(group, test);
            CHECK(verdict.accepted == expectAccepted);
            accepted += verdict.accepted;
        }
    }
    CHECK(cases == file.find("numberOfTests")->asInt());
    CHECK(cases == 401);
    CHECK(byDesign == static_cast<int>(kByDesign.size()));
    CHECK(errataFlipped == 6);
    CHECK(labelledValid == 46);
    CHECK(accepted == labelledValid - byDesign - errataFlipped);
    MESSAGE("Wycheproof JWS: " << cases << " cases, " << labelledValid << " labelled valid, " << accepted
                               << " accepted; " << byDesign << " valid HMAC cases rejected by design, "
                               << errataFlipped << " errata verdicts flipped");
}

TEST_CASE("Wycheproof errata reasons, checked by error code")
{
    const Json file = loadSharedJson("jose-vectors/wycheproof/testvectors_v1/json_web_signature_test.json");
    const std::map<int, ErrorCode> expected = {
        {367, ErrorCode::InvalidKey},  // the oct key is refused before the JWS is read
        {370, ErrorCode::InvalidKey},
        {372, ErrorCode::InvalidKey},
        {373, ErrorCode::InvalidKey},
        {346, ErrorCode::InvalidKey},
        {347, ErrorCode::InvalidKey},
        {350, ErrorCode::InvalidKey},
        {351, ErrorCode::InvalidKey},
    };
    int seen = 0;
    for (const Json &group : file.find("testGroups")->asArray()) {
        for (const Json &test : group.find("tests")->asArray()) {
            const int tcId = static_cast<int>(test.find("tcId")->asInt());
            if (!kErrata.count(tcId))
                continue;
            CAPTURE(tcId);
            ++seen;
            const Verdict verdict = judge(group, test);
            if (tcId == 349) {
                CHECK(verdict.accepted);
                // With the private JWK's malformed key_ops the key may not verify.
                auto privateKey = Jwk::fromPrivateJson(*group.find("private"));
                REQUIRE(privateKey);
                auto jws = Jws::parse(*test.findString("jws"));
                REQUIRE(jws);
                CHECK(jws->verifyWith(*privateKey).error().code == ErrorCode::InvalidKey);
                continue;
            }
            CHECK_FALSE(verdict.accepted);
            CHECK(verdict.code == expected.at(tcId));
            // 372 and 373 are malformed on their own, whatever the key.
            if (tcId == 372 || tcId == 373)
                CHECK(Jws::parse(*test.findString("jws")).error().code == ErrorCode::Malformed);
        }
    }
    CHECK(seen == static_cast<int>(kErrata.size()));
}
