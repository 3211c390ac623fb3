// The pure chain validator (spec 10.2): the spec's Figure 4 chain, and
// federations built at run time to hit each rule.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/chain_validator.h>

#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

constexpr UnixTime kNow = 1767800000;

ChainValidationOptions testOptions()
{
    ChainValidationOptions options;
    options.statements.entityIds.allowHttp = true;
    return options;
}

// TA -> IM -> leaf (an RP), with a policy at each level.
test::TestFederation threeLevels()
{
    test::TestFederation fed;
    fed.add("https://ta.example", json(R"({"federation_entity":{"organization_name":"TA"}})"));
    fed.add("https://im.example", json(R"({"federation_entity":{"organization_name":"IM"}})"), {"https://ta.example"});
    fed.add("https://rp.example",
            json(R"({"openid_relying_party":{"client_name":"RP","grant_types":["authorization_code","implicit"],
                     "scope":"openid email"}})"),
            {"https://im.example"});
    return fed;
}

std::vector<std::string> chainOf(const test::TestFederation &fed, const test::SubordinateClaims &taAboutIm = {},
                                 const test::SubordinateClaims &imAboutRp = {})
{
    return {fed.entityConfiguration("https://rp.example"),
            fed.subordinateStatement("https://im.example", "https://rp.example", imAboutRp),
            fed.subordinateStatement("https://ta.example", "https://im.example", taAboutIm),
            fed.entityConfiguration("https://ta.example")};
}

} // namespace

TEST_CASE("Figure 4: every case of the signed chain gets its expected verdict")
{
    Json vectors = test::loadSharedJson("oidfed-vectors/spec/trust_chain_signed.json");
    const Json &meta = *vectors.find("meta");
    std::size_t cases = 0;
    for (const Json &c : vectors.find("cases")->asArray()) {
        CAPTURE(c.find("name")->asString());
        const Json &pin = c.contains("configured_trust_anchor") ? *c.find("configured_trust_anchor")
                                                                 : *meta.find("configured_trust_anchor");
        auto anchors = parseTrustAnchors(pin);
        REQUIRE(anchors);
        std::vector<std::string> jwts;
        for (const Json &jwt : c.find("trust_chain")->asArray())
            jwts.push_back(jwt.asString());
        // The vectors put "expired" one second after exp: they assume no leeway.
        ChainValidationOptions noLeeway;
        noLeeway.clockSkew = std::chrono::seconds(0);
        auto chain = validateTrustChain(jwts, *anchors, c.find("now")->asInt(), noLeeway);
        bool expectValid = c.find("expected")->asString() == "valid";
        CHECK_MESSAGE(chain.has_value() == expectValid, (chain ? "valid" : chain.error().describe()));
        if (chain && c.contains("expected_chain_exp"))
            CHECK(chain->expiresAt() == c.find("expected_chain_exp")->asInt());
        if (chain) {
            CHECK(chain->path().front() == chain->subject().str());
            CHECK(chain->trustAnchor().str() == "https://trust-anchor.example.org");
            CHECK(chain->metadata().isObject());
        }
        ++cases;
    }
    CHECK(cases == vectors.find("cases")->size());
}

TEST_CASE("a three-level chain validates, with metadata policy applied and provenance recorded")
{
    auto fed = threeLevels();
    test::SubordinateClaims taPolicy;
    taPolicy.metadataPolicy = json(R"({"openid_relying_party":{"grant_types":{"subset_of":["authorization_code","refresh_token"]}}})");
    test::SubordinateClaims imPolicy;
    imPolicy.metadataPolicy = json(R"({"openid_relying_party":{"contacts":{"add":["ops@im.example"]}}})");
    auto jwts = chainOf(fed, taPolicy, imPolicy);
    std::vector<TrustAnchor> anchors{fed.anchor("https://ta.example")};
    auto chain = validateTrustChain(jwts, anchors, kNow, testOptions());
    REQUIRE_MESSAGE(chain, chain.error().describe());
    const Json &rp = *chain->metadata().find("openid_relying_party");
    CHECK(*rp.find("grant_types") == json(R"(["authorization_code"])"));
    CHECK(*rp.find("contacts") == json(R"(["ops@im.example"])"));
    CHECK(chain->path() == std::vector<std::string>{"https://rp.example", "https://im.example", "https://ta.example"});
    CHECK(chain->statements().size() == 4);
    CHECK(chain->expiresAt() == fed.exp());
    bool sawGrantTypes = false;
    for (const ParameterChange &change : chain->provenance())
        if (change.parameter == "grant_types") {
            sawGrantTypes = true;
            CHECK(change.source == "subset_of");
            CHECK(change.issuers == std::vector<std::string>{"https://ta.example"});
        }
    CHECK(sawGrantTypes);

    // Without the trust anchor's Entity Configuration (spec 4: it MAY be omitted).
    jwts.pop_back();
    CHECK(validateTrustChain(jwts, anchors, kNow, testOptions()).has_value());
    // Restricted to requested entity types.
    ChainValidationOptions only = testOptions();
    only.entityTypes = {"openid_provider"};
    auto restricted = validateTrustChain(jwts, anchors, kNow, only);
    REQUIRE(restricted);
    CHECK(restricted->metadata().size() == 0);
}

TEST_CASE("each link rule rejects the chain with the statement and rule named")
{
    auto fed = threeLevels();
    std::vector<TrustAnchor> anchors{fed.anchor("https://ta.example")};
    auto good = chainOf(fed);
    REQUIRE(validateTrustChain(good, anchors, kNow, testOptions()));

    SUBCASE("expired and not yet valid (E03, E04)")
    {
        auto expired = validateTrustChain(good, anchors, fed.exp() + 60, testOptions());
        REQUIRE_FALSE(expired);
        CHECK(expired.error().code == ErrorCode::Expired);
        auto early = validateTrustChain(good, anchors, fed.iat() - 61, testOptions());
        REQUIRE_FALSE(early);
        CHECK(early.error().code == ErrorCode::NotYetValid);
    }
    SUBCASE("one short-lived statement bounds the chain's exp (E06)")
    {
        auto chain = good;
        chain[1] = fed.subordinateStatement("https://im.example", "https://rp.example", {}, fed.iat(), kNow + 10);
        auto r = validateTrustChain(chain, anchors, kNow, testOptions());
        REQUIRE(r);
        CHECK(r->expiresAt() == kNow + 10);
    }
    SUBCASE("wrong order breaks the iss/sub linkage")
    {
        auto chain = good;
        std::swap(chain[1], chain[2]);
        auto r = validateTrustChain(chain, anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidClaim);
    }
    SUBCASE("unknown trust anchor, and an anchor pinned with other keys (G)")
    {
        auto none = validateTrustChain(good, std::vector<TrustAnchor>{}, kNow, testOptions());
        REQUIRE_FALSE(none);
        CHECK(none.error().code == ErrorCode::NoTrustAnchor);
        test::TestFederation other;
        other.add("https://ta.example", Json::object());
        std::vector<TrustAnchor> repinned{other.anchor("https://ta.example")};
        auto r = validateTrustChain(good, repinned, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::KeyNotFound);
        CHECK(r.error().entityId == "https://ta.example");
    }
    SUBCASE("a leaf Entity Configuration signed with keys its superior does not vouch for (F: key binding)")
    {
        test::TestFederation forged = fed;
        forged.add("https://rp.example", fed.entity("https://rp.example").metadata, {"https://im.example"});
        auto chain = good;
        chain[0] = forged.entityConfiguration("https://rp.example");
        auto r = validateTrustChain(chain, anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::KeyNotFound);
        CHECK(r.error().entityId == "https://rp.example");
    }
    SUBCASE("a Subordinate Statement from an issuer that is not an authority hint (3.2 step 6)")
    {
        auto other = fed;
        other.entity("https://rp.example").authorityHints = {*EntityId::parse("https://elsewhere.example")};
        auto chain = good;
        chain[0] = other.entityConfiguration("https://rp.example");
        auto r = validateTrustChain(chain, anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().claim == "authority_hints");
    }
    SUBCASE("an Entity Configuration in the middle of the chain")
    {
        std::vector<std::string> chain{good[0], fed.entityConfiguration("https://im.example"), good[2], good[3]};
        auto r = validateTrustChain(chain, anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
    }
    SUBCASE("constraints: max_path_length and naming (6.2)")
    {
        test::SubordinateClaims tight;
        tight.constraints = json(R"({"max_path_length":0})");
        auto r = validateTrustChain(chainOf(fed, tight), anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::ConstraintViolation);
        CHECK(r.error().entityId == "https://ta.example");

        test::SubordinateClaims naming;
        naming.constraints = json(R"({"naming_constraints":{"excluded":["rp.example"]}})");
        r = validateTrustChain(chainOf(fed, naming), anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::ConstraintViolation);

        test::SubordinateClaims types;
        types.constraints = json(R"({"allowed_entity_types":["openid_provider"]})");
        auto filtered = validateTrustChain(chainOf(fed, types), anchors, kNow, testOptions());
        REQUIRE(filtered);
        CHECK_FALSE(filtered->metadata().contains("openid_relying_party"));
    }
    SUBCASE("metadata that violates the policy, and policies that conflict (6.1)")
    {
        test::SubordinateClaims essential;
        essential.metadataPolicy = json(R"({"openid_relying_party":{"logo_uri":{"essential":true}}})");
        auto r = validateTrustChain(chainOf(fed, essential), anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::PolicyViolation);

        test::SubordinateClaims a, b;
        a.metadataPolicy = json(R"({"openid_relying_party":{"client_name":{"value":"A"}}})");
        b.metadataPolicy = json(R"({"openid_relying_party":{"client_name":{"value":"B"}}})");
        r = validateTrustChain(chainOf(fed, a, b), anchors, kNow, testOptions());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::PolicyConflict);
    }
    SUBCASE("the immediate superior's metadata overrides the subject's")
    {
        test::SubordinateClaims override;
        override.metadata = json(R"({"openid_relying_party":{"client_name":"Renamed"}})");
        auto r = validateTrustChain(chainOf(fed, {}, override), anchors, kNow, testOptions());
        REQUIRE(r);
        CHECK(r->metadata().find("openid_relying_party")->find("client_name")->asString() == "Renamed");
    }
    SUBCASE("a tampered signature anywhere")
    {
        for (std::size_t j = 0; j < good.size(); ++j) {
            CAPTURE(j);
            auto chain = good;
            char &c = chain[j][chain[j].size() - 5];
            c = c == 'A' ? 'B' : 'A';
            CHECK_FALSE(validateTrustChain(chain, anchors, kNow, testOptions()).has_value());
        }
    }
}

TEST_CASE("a trust anchor resolved under itself")
{
    auto fed = threeLevels();
    std::vector<TrustAnchor> anchors{fed.anchor("https://ta.example")};
    std::vector<std::string> chain{fed.entityConfiguration("https://ta.example")};
    auto r = validateTrustChain(chain, anchors, kNow, testOptions());
    REQUIRE_MESSAGE(r, r.error().describe());
    CHECK(r->path() == std::vector<std::string>{"https://ta.example"});
}

TEST_CASE("5.1.3 / 5.1.4: a provider's resolved issuer is its Entity Identifier (mix-up protection)")
{
    const std::string op = "https://op.example";
    auto chainFor = [&](const Json &metadata, const test::SubordinateClaims &taAboutOp = {}) {
        test::TestFederation fed;
        fed.add("https://ta.example", json(R"({"federation_entity":{"organization_name":"TA"}})"));
        fed.add(op, metadata, {"https://ta.example"});
        std::vector<std::string> jwts{fed.entityConfiguration(op), fed.subordinateStatement("https://ta.example", op, taAboutOp),
                                      fed.entityConfiguration("https://ta.example")};
        return std::make_pair(fed.anchor("https://ta.example"), jwts);
    };
    auto validate = [&](const Json &metadata, const test::SubordinateClaims &policy = {},
                        ChainValidationOptions options = testOptions()) {
        auto [anchor, jwts] = chainFor(metadata, policy);
        return validateTrustChain(jwts, std::vector<TrustAnchor>{anchor}, kNow, options);
    };

    SUBCASE("equal: valid, for an OP and for an AS")
    {
        auto chain = validate(json(R"({"openid_provider":{"issuer":"https://op.example"},
                                       "oauth_authorization_server":{"issuer":"https://op.example"}})"));
        REQUIRE_MESSAGE(chain, chain.error().describe());
        CHECK(chain->metadata().find("openid_provider")->findString("issuer") != nullptr);
    }
    SUBCASE("another issuer in the OP's own metadata: refused, naming both")
    {
        auto chain = validate(json(R"({"openid_provider":{"issuer":"https://other.example"}})"));
        REQUIRE_FALSE(chain);
        CHECK(chain.error().code == ErrorCode::InvalidClaim);
        CHECK(chain.error().rule == "5.1.3 issuer");
        CHECK(chain.error().claim == "issuer");
        CHECK(chain.error().entityId == op);
        CHECK(chain.error().message.find("the resolved openid_provider metadata of https://op.example names issuer "
                                         "\"https://other.example\" (as the subject's Entity Configuration publishes "
                                         "it), not its Entity Identifier https://op.example") == 0);
    }
    SUBCASE("an AS with another issuer (5.1.4)")
    {
        auto chain = validate(json(R"({"oauth_authorization_server":{"issuer":"https://op.example/as"}})"));
        REQUIRE_FALSE(chain);
        CHECK(chain.error().code == ErrorCode::InvalidClaim);
        CHECK(chain.error().rule == "5.1.4 issuer");
        CHECK(chain.error().entityId == op);
    }
    SUBCASE("no issuer at all")
    {
        auto chain = validate(json(R"({"openid_provider":{"scopes_supported":["openid"]}})"));
        REQUIRE_FALSE(chain);
        CHECK(chain.error().code == ErrorCode::MissingClaim);
        CHECK(chain.error().rule == "5.1.3 issuer");
        CHECK(chain.error().claim == "issuer");
    }
    SUBCASE("a superior's policy that changes the issuer is named")
    {
        test::SubordinateClaims policy;
        policy.metadataPolicy = json(R"({"openid_provider":{"issuer":{"value":"https://evil.example"}}})");
        auto chain = validate(json(R"({"openid_provider":{"issuer":"https://op.example"}})"), policy);
        REQUIRE_FALSE(chain);
        CHECK(chain.error().rule == "5.1.3 issuer");
        CHECK(chain.error().message.find("as set by the value operator of the metadata policy of https://ta.example") != std::string::npos);
    }
    SUBCASE("not checked for an entity type the caller did not ask for")
    {
        ChainValidationOptions onlyRp = testOptions();
        onlyRp.entityTypes = {"openid_relying_party"};
        CHECK(validate(json(R"({"openid_provider":{"issuer":"https://other.example"},
                                "openid_relying_party":{"client_name":"RP"}})"),
                       {}, onlyRp));
    }
}
