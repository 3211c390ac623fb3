// Signature checks over the OpenID Federation Figure 4 trust chain (RS256),
// shared/oidfed-vectors/spec/trust_chain_signed.json.
//
// In a chain [ES[0], ..., ES[n-1]]: ES[0] is the leaf's self-signed Entity
// Configuration; ES[j] is signed by a key of ES[j+1]'s "jwks" (the issuer of
// ES[j] is the subject of ES[j+1]); the last statement is signed by a key of
// the configured Trust Anchor's jwks. This file checks only the JWS layer:
// expiry, iss/sub linkage and Trust Anchor identity are checked elsewhere.

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include <oidfed/base64url.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::loadSharedJson;

namespace {

const Json &vectors()
{
    static const Json file = loadSharedJson("oidfed-vectors/spec/trust_chain_signed.json");
    return file;
}

JwkSet jwksOf(const Json &holder)
{
    const Json *jwks = holder.find("jwks");
    REQUIRE(jwks);
    auto set = JwkSet::fromJson(*jwks);
    REQUIRE(set);
    return *set;
}

std::vector<Jws> parseChain(const Json &testCase)
{
    std::vector<Jws> chain;
    for (const Json &statement : testCase.find("trust_chain")->asArray()) {
        auto jws = Jws::parse(statement.asString());
        REQUIRE(jws);
        chain.push_back(*jws);
    }
    return chain;
}

Json payloadOf(const Jws &jws)
{
    auto payload = jws.payloadJson();
    REQUIRE(payload);
    return *payload;
}

const Json &trustAnchorOf(const Json &testCase)
{
    const Json *override = testCase.find("configured_trust_anchor");
    return override ? *override : *vectors().find("meta")->find("configured_trust_anchor");
}

/// The first statement whose signature fails under the chain rule, with its
/// error code; index -1 when every signature verifies.
std::pair<int, ErrorCode> firstBadSignature(const Json &testCase)
{
    const std::vector<Jws> chain = parseChain(testCase);
    const JwkSet anchorKeys = jwksOf(trustAnchorOf(testCase));
    for (std::size_t j = 0; j < chain.size(); ++j) {
        const JwkSet keys = j + 1 < chain.size() ? jwksOf(payloadOf(chain[j + 1])) : anchorKeys;
        auto verified = chain[j].verify(keys);
        if (!verified)
            return {static_cast<int>(j), verified.error().code};
    }
    // The leaf's Entity Configuration is also signed by its own keys.
    auto self = chain.front().verify(jwksOf(payloadOf(chain.front())));
    if (!self)
        return {0, self.error().code};
    return {-1, ErrorCode::Internal};
}

const Json &caseNamed(std::string_view name)
{
    for (const Json &testCase : vectors().find("cases")->asArray())
        if (*testCase.findString("name") == name)
            return testCase;
    FAIL("no case " << name);
    throw;  // unreachable: FAIL throws
}

} // namespace

TEST_CASE("Figure 4: every statement verifies with the right keys and decodes to the published payload")
{
    const Json &full = caseNamed("valid-full-chain");
    const std::vector<Jws> chain = parseChain(full);
    REQUIRE(chain.size() == 4);
    const Json &decoded = *vectors().find("meta")->find("decoded");
    for (std::size_t j = 0; j < chain.size(); ++j) {
        CAPTURE(j);
        CHECK(chain[j].alg() == JwsAlgorithm::RS256);
        CHECK(chain[j].typ() == "entity-statement+jwt");
        CHECK(payloadOf(chain[j]) == *decoded.asArray()[j].find("payload"));
        CHECK(chain[j].header() == *decoded.asArray()[j].find("header"));
    }
    // ES[j] with the keys of ES[j+1]; the last with the configured TA keys.
    const JwkSet anchorKeys = jwksOf(trustAnchorOf(full));
    CHECK(chain[0].verify(jwksOf(payloadOf(chain[1]))));
    CHECK(chain[1].verify(jwksOf(payloadOf(chain[2]))));
    CHECK(chain[2].verify(jwksOf(payloadOf(chain[3]))));
    CHECK(chain[2].verify(anchorKeys));
    CHECK(chain[3].verify(anchorKeys));
    // Self-signed Entity Configurations: the leaf's and the TA's.
    CHECK(chain[0].verify(jwksOf(payloadOf(chain[0]))));
    CHECK(chain[3].verify(jwksOf(payloadOf(chain[3]))));
    // The kids are base64url of a thumbprint, not the thumbprint itself.
    const Jwk &anchorKey = anchorKeys.keys().front();
    CHECK(anchorKey.kid() != anchorKey.thumbprint());
    CHECK(*base64urlDecode(anchorKey.kid()) == anchorKey.thumbprint());
}

TEST_CASE("Figure 4: the wrong keys never verify")
{
    const std::vector<Jws> chain = parseChain(caseNamed("valid-full-chain"));
    const JwkSet anchorKeys = jwksOf(trustAnchorOf(caseNamed("valid-full-chain")));
    // A Subordinate Statement carries its subject's keys, not its issuer's.
    CHECK(chain[1].verify(jwksOf(payloadOf(chain[1]))).error().code == ErrorCode::KeyNotFound);
    CHECK(chain[2].verify(jwksOf(payloadOf(chain[2]))).error().code == ErrorCode::KeyNotFound);
    // Keys one step too far up or down.
    CHECK(chain[0].verify(jwksOf(payloadOf(chain[2]))).error().code == ErrorCode::KeyNotFound);
    CHECK(chain[0].verify(anchorKeys).error().code == ErrorCode::KeyNotFound);
    CHECK(chain[1].verify(anchorKeys).error().code == ErrorCode::KeyNotFound);
    CHECK(chain[1].verify(JwkSet()).error().code == ErrorCode::KeyNotFound);

    // Every statement against every other key of the chain, under the kid it
    // asks for: only its own issuer's key verifies it.
    std::vector<Jwk> allKeys;
    for (const Jws &statement : chain) {
        const JwkSet statementKeys = jwksOf(payloadOf(statement));
        allKeys.insert(allKeys.end(), statementKeys.keys().begin(), statementKeys.keys().end());
    }
    for (std::size_t j = 0; j < chain.size(); ++j) {
        const JwkSet issuerKeys = j + 1 < chain.size() ? jwksOf(payloadOf(chain[j + 1])) : anchorKeys;
        const Jwk *issuerKey = issuerKeys.find(chain[j].kid());
        REQUIRE(issuerKey);
        const std::string expectedModulus = *issuerKey->toPublicJson().findString("n");
        for (const Jwk &key : allKeys) {
            CAPTURE(j);
            CAPTURE(key.kid());
            const bool same = *key.toPublicJson().findString("n") == expectedModulus;
            auto renamed = JwkSet::fromKeys({key.withKid(chain[j].kid())});
            REQUIRE(renamed);
            auto verified = chain[j].verify(*renamed);
            CHECK(verified.has_value() == same);
            if (!same)
                CHECK(verified.error().code == ErrorCode::BadSignature);
        }
    }
}

TEST_CASE("trust_chain_signed.json cases at the signature layer")
{
    // Which statement fails its signature check, per case. Expiry, iat,
    // iss/sub order and the Trust Anchor's entity id are not JWS matters:
    // those cases verify here and are rejected by the claim checks.
    struct Expectation {
        int failingStatement;  // -1: all signatures verify
        ErrorCode code;
        const char *why;
    };
    const std::map<std::string, Expectation> expected = {
        {"valid-full-chain", {-1, ErrorCode::Internal, "valid"}},
        {"valid-without-ta-entity-configuration", {-1, ErrorCode::Internal, "ES[2] verified with the TA keys"}},
        {"expired", {-1, ErrorCode::Internal, "signatures are fine; exp is checked by the claim layer"}},
        {"not-yet-issued", {-1, ErrorCode::Internal, "signatures are fine; iat is checked by the claim layer"}},
        {"tampered-signature-es1", {1, ErrorCode::BadSignature, "ES[1]'s signature was altered"}},
        {"tampered-payload-es0", {0, ErrorCode::BadSignature, "ES[0]'s payload changed without re-signing"}},
        {"wrong-order",
         {0, ErrorCode::KeyNotFound,
          "ES[1] and ES[2] swapped: the new ES[1] carries the intermediate's keys, which lack the leaf's kid"}},
        {"unknown-trust-anchor",
         {-1, ErrorCode::Internal, "the other TA publishes the same key; the entity id mismatch is not a JWS matter"}},
    };
    int seen = 0;
    for (const Json &testCase : vectors().find("cases")->asArray()) {
        const std::string name = *testCase.findString("name");
        CAPTURE(name);
        REQUIRE(expected.count(name) == 1);
        const Expectation &want = expected.at(name);
        const std::string why = want.why;
        CAPTURE(why);
        const auto [index, code] = firstBadSignature(testCase);
        CHECK(index == want.failingStatement);
        if (index >= 0)
            CHECK(code == want.code);
        ++seen;
    }
    CHECK(seen == static_cast<int>(expected.size()));
}
