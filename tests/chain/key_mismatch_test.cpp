// Messages for signatures that do not verify (issue 21 section 2): a key
// mismatch names the statement, the kid it is signed with, the kids that
// were available and where they came from, and the likely cause with what to
// do. The error's code, rule and entity are checked first; the text is what
// the operator reads, so its key facts are checked too.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/jws.h>
#include <oidfed/resolver.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

constexpr UnixTime kNow = 1767800000;
const std::string kTa = "https://ta.example";
const std::string kIm = "https://im.example";
const std::string kRp = "https://rp.example";

ChainValidationOptions testOptions()
{
    ChainValidationOptions options;
    options.statements.entityIds.allowHttp = true;
    return options;
}

test::TestFederation threeLevels()
{
    test::TestFederation fed;
    fed.add(kTa, test::authorityMetadata(kTa));
    fed.add(kIm, test::authorityMetadata(kIm), {kTa});
    fed.add(kRp, json(R"({"openid_relying_party":{"client_name":"RP"}})"), {kIm});
    return fed;
}

bool says(const Error &error, const std::string &text)
{
    return error.message.find(text) != std::string::npos;
}

} // namespace

TEST_CASE("the anchor signs with a key the pin does not hold: the pin file and oidfed keys pin are named")
{
    test::TestFederation fed = threeLevels();
    TrustAnchor pin = fed.anchor(kTa);
    pin.source = "pins/ta.json";
    const std::string oldKid = fed.entity(kTa).key.kid();
    test::TestFederation rotated = fed;
    rotated.add(kTa, test::authorityMetadata(kTa));  // a new key K2
    const std::string newKid = rotated.entity(kTa).key.kid();
    std::vector<std::string> jwts{fed.entityConfiguration(kRp), fed.subordinateStatement(kIm, kRp),
                                  rotated.subordinateStatement(kTa, kIm), rotated.entityConfiguration(kTa)};
    auto chain = validateTrustChain(jwts, std::vector<TrustAnchor>{pin}, kNow, testOptions());
    REQUIRE_FALSE(chain);
    const Error &error = chain.error();
    CHECK(error.code == ErrorCode::KeyNotFound);
    CHECK(error.rule == "3.2 signature");
    CHECK(error.entityId == kTa);
    CHECK(says(error, "the trust anchor's Entity Configuration (" + kTa + ") is signed with kid \"" + newKid + "\""));
    CHECK(says(error, "not among the pinned keys of trust anchor " + kTa + " (from pins/ta.json) (kid " + oldKid + ")"));
    CHECK(says(error, "the trust anchor rotated its key"));
    CHECK(says(error, "oidfed keys pin --dir KEYS_DIR --entity-id " + kTa));
}

TEST_CASE("the superior still vouches for the old key: ask it to refresh its Subordinate Statement")
{
    test::TestFederation fed = threeLevels();
    const std::string oldKid = fed.entity(kIm).key.kid();
    test::TestFederation rotated = fed;
    rotated.add(kIm, test::authorityMetadata(kIm), {kTa});  // im now signs with K2
    const std::string newKid = rotated.entity(kIm).key.kid();
    std::vector<std::string> jwts{fed.entityConfiguration(kRp), rotated.subordinateStatement(kIm, kRp),
                                  fed.subordinateStatement(kTa, kIm), fed.entityConfiguration(kTa)};
    auto chain = validateTrustChain(jwts, std::vector<TrustAnchor>{fed.anchor(kTa)}, kNow, testOptions());
    REQUIRE_FALSE(chain);
    const Error &error = chain.error();
    CHECK(error.code == ErrorCode::KeyNotFound);
    CHECK(error.rule == "3.2 signature");
    CHECK(error.entityId == kIm);
    CHECK(says(error, "the Subordinate Statement of " + kIm + " about " + kRp + " is signed with kid \"" + newKid + "\""));
    CHECK(says(error, "not among the keys " + kTa + " vouches for in the Subordinate Statement of " + kTa + " about " +
                          kIm + " (kid " + oldKid + ")"));
    CHECK(says(error, kTa + " still vouches for the old one: ask " + kTa + " to refresh its Subordinate Statement about " +
                          kIm));
    CHECK(says(error, "oidfed subordinate add " + kIm));
}

TEST_CASE("the anchor signs a statement with a key its own Entity Configuration does not publish")
{
    test::TestFederation fed = threeLevels();
    test::TestFederation rotated = fed;
    rotated.add(kTa, test::authorityMetadata(kTa));
    std::vector<std::string> jwts{fed.entityConfiguration(kRp), fed.subordinateStatement(kIm, kRp),
                                  rotated.subordinateStatement(kTa, kIm), fed.entityConfiguration(kTa)};
    auto chain = validateTrustChain(jwts, std::vector<TrustAnchor>{fed.anchor(kTa)}, kNow, testOptions());
    REQUIRE_FALSE(chain);
    const Error &error = chain.error();
    CHECK(error.code == ErrorCode::KeyNotFound);
    CHECK(error.entityId == kTa);
    CHECK(says(error, "the Subordinate Statement of " + kTa + " about " + kIm + " is signed with kid \"" +
                          rotated.entity(kTa).key.kid() + "\""));
    CHECK(says(error, "not among the jwks of the trust anchor's Entity Configuration (" + kTa + ")"));
    CHECK(says(error, kTa + " signs with a key that its own Entity Configuration does not publish"));
}

TEST_CASE("a key of the right kid that does not verify: the pin is named, and a replaced key as the cause")
{
    test::TestFederation fed = threeLevels();
    auto other = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(other);
    const std::string kid = fed.entity(kTa).key.kid();
    auto impostor = JwkSet::fromKeys({other->withKid(kid)});
    REQUIRE(impostor);
    TrustAnchor pin{fed.anchor(kTa).entityId, *impostor};
    std::vector<std::string> jwts{fed.entityConfiguration(kRp), fed.subordinateStatement(kIm, kRp),
                                  fed.subordinateStatement(kTa, kIm), fed.entityConfiguration(kTa)};
    auto chain = validateTrustChain(jwts, std::vector<TrustAnchor>{pin}, kNow, testOptions());
    REQUIRE_FALSE(chain);
    const Error &error = chain.error();
    CHECK(error.code == ErrorCode::BadSignature);
    CHECK(error.entityId == kTa);
    CHECK(says(error, "the trust anchor's Entity Configuration (" + kTa + ") (kid \"" + kid +
                          "\", ES256) does not verify with the key of that kid in the pinned keys of trust anchor " +
                          kTa));
    CHECK(says(error, "replaced the key behind kid \"" + kid + "\""));
}

TEST_CASE("an Entity Configuration signed with a key it does not publish itself (10.1 self-signature)")
{
    test::TestFederation fed = threeLevels();
    auto other = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(other);
    auto published = JwkSet::fromKeys({*other});
    REQUIRE(published);
    // Its Entity Configuration publishes only the other key, and is still
    // signed with its own (the issuing side refuses that: signed here by hand).
    auto jws = Jws::parse(fed.entityConfiguration(kRp));
    REQUIRE(jws);
    auto payload = jws->payloadJson();
    REQUIRE(payload);
    payload->set("jwks", published->toJson());
    Json header = Json::object();
    header.set("typ", "entity-statement+jwt");
    auto forged = signJws(header, payload->dump(), fed.entity(kRp).key);
    REQUIRE(forged);
    test::FakeFetcher fetcher;
    test::FakeClock clock{kNow};
    fetcher.serve(test::wellKnown(kRp), *forged);
    ResolverOptions options;
    options.statements.entityIds.allowHttp = true;
    auto resolver = Resolver::create(options, {fed.anchor(kTa)}, {fetcher, clock});
    REQUIRE(resolver);
    auto outcome = (*resolver)->resolve({.subject = kRp});
    REQUIRE_FALSE(outcome.chain);
    const Error &error = outcome.chain.error();
    CHECK(error.code == ErrorCode::KeyNotFound);
    CHECK(error.rule == "10.1 self-signature");
    CHECK(error.entityId == kRp);
    CHECK(says(error, "the Entity Configuration of " + kRp + " is signed with kid \"" + fed.entity(kRp).key.kid() +
                          "\" (ES256), which is not among its own jwks (" + kRp + ") (kid " + other->kid() + ")"));
    CHECK(says(error, kRp + " signs its Entity Configuration with a key it does not publish in it"));
}
