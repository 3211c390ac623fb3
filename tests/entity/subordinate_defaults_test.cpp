// The issuer-wide defaults file of a subordinate directory (_defaults.json:
// a metadata_policy, metadata_policy_crit and constraints merged into every
// subordinate's own, conflicts refused naming both files) and blocked
// subordinates (kept in their files, served by neither find() nor list()).
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "entity/subordinate.h"
#include "entity/subordinate_defaults.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::entity;
using test::json;
using test::TempDir;

namespace {

// A subordinate file for `id` with `members` (a JSON object text) added.
std::string file(const std::string &id, const std::string &members = "{}")
{
    Json out = json(members);
    out.set("entity_id", id);
    out.set("jwks", test::generatedPublicJwks());
    return out.dump();
}

struct Directory {
    TempDir dir;
    void write(const std::string &name, const std::string &content) const
    {
        std::ofstream(dir.path() / name, std::ios::binary) << content;
    }
};

const std::string kRp = "https://rp.example.org";
const std::string kOp = "https://op.example.org";

} // namespace

TEST_CASE("the defaults are merged into every subordinate: policies combined, constraints and crit added")
{
    Directory d;
    d.write("_defaults.json", R"({
        "comment": "what the federation's policy board decided",
        "metadata_policy": {"openid_relying_party": {
            "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
            "token_endpoint_auth_method": {"one_of": ["private_key_jwt"]}}},
        "metadata_policy_crit": ["regexp"],
        "constraints": {"max_path_length": 1}})");
    d.write("rp.json", file(kRp, R"({"metadata_policy": {"openid_relying_party": {
        "grant_types": {"subset_of": ["authorization_code"]},
        "scope": {"value": "openid"}}}})"));
    d.write("op.json", file(kOp, R"({"constraints": {"max_path_length": 1,
        "allowed_entity_types": ["openid_provider"]}})"));

    auto set = SubordinateSet::loadDirectory(d.dir.path());
    REQUIRE_MESSAGE(set, set.error().describe());
    CHECK((*set)->size() == 2);  // _defaults.json is no subordinate

    const Subordinate *rp = (*set)->find(kRp);
    REQUIRE(rp);
    const Json &policy = rp->metadataPolicy;
    // Both had grant_types: the intersection (6.1.3.1.4 subset_of combined).
    CHECK(*policy.find("openid_relying_party")->find("grant_types") ==
          json(R"({"subset_of": ["authorization_code"]})"));
    // Only the defaults had it; only the file had it.
    CHECK(*policy.find("openid_relying_party")->find("token_endpoint_auth_method") ==
          json(R"({"one_of": ["private_key_jwt"]})"));
    CHECK(*policy.find("openid_relying_party")->find("scope") == json(R"({"value": "openid"})"));
    CHECK(rp->constraints == json(R"({"max_path_length": 1})"));
    CHECK(rp->metadataPolicyCrit == std::vector<std::string>{"regexp"});

    const Subordinate *op = (*set)->find(kOp);
    REQUIRE(op);
    CHECK(op->constraints == json(R"({"max_path_length": 1, "allowed_entity_types": ["openid_provider"]})"));
    CHECK(*op->metadataPolicy.find("openid_relying_party")->find("grant_types") ==
          json(R"({"subset_of": ["authorization_code", "refresh_token"]})"));
}

TEST_CASE("a conflict with the defaults is an error of the subordinate's file, naming both files")
{
    Directory d;
    d.write("_defaults.json", R"({"metadata_policy": {"openid_relying_party": {"scope": {"value": "openid"}}},
                                  "constraints": {"max_path_length": 1}})");
    d.write("a.json", file("https://a.example.org"));

    SUBCASE("two value operators that differ")
    {
        d.write("rp.json", file(kRp, R"({"metadata_policy": {"openid_relying_party": {"scope": {"value": "email"}}}})"));
        auto load = SubordinateSet::loadEachFile(d.dir.path(), {}, nullptr);
        REQUIRE(load);
        CHECK(load->set->size() == 1);  // a.example.org is served; rp is left out
        REQUIRE(load->problems.size() == 1);
        const Error &error = load->problems[0].error;
        CHECK(load->problems[0].file == "rp.json");
        CHECK(error.code == ErrorCode::InvalidArgument);
        CHECK(error.claim == "metadata_policy");
        CHECK(error.entityId == kRp);
        CHECK(error.message.find("rp.json") != std::string::npos);
        CHECK(error.message.find("_defaults.json") != std::string::npos);
    }
    SUBCASE("a constraint both give, with other values")
    {
        d.write("rp.json", file(kRp, R"({"constraints": {"max_path_length": 2}})"));
        auto load = SubordinateSet::loadDirectory(d.dir.path());
        REQUIRE_FALSE(load);
        CHECK(load.error().claim == "constraints");
        CHECK(load.error().message.find("_defaults.json") != std::string::npos);
    }
    SUBCASE("an operator that is not standard, on a parameter both files have a policy for")
    {
        d.write("rp.json", file(kRp, R"({"metadata_policy": {"openid_relying_party": {
            "scope": {"regexp": "^openid"}}}, "metadata_policy_crit": ["regexp"]})"));
        auto load = SubordinateSet::loadDirectory(d.dir.path());
        REQUIRE_FALSE(load);
        CHECK(load.error().claim == "metadata_policy");
    }
}

TEST_CASE("a defaults file that does not load fails the whole load; its members are checked as a subordinate's")
{
    Directory d;
    d.write("rp.json", file(kRp));
    struct Case {
        std::string text;
        std::string claim;
    };
    for (const Case &bad : std::vector<Case>{
             {R"({"entity_id": "https://x.example.org"})", "entity_id"},
             {R"({"constraints": {"max_path_lenght": 1}})", "constraints"},
             {R"({"metadata_policy": {"openid_relying_party": {"scope": {"subset_of": "openid"}}}})",
              "metadata_policy"},
             {R"({"metadata_policy_crit": []})", "metadata_policy_crit"},
             {R"({"comment": 7})", "comment"}}) {
        CAPTURE(bad.text);
        d.write("_defaults.json", bad.text);
        auto load = SubordinateSet::loadEachFile(d.dir.path(), {}, nullptr);
        REQUIRE_FALSE(load);
        CHECK(load.error().claim == bad.claim);
        CHECK(load.error().message.starts_with("_defaults.json: "));
    }
    d.write("_defaults.json", "{broken");
    auto broken = SubordinateSet::loadDirectory(d.dir.path());
    REQUIRE_FALSE(broken);
    CHECK(broken.error().message.starts_with("_defaults.json: "));
}

TEST_CASE("a blocked subordinate stays in its file and in the set, but find() and list() do not serve it")
{
    Directory d;
    d.write("rp.json", file(kRp, R"({"entity_types": ["openid_relying_party"],
        "blocked": {"reason": "keys compromised, ticket 7", "since": 1700000000}})"));
    d.write("op.json", file(kOp, R"({"entity_types": ["openid_provider"]})"));
    auto set = SubordinateSet::loadDirectory(d.dir.path());
    REQUIRE_MESSAGE(set, set.error().describe());
    CHECK((*set)->find(kRp) == nullptr);
    CHECK((*set)->list({}) == std::vector<std::string>{kOp});
    CHECK((*set)->list({.entityTypes = {"openid_relying_party"}}).empty());
    CHECK((*set)->all().size() == 1);
    REQUIRE((*set)->blocked().size() == 1);
    const Subordinate *blocked = (*set)->findBlocked(kRp);
    REQUIRE(blocked);
    CHECK(blocked->blocked->reason == "keys compromised, ticket 7");
    CHECK(blocked->blocked->since == 1700000000);
    CHECK((*set)->findBySourceFile("rp.json") == blocked);
    // It round-trips, and still counts for duplicates.
    CHECK(*subordinateToJson(*blocked).find("blocked") ==
          json(R"({"reason": "keys compromised, ticket 7", "since": 1700000000})"));
    d.write("rp2.json", file(kRp));
    CHECK_FALSE(SubordinateSet::loadDirectory(d.dir.path()));
}

TEST_CASE("blocked: a reason is required, and nothing else is accepted")
{
    for (std::string_view blocked : {R"(true)", R"({})", R"({"reason": ""})", R"({"reason": "x", "until": 1})",
                                       R"({"reason": "x", "since": -1})"}) {
        CAPTURE(blocked);
        auto parsed = parseSubordinate(json(file(kRp, "{\"blocked\": " + std::string(blocked) + "}")), "rp.json");
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().claim == "blocked");
    }
}
