#include <doctest/doctest.h>

#include <oidfed/entity_statement.h>
#include <oidfed/statement_issuer.h>

#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

EntityId id(const char *text)
{
    return *EntityId::parse(text);
}

} // namespace

TEST_CASE("issue, parse back and verify an Entity Configuration and a Subordinate Statement")
{
    for (JwsAlgorithm alg : {JwsAlgorithm::ES256, JwsAlgorithm::RS256, JwsAlgorithm::EdDSA}) {
        CAPTURE(jwsAlgorithmName(alg));
        auto leafKey = Jwk::generate(alg);
        auto taKey = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(leafKey);
        REQUIRE(taKey);
        auto leafKeys = JwkSet::fromKeys({*leafKey});
        REQUIRE(leafKeys);

        EntityConfigurationClaims ec{.entityId = id("https://leaf.example")};
        ec.issuedAt = 1000;
        ec.expiresAt = 2000;
        ec.jwks = *leafKeys;
        ec.metadata = json(R"({"openid_relying_party":{"client_name":"Leaf"}})");
        ec.authorityHints = {id("https://ta.example")};
        auto ecJwt = issueEntityConfiguration(ec, *leafKey);
        REQUIRE_MESSAGE(ecJwt, ecJwt.error().describe());
        auto parsedEc = EntityStatement::parse(*ecJwt);
        REQUIRE(parsedEc);
        CHECK(parsedEc->isEntityConfiguration());
        CHECK(parsedEc->jws().alg() == alg);
        CHECK(parsedEc->claim("metadata")->dump() == R"({"openid_relying_party":{"client_name":"Leaf"}})");
        CHECK(parsedEc->verifySignature(parsedEc->jwks()).has_value());
        // The private key never appears in what is published.
        CHECK(parsedEc->claim("jwks")->dump().find("\"d\"") == std::string::npos);

        SubordinateStatementClaims ss{.issuer = id("https://ta.example"), .subject = id("https://leaf.example")};
        ss.issuedAt = 1000;
        ss.expiresAt = 1500;
        ss.jwks = *leafKeys;
        ss.metadataPolicy = json(R"({"openid_relying_party":{"scope":{"subset_of":["openid"]}}})");
        ss.constraints = json(R"({"max_path_length":0})");
        ss.sourceEndpoint = "https://ta.example/fetch";
        auto ssJwt = issueSubordinateStatement(ss, *taKey);
        REQUIRE_MESSAGE(ssJwt, ssJwt.error().describe());
        auto parsedSs = EntityStatement::parse(*ssJwt);
        REQUIRE(parsedSs);
        CHECK_FALSE(parsedSs->isEntityConfiguration());
        CHECK(checkIssuerIsAuthorityHint(*parsedSs, *parsedEc).has_value());
        CHECK(parsedSs->verifySignature(*JwkSet::fromKeys({*taKey})).has_value());
        CHECK(parsedEc->verifySignature(parsedSs->jwks()).has_value());
    }
}

TEST_CASE("issuing refuses inconsistent input")
{
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    auto other = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    REQUIRE(other);
    EntityConfigurationClaims ec{.entityId = id("https://leaf.example")};
    ec.issuedAt = 1000;
    ec.expiresAt = 2000;
    ec.jwks = *JwkSet::fromKeys({*other});
    auto r = issueEntityConfiguration(ec, *key);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);

    ec.jwks = *JwkSet::fromKeys({*key});
    ec.extraClaims = json(R"({"iss":"https://evil.example"})");
    r = issueEntityConfiguration(ec, *key);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);

    // The issuer applies the receiver's rules: iat after exp is refused.
    ec.extraClaims = Json::object();
    ec.issuedAt = 3000;
    r = issueEntityConfiguration(ec, *key);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidClaim);

    SubordinateStatementClaims ss{.issuer = id("https://leaf.example"), .subject = id("https://leaf.example")};
    ss.jwks = *JwkSet::fromKeys({*key});
    CHECK(issueSubordinateStatement(ss, *key).error().code == ErrorCode::InvalidArgument);
}
