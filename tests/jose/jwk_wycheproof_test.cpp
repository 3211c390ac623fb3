#include <doctest/doctest.h>

#include <map>

#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::loadSharedJson;

// Wycheproof json_web_key_test.json: each group holds a JWK Set; each test a
// JWS to verify with it. "invalid" means the keyset or the key must be
// rejected. We use the group's public set, or its private set when it has no
// public one (the symmetric groups).
namespace {

enum class Outcome { Accepted, KeySetRejected, VerifyRejected };

// Cases labelled "valid" that oidfed rejects by design: OpenID Federation
// forbids symmetric signatures, so HMAC (HS*) and oct keys never verify.
const std::map<int, const char *> kJwkOverrides = {
    {2, "HS256 over an oct keyset: HMAC is never supported"},
    {13, "HS256 with a long oct key: HMAC is never supported"},
    {14, "HS384 with a long oct key: HMAC is never supported"},
    {15, "HS512 with a long oct key: HMAC is never supported"},
};

// Where each case is expected to stop. Every rejection is an InvalidKey.
const std::map<int, Outcome> kJwkExpected = {
    {1, Outcome::KeySetRejected},   // mixed oct + EC private keys
    {2, Outcome::KeySetRejected},   // override: oct
    {3, Outcome::KeySetRejected},   // oct
    {4, Outcome::KeySetRejected},   // oct keys with a duplicate kid
    {5, Outcome::Accepted},         // RS256
    {6, Outcome::VerifyRejected},   // use "enc", alg RSA1_5
    {7, Outcome::KeySetRejected},   // ROCA modulus
    {8, Outcome::KeySetRejected},   // RSA-1024
    {9, Outcome::KeySetRejected},   // e = 1
    {10, Outcome::KeySetRejected},  // short HMAC keys (oct)
    {11, Outcome::KeySetRejected},
    {12, Outcome::KeySetRejected},
    {13, Outcome::KeySetRejected},  // override: oct
    {14, Outcome::KeySetRejected},  // override: oct
    {15, Outcome::KeySetRejected},  // override: oct
    {16, Outcome::KeySetRejected},  // empty HMAC keys (oct)
    {17, Outcome::KeySetRejected},
    {18, Outcome::KeySetRejected},
    {19, Outcome::VerifyRejected},  // key alg "ES521" on a P-256 key, header ES256
    {20, Outcome::VerifyRejected},  // key alg "ES224"
    {21, Outcome::VerifyRejected},  // use "enc"
    {22, Outcome::KeySetRejected},  // point off the curve
    {23, Outcome::KeySetRejected},  // P-256 coordinates labelled P-384
    {24, Outcome::KeySetRejected},  // EC members under kty RSA
    {25, Outcome::KeySetRejected},  // AES keys (oct)
    {26, Outcome::KeySetRejected},
};

} // namespace

TEST_CASE("Wycheproof json_web_key_test.json: every case")
{
    const Json file = loadSharedJson("jose-vectors/wycheproof/testvectors_v1/json_web_key_test.json");
    int cases = 0;
    int overridden = 0;
    for (const Json &group : file.find("testGroups")->asArray()) {
        const Json *publicSet = group.find("public");
        const Json &keyset = publicSet && !publicSet->isNull() ? *publicSet : *group.find("private");
        auto keys = JwkSet::fromJson(keyset);
        for (const Json &test : group.find("tests")->asArray()) {
            const int tcId = static_cast<int>(test.find("tcId")->asInt());
            const bool labelledValid = *test.findString("result") == "valid";
            CAPTURE(tcId);
            CAPTURE(*test.findString("comment"));
            ++cases;

            Outcome outcome = Outcome::Accepted;
            ErrorCode code = ErrorCode::Internal;
            if (!keys) {
                outcome = Outcome::KeySetRejected;
                code = keys.error().code;
            } else {
                auto jws = Jws::parse(*test.findString("jws"));
                REQUIRE(jws);  // every JWS in this file is well formed
                auto verified = jws->verify(*keys);
                if (!verified) {
                    outcome = Outcome::VerifyRejected;
                    code = verified.error().code;
                }
            }

            REQUIRE(kJwkExpected.count(tcId) == 1);
            CHECK(outcome == kJwkExpected.at(tcId));
            if (outcome != Outcome::Accepted)
                CHECK(code == ErrorCode::InvalidKey);
            const bool expectValid = labelledValid && kJwkOverrides.count(tcId) == 0;
            CHECK((outcome == Outcome::Accepted) == expectValid);
            if (kJwkOverrides.count(tcId)) {
                CHECK(labelledValid);  // an override must change a verdict
                ++overridden;
            }
        }
    }
    CHECK(cases == file.find("numberOfTests")->asInt());
    CHECK(cases == static_cast<int>(kJwkExpected.size()));
    CHECK(overridden == static_cast<int>(kJwkOverrides.size()));
    MESSAGE("Wycheproof JWK cases: " << cases << ", overridden: " << overridden);
}
