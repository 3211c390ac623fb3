// Metadata resolution (6.1.4.2): the Immediate Superior's metadata override
// (only for Entity Types the subject has), allowed_entity_types filtering
// before the policy, policies only for Entity Types present, scope handling,
// null handling, and the provenance record.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/metadata_resolution.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::json;

namespace {

constexpr const char *kTa = "https://ta.example";
constexpr const char *kInt = "https://int.example";

ResolvedPolicy policyOf(std::vector<std::pair<const char *, const char *>> statements)
{
    std::vector<PolicyStatement> input;
    for (const auto &[issuer, policy] : statements)
        input.push_back(PolicyStatement{issuer, json(policy), {}});
    auto resolved = combinePolicies(input, OperatorRegistry::standard());
    REQUIRE_MESSAGE(resolved, resolved.error().describe());
    return *resolved;
}

} // namespace

TEST_CASE("superior metadata overrides only Entity Types the subject has (threat H11)")
{
    auto result = applySuperiorMetadata(json(R"({"openid_relying_party":{"jwks":"leaf","a":1}})"),
                                        json(R"({"openid_relying_party":{"jwks":"superior"},
                                                 "openid_provider":{"issuer":"x"}})"),
                                        kInt);
    REQUIRE(result);
    CHECK(result->metadata == json(R"({"openid_relying_party":{"jwks":"superior","a":1}})"));
    REQUIRE(result->changes.size() == 1);
    CHECK(result->changes[0].source == "metadata");
    CHECK(result->changes[0].issuers == std::vector<std::string>{kInt});
    CHECK(result->changes[0].effect == ParameterChange::Effect::Modified);
    CHECK(*result->changes[0].before == json(R"("leaf")"));
}

TEST_CASE("policies apply only to Entity Types the subject has")
{
    const auto policy = policyOf({{kTa, R"({"openid_provider":{"issuer":{"essential":true}},
                                             "openid_relying_party":{"client_name":{"default":"x"}}})"}});
    auto applied = applyPolicy(policy, json(R"({"openid_relying_party":{}})"), OperatorRegistry::standard());
    REQUIRE(applied);
    CHECK(applied->metadata == json(R"({"openid_relying_party":{"client_name":"x"}})"));
}

TEST_CASE("allowed_entity_types filters after the override and before the policy")
{
    const auto policy = policyOf({{kTa, R"({"openid_provider":{"issuer":{"essential":true}}})"}});
    std::vector<ConstrainedStatement> chain{{kTa, "https://le.example", {}}};
    chain[0].constraints.allowedEntityTypes = std::vector<std::string>{"openid_relying_party"};
    MetadataResolutionInput input;
    input.subjectMetadata = json(R"({"federation_entity":{},"openid_provider":{},"openid_relying_party":{}})");
    input.statements = chain;
    // Without the filter the essential issuer of openid_provider would fail.
    auto resolved = resolveMetadata(input, policy, OperatorRegistry::standard());
    REQUIRE_MESSAGE(resolved, resolved.error().describe());
    CHECK(resolved->metadata == json(R"({"federation_entity":{},"openid_relying_party":{}})"));
    REQUIRE(resolved->changes.size() == 1);
    CHECK(resolved->changes[0].source == "allowed_entity_types");
    CHECK(resolved->changes[0].entityType == "openid_provider");
    CHECK(resolved->changes[0].issuers == std::vector<std::string>{kTa});
}

TEST_CASE("no metadata_policy in the chain: the metadata after override and filter is the result")
{
    MetadataResolutionInput input;
    input.subjectMetadata = json(R"({"openid_relying_party":{"a":1}})");
    input.superiorMetadata = json(R"({"openid_relying_party":{"b":2}})");
    input.superiorIssuer = kInt;
    auto resolved = resolveMetadata(input, ResolvedPolicy{}, OperatorRegistry::standard());
    REQUIRE(resolved);
    CHECK(resolved->metadata == json(R"({"openid_relying_party":{"a":1,"b":2}})"));
}

TEST_CASE("provenance: which statement set or changed each parameter")
{
    const auto policy = policyOf({
        {kTa, R"({"openid_relying_party":{"contacts":{"add":["ta@x"]},"grant_types":{"subset_of":["a","b"]},
                   "subject_type":{"value":"pairwise"},"logo_uri":{"value":null}}})"},
        {kInt, R"({"openid_relying_party":{"contacts":{"add":["int@x"]},"grant_types":{"default":["a"]}}})"},
    });
    auto applied = applyPolicy(policy, json(R"({"openid_relying_party":{"contacts":["rp@x"],"logo_uri":"l",
                                                 "grant_types":["a","c"],"subject_type":"public"}})"),
                               OperatorRegistry::standard());
    REQUIRE_MESSAGE(applied, applied.error().describe());
    CHECK(applied->metadata == json(R"({"openid_relying_party":{"contacts":["rp@x","ta@x","int@x"],
                                         "grant_types":["a"],"subject_type":"pairwise"}})"));
    auto find = [&](std::string_view param) -> const ParameterChange * {
        for (const ParameterChange &c : applied->changes)
            if (c.parameter == param)
                return &c;
        return nullptr;
    };
    REQUIRE(find("contacts"));
    CHECK(find("contacts")->source == "add");
    CHECK(find("contacts")->issuers == std::vector<std::string>{kTa, kInt});
    REQUIRE(find("grant_types"));
    CHECK(find("grant_types")->source == "subset_of");
    CHECK(find("grant_types")->issuers == std::vector<std::string>{kTa});
    CHECK(find("subject_type")->effect == ParameterChange::Effect::Modified);
    CHECK(find("logo_uri")->effect == ParameterChange::Effect::Removed);
    CHECK_FALSE(find("logo_uri")->after);
    CHECK(applied->changes.size() == 4);  // the default did nothing: not recorded
}

TEST_CASE("violations name the parameter, the operator, its value and its issuers")
{
    const auto policy = policyOf({
        {kTa, R"({"openid_relying_party":{"grant_types":{"superset_of":["authorization_code"]}}})"},
        {kInt, R"({"openid_relying_party":{"grant_types":{"superset_of":["refresh_token"]}}})"},
    });
    auto applied = applyPolicy(policy, json(R"({"openid_relying_party":{"grant_types":["authorization_code"]}})"),
                               OperatorRegistry::standard());
    REQUIRE_FALSE(applied);
    const Error &error = applied.error();
    CHECK(error.code == ErrorCode::PolicyViolation);
    CHECK(error.claim == "grant_types");
    CHECK(error.message.find("openid_relying_party.grant_types") != std::string::npos);
    CHECK(error.message.find(R"(superset_of ["authorization_code","refresh_token"] from https://ta.example, )"
                             R"(https://int.example)") != std::string::npos);
    CHECK(error.message.find(R"(["refresh_token"])") != std::string::npos);
}

TEST_CASE("scope is handled as a space-separated array and joined again")
{
    const auto policy = policyOf({{kTa, R"({"openid_relying_party":{"scope":{"subset_of":["openid","email"],
                                                                             "superset_of":["openid"]}}})"}});
    auto applied = applyPolicy(policy, json(R"({"openid_relying_party":{"scope":"openid  profile email"}})"),
                               OperatorRegistry::standard());
    REQUIRE(applied);
    CHECK(applied->metadata == json(R"({"openid_relying_party":{"scope":"openid email"}})"));
    REQUIRE(applied->changes.size() == 1);
    CHECK(*applied->changes[0].before == json(R"("openid profile email")"));
    CHECK(*applied->changes[0].after == json(R"("openid email")"));

    // Untouched scope is left exactly as written.
    auto untouched = applyPolicy(policy, json(R"({"openid_relying_party":{"scope":"email  openid"}})"),
                                 OperatorRegistry::standard());
    REQUIRE(untouched);
    CHECK(untouched->metadata == json(R"({"openid_relying_party":{"scope":"email  openid"}})"));
}

TEST_CASE("a long scope string is split in linear time and deduplicated")
{
    std::string scope;
    for (int i = 0; i < 20000; ++i)
        scope += "s" + std::to_string(i % 100) + " ";
    const auto policy = policyOf({{kTa, R"({"openid_relying_party":{"scope":{"subset_of":["s1","s2","zz"]}}})"}});
    Json metadata = json(R"({"openid_relying_party":{}})");
    metadata.find("openid_relying_party")->set("scope", scope);
    auto applied = applyPolicy(policy, metadata, OperatorRegistry::standard());
    REQUIRE(applied);
    CHECK(applied->metadata == json(R"({"openid_relying_party":{"scope":"s1 s2"}})"));
}

TEST_CASE("a null metadata value counts as absent and is never output")
{
    const auto policy = policyOf({{kTa, R"({"openid_relying_party":{"a":{"default":"x"},"b":{"essential":true}}})"}});
    auto applied = applyPolicy(policy, json(R"({"openid_relying_party":{"a":null,"b":"y"}})"),
                               OperatorRegistry::standard());
    REQUIRE(applied);
    CHECK(applied->metadata == json(R"({"openid_relying_party":{"a":"x","b":"y"}})"));
    auto missing = applyPolicy(policy, json(R"({"openid_relying_party":{"b":null}})"), OperatorRegistry::standard());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("malformed metadata")
{
    const auto policy = policyOf({{kTa, R"({"openid_relying_party":{"a":{"default":"x"}}})"}});
    CHECK(applyPolicy(policy, json("[]"), OperatorRegistry::standard()).error().code == ErrorCode::Malformed);
    CHECK(applyPolicy(policy, json(R"({"openid_relying_party":[]})"), OperatorRegistry::standard()).error().code ==
          ErrorCode::Malformed);
    CHECK_FALSE(applySuperiorMetadata(json("{}"), json("[]"), kInt));
}
