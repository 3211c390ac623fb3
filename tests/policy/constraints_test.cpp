// Constraints (6.2): every vector of shared/oidfed-vectors/spec/constraints.json
// (max_path_length, naming_constraints, allowed_entity_types), plus unit
// cases for parsing and host matching (threats H08-H10).

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <oidfed/constraints.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::json;
using oidfed::test::loadSharedJson;

namespace {

/// Builds the chain of a max_path_length vector; a constraint that does not
/// parse makes the chain invalid, as the statement carrying it is invalid.
Result<std::vector<ConstrainedStatement>> chainOf(const Json &vector)
{
    std::vector<ConstrainedStatement> chain;
    for (const Json &s : vector.find("statements")->asArray()) {
        ConstrainedStatement statement{*s.findString("iss"), *s.findString("sub"), {}};
        if (const Json *claim = s.find("constraints")) {
            OIDFED_TRY(statement.constraints, parseConstraints(*claim));
        }
        chain.push_back(std::move(statement));
    }
    return chain;
}

std::vector<std::string> typesOf(const Json &metadata)
{
    std::vector<std::string> types;
    for (const auto &[name, value] : metadata.asObject())
        types.push_back(name);
    std::sort(types.begin(), types.end());
    return types;
}

std::vector<std::string> strings(const Json &array)
{
    std::vector<std::string> out;
    for (const Json &s : array.asArray())
        out.push_back(s.asString());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("constraints.json: max_path_length")
{
    const Json file = loadSharedJson("oidfed-vectors/spec/constraints.json");
    const auto &vectors = file.find("max_path_length")->asArray();
    std::size_t run = 0;
    for (const Json &vector : vectors) {
        CAPTURE(*vector.findString("name"));
        auto chain = chainOf(vector);
        const bool valid = chain && checkChainConstraints(*chain).has_value();
        CHECK(valid == (*vector.findString("expected") == "valid"));
        ++run;
    }
    CHECK(run == vectors.size());
    CHECK(run == 6);
}

TEST_CASE("constraints.json: naming_constraints (Figure 15)")
{
    const Json file = loadSharedJson("oidfed-vectors/spec/constraints.json");
    const Json &section = *file.find("naming_constraints");
    Json claim = Json::object();
    claim.set("naming_constraints", *section.find("constraint"));
    auto constraints = parseConstraints(claim);
    REQUIRE(constraints);
    REQUIRE(constraints->namingConstraints);
    const auto &cases = section.find("cases")->asArray();
    std::size_t run = 0;
    for (const Json &c : cases) {
        const std::string &entityId = *c.findString("entity_id");
        CAPTURE(entityId);
        auto host = entityIdHost(entityId);
        REQUIRE(host);
        const NamingVerdict verdict = checkHost(*constraints->namingConstraints, *host);
        const std::string &expected = *c.findString("expected");
        if (expected == "permitted")
            CHECK(verdict == NamingVerdict::Permitted);
        else if (expected == "not-permitted")
            CHECK(verdict == NamingVerdict::NotPermitted);
        else
            CHECK(verdict == NamingVerdict::Excluded);
        ++run;
    }
    CHECK(run == cases.size());
    CHECK(run == 7);
}

TEST_CASE("constraints.json: allowed_entity_types")
{
    const Json file = loadSharedJson("oidfed-vectors/spec/constraints.json");
    const auto &vectors = file.find("allowed_entity_types")->asArray();
    std::size_t run = 0;
    for (const Json &vector : vectors) {
        CAPTURE(*vector.findString("name"));
        Json claim = Json::object();
        if (!vector.find("constraint")->isNull())
            claim.set("allowed_entity_types", *vector.find("constraint"));
        auto constraints = parseConstraints(claim);
        const Json &expected = *vector.find("expected_types");
        ++run;
        if (expected.isString()) {
            REQUIRE(expected.asString() == "error");
            REQUIRE_FALSE(constraints);
            CHECK(constraints.error().code == ErrorCode::InvalidClaim);
            continue;
        }
        REQUIRE(constraints);
        Json metadata = Json::object();
        for (const Json &type : vector.find("entity_configuration_metadata_types")->asArray())
            metadata.set(type.asString(), Json::object());
        std::vector<ConstrainedStatement> chain{{"https://i.example", "https://le.example", *constraints}};
        auto filtered = filterEntityTypes(metadata, chain);
        CHECK(typesOf(filtered.metadata) == strings(expected));
    }
    CHECK(run == vectors.size());
    CHECK(run == 4);
}

TEST_CASE("parseConstraints rejects malformed values and ignores unknown members")
{
    CHECK(parseConstraints(json(R"({"unknown_constraint": 5})")));
    CHECK(parseConstraints(json("{}"))->maxPathLength == std::nullopt);
    CHECK(*parseConstraints(json(R"({"max_path_length": 0})"))->maxPathLength == 0);
    for (const char *bad : {R"([])", R"({"max_path_length": -1})", R"({"max_path_length": 1.5})",
                            R"({"max_path_length": "2"})", R"({"naming_constraints": []})",
                            R"({"naming_constraints": {"permitted": ".example.com"}})",
                            R"({"naming_constraints": {"excluded": [""]}})", R"({"allowed_entity_types": "x"})",
                            R"({"allowed_entity_types": [1]})"}) {
        CAPTURE(bad);
        auto parsed = parseConstraints(json(bad));
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::InvalidClaim);
    }
}

TEST_CASE("host matching (6.2.2, threat H10)")
{
    CHECK(hostMatchesName("host.example.com", ".example.com"));
    CHECK(hostMatchesName("my.host.example.com", ".example.com"));
    CHECK_FALSE(hostMatchesName("example.com", ".example.com"));
    CHECK_FALSE(hostMatchesName("badexample.com", ".example.com"));
    CHECK(hostMatchesName("host.example.com", "host.example.com"));
    CHECK_FALSE(hostMatchesName("sub.host.example.com", "host.example.com"));
    CHECK_FALSE(hostMatchesName("evil.example.com.attacker.net", ".example.com"));
    CHECK(*entityIdHost("https://Host.Example.COM:8443/path") == "host.example.com");
    CHECK(*entityIdHost("https://[::1]:8443") == "[::1]");
    CHECK_FALSE(entityIdHost("https://user@host.example.com"));
    CHECK_FALSE(entityIdHost("host.example.com"));

    NamingConstraints upperCase;
    upperCase.permitted = std::vector<std::string>{".example.com"};
    CHECK(checkHost(upperCase, *entityIdHost("https://A.EXAMPLE.com")) == NamingVerdict::Permitted);
    CHECK(checkHost(upperCase, *entityIdHost("https://[::1]")) == NamingVerdict::NotPermitted);
    NamingConstraints nothing;
    nothing.permitted = std::vector<std::string>{};
    CHECK(checkHost(nothing, "a.example.com") == NamingVerdict::NotPermitted);
    CHECK(checkHost(NamingConstraints{}, "a.example.com") == NamingVerdict::Permitted);
}

TEST_CASE("naming constraints apply to every Entity below the constraining issuer")
{
    auto constraints = parseConstraints(json(R"({"naming_constraints": {"permitted": [".example.com"]}})"));
    REQUIRE(constraints);
    // LE <- I1 <- TA; TA constrains I1 and LE.
    std::vector<ConstrainedStatement> chain{
        {"https://i1.example.com", "https://le.example.org", {}},
        {"https://ta.example.net", "https://i1.example.com", *constraints},
    };
    auto checked = checkChainConstraints(chain);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::ConstraintViolation);
    CHECK(checked.error().entityId == "https://ta.example.net");
    CHECK(checked.error().rule == "6.2.2");

    // The same constraint on the leaf's statement does not reach the intermediate's superior.
    chain[0].subject = "https://le.example.com";
    CHECK(checkChainConstraints(chain));
    chain[1].subject = "https://i1.example.org";
    chain[0].issuer = "https://i1.example.org";
    CHECK_FALSE(checkChainConstraints(chain));
}

TEST_CASE("max_path_length error names the constraining issuer")
{
    std::vector<ConstrainedStatement> chain{
        {"https://i1.example", "https://le.example", {}},
        {"https://ta.example", "https://i1.example", {}},
    };
    chain[1].constraints.maxPathLength = 0;
    auto checked = checkChainConstraints(chain);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::ConstraintViolation);
    CHECK(checked.error().entityId == "https://ta.example");
    CHECK(checked.error().claim == "max_path_length");
}

TEST_CASE("allowed_entity_types: every statement filters; federation_entity stays (threat H08)")
{
    std::vector<ConstrainedStatement> chain{
        {"https://i.example", "https://le.example", {}},
        {"https://ta.example", "https://i.example", {}},
    };
    chain[0].constraints.allowedEntityTypes = std::vector<std::string>{"openid_relying_party", "openid_provider"};
    chain[1].constraints.allowedEntityTypes = std::vector<std::string>{"openid_relying_party"};
    auto filtered = filterEntityTypes(
        json(R"({"federation_entity":{},"openid_provider":{},"openid_relying_party":{},"oauth_client":{}})"), chain);
    CHECK(filtered.metadata == json(R"({"federation_entity":{},"openid_relying_party":{}})"));
    CHECK(filtered.removed == std::vector<std::string>{"openid_provider", "oauth_client"});
    CHECK(isEntityTypeAllowed({}, "federation_entity"));
}
