// Subordinate files (parseSubordinate, subordinateToJson) and the
// SubordinateSet built from a directory of them: strict parsing with the file
// and member named in every error, all-or-nothing directory loads and the
// server's file-by-file loads, the list
// endpoint's filters, and exact-id lookups (threat K04).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/jwk.h>

#include "entity/subordinate.h"
#include "test_support.h"
#include "temp_dir.h"

using namespace oidfed;
using namespace oidfed::entity;
using test::json;

namespace {

// A valid file for `id` with every member set.
Json fullFile(const std::string &id = "https://rp.example.org")
{
    Json file = json(R"({
        "comment": "onboarded by ticket 42",
        "entity_types": ["openid_relying_party", "federation_entity", "openid_relying_party"],
        "intermediate": false,
        "metadata": {"openid_relying_party": {"client_name": "RP", "contacts": ["ops@rp.example.org"]}},
        "metadata_policy": {"openid_relying_party": {
            "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
            "scope": {"value": "openid email", "essential": true}}},
        "metadata_policy_crit": ["regexp"],
        "constraints": {"max_path_length": 1,
                        "naming_constraints": {"permitted": [".example.org"], "excluded": ["bad.example.org"]},
                        "allowed_entity_types": ["openid_relying_party"]},
        "statement_lifetime": 3600
    })");
    file.set("entity_id", id);
    file.set("jwks", test::generatedPublicJwks());
    return file;
}

Json minimalFile(const std::string &id, std::vector<std::string> types = {}, bool intermediate = false)
{
    Json file = Json::object();
    file.set("entity_id", id);
    file.set("jwks", test::generatedPublicJwks());
    Json array = Json::array();
    for (const std::string &type : types)
        array.push(type);
    file.set("entity_types", std::move(array));
    file.set("intermediate", intermediate);
    return file;
}

Subordinate record(const std::string &id, std::vector<std::string> types = {}, bool intermediate = false)
{
    auto parsed = parseSubordinate(minimalFile(id, std::move(types), intermediate), "test.json");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    return std::move(parsed).value();
}

using test::TempDir;

void write(const TempDir &dir, const std::string &name, const std::string &content)
{
    std::ofstream(dir.path() / name, std::ios::binary) << content;
}

} // namespace

TEST_CASE("a full subordinate file parses, with entity types sorted and unique")
{
    auto parsed = parseSubordinate(fullFile(), "rp.json");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK(parsed->entityId.str() == "https://rp.example.org");
    REQUIRE(parsed->jwks);
    CHECK(parsed->jwks->keys().size() == 1);
    CHECK(parsed->entityTypes == std::vector<std::string>{"federation_entity", "openid_relying_party"});
    CHECK_FALSE(parsed->intermediate);
    CHECK(parsed->metadata.find("openid_relying_party")->findString("client_name")->c_str() == std::string("RP"));
    CHECK(parsed->metadataPolicy.isObject());
    CHECK(parsed->metadataPolicyCrit == std::vector<std::string>{"regexp"});
    CHECK(*parsed->constraints.find("max_path_length") == Json(1));
    CHECK(parsed->statementLifetime == 3600);
    CHECK(parsed->comment == "onboarded by ticket 42");
    CHECK(parsed->sourceFile == "rp.json");
}

TEST_CASE("a minimal file: only entity_id and jwks; jwks may be omitted for a hosted entity")
{
    Json file = Json::object();
    file.set("entity_id", "https://op.example.org");
    file.set("jwks", test::generatedPublicJwks());
    auto parsed = parseSubordinate(file, "op.json");
    REQUIRE(parsed);
    CHECK(parsed->entityTypes.empty());
    CHECK_FALSE(parsed->intermediate);
    CHECK(parsed->metadata.isNull());
    CHECK(parsed->metadataPolicy.isNull());
    CHECK(parsed->constraints.isNull());
    CHECK_FALSE(parsed->statementLifetime);

    file.erase("jwks");
    auto hosted = parseSubordinate(file, "op.json");
    REQUIRE(hosted);
    CHECK_FALSE(hosted->jwks);

    // http ids only with the test switch.
    file.set("entity_id", "http://127.0.0.1:8080/rp");
    CHECK_FALSE(parseSubordinate(file, "op.json"));
    CHECK(parseSubordinate(file, "op.json", {.allowHttp = true}));
}

TEST_CASE("every bad member is refused with the file and the member named")
{
    struct Case {
        std::string name;
        std::string member;
        Json value;  // null: remove the member
        ErrorCode code;
    };
    Json privateJwks = json(R"({"keys":[]})");
    {
        auto key = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(key);
        privateJwks.find("keys")->push(key->toPrivateJson());
    }
    Json duplicateKids = json(R"({"keys":[]})");
    duplicateKids.find("keys")->push(test::generatedPublicJwks().find("keys")->asArray()[0]);
    duplicateKids.find("keys")->push(test::generatedPublicJwks().find("keys")->asArray()[0]);

    const std::vector<Case> cases = {
        {"unknown member", "entity_typ", json(R"(["openid_provider"])"), ErrorCode::InvalidArgument},
        {"unknown member (jwks_uri)", "jwks_uri", json(R"("https://rp.example.org/jwks")"), ErrorCode::InvalidArgument},
        {"missing entity_id", "entity_id", Json(), ErrorCode::InvalidArgument},
        {"entity_id not a string", "entity_id", Json(42), ErrorCode::Malformed},
        {"entity_id with a query", "entity_id", json(R"("https://rp.example.org/?x=1")"), ErrorCode::InvalidArgument},
        {"entity_id http", "entity_id", json(R"("http://rp.example.org")"), ErrorCode::InvalidArgument},
        {"entity_id path traversal", "entity_id", json(R"("../../etc/passwd")"), ErrorCode::InvalidArgument},
        {"jwks not an object", "jwks", json(R"([])"), ErrorCode::InvalidKey},
        {"jwks empty", "jwks", json(R"({"keys":[]})"), ErrorCode::InvalidKey},
        {"jwks without keys", "jwks", json(R"({})"), ErrorCode::InvalidKey},
        {"jwks with a private key", "jwks", privateJwks, ErrorCode::InvalidKey},
        {"jwks with duplicate kids", "jwks", duplicateKids, ErrorCode::InvalidKey},
        {"entity_types not an array", "entity_types", json(R"("openid_provider")"), ErrorCode::Malformed},
        {"entity_types with a number", "entity_types", json(R"(["openid_provider", 1])"), ErrorCode::Malformed},
        {"entity_types with an empty string", "entity_types", json(R"([""])"), ErrorCode::InvalidArgument},
        {"intermediate not a bool", "intermediate", json(R"("yes")"), ErrorCode::Malformed},
        {"metadata not an object", "metadata", json(R"([])"), ErrorCode::Malformed},
        {"metadata null", "metadata", json("null"), ErrorCode::Malformed},
        {"metadata type not an object", "metadata", json(R"({"openid_provider": "x"})"), ErrorCode::Malformed},
        {"metadata with a null value", "metadata", json(R"({"openid_provider": {"issuer": null}})"),
         ErrorCode::InvalidArgument},
        {"metadata with a nested null", "metadata", json(R"({"openid_provider": {"jwks": {"keys": [null]}}})"),
         ErrorCode::InvalidArgument},
        {"metadata with federation_entity jwks", "metadata", json(R"({"federation_entity": {"jwks": {"keys": []}}})"),
         ErrorCode::InvalidArgument},
        {"metadata_policy not an object", "metadata_policy", json(R"(["x"])"), ErrorCode::Malformed},
        {"metadata_policy parameter not an object", "metadata_policy",
         json(R"({"openid_relying_party": {"scope": "openid"}})"), ErrorCode::Malformed},
        {"metadata_policy bad operator value", "metadata_policy",
         json(R"({"openid_relying_party": {"grant_types": {"subset_of": "authorization_code"}}})"),
         ErrorCode::InvalidArgument},
        {"metadata_policy disallowed combination", "metadata_policy",
         json(R"({"openid_relying_party": {"scope": {"value": "a", "one_of": ["b", "c"]}}})"),
         ErrorCode::InvalidArgument},
        {"metadata_policy_crit empty", "metadata_policy_crit", json(R"([])"), ErrorCode::InvalidArgument},
        {"metadata_policy_crit not an array", "metadata_policy_crit", json(R"("regexp")"), ErrorCode::InvalidArgument},
        {"metadata_policy_crit duplicates", "metadata_policy_crit", json(R"(["regexp", "regexp"])"),
         ErrorCode::InvalidArgument},
        {"metadata_policy_crit standard operator", "metadata_policy_crit", json(R"(["value"])"),
         ErrorCode::InvalidArgument},
        {"constraints not an object", "constraints", json(R"([])"), ErrorCode::Malformed},
        {"constraints negative max_path_length", "constraints", json(R"({"max_path_length": -1})"),
         ErrorCode::InvalidArgument},
        {"constraints unknown member", "constraints", json(R"({"max_path_lenght": 1})"), ErrorCode::InvalidArgument},
        {"constraints unknown naming member", "constraints", json(R"({"naming_constraints": {"permit": []}})"),
         ErrorCode::InvalidArgument},
        {"constraints allowing federation_entity", "constraints",
         json(R"({"allowed_entity_types": ["federation_entity"]})"), ErrorCode::InvalidArgument},
        {"statement_lifetime too short", "statement_lifetime", Json(59), ErrorCode::InvalidArgument},
        {"statement_lifetime too long", "statement_lifetime", Json(31536001), ErrorCode::InvalidArgument},
        {"statement_lifetime not an integer", "statement_lifetime", Json(3600.5), ErrorCode::Malformed},
        {"statement_lifetime a string", "statement_lifetime", json(R"("3600")"), ErrorCode::Malformed},
        {"comment not a string", "comment", json(R"(["x"])"), ErrorCode::Malformed},
    };
    for (const Case &c : cases) {
        CAPTURE(c.name);
        Json file = fullFile();
        if (c.value.isNull() && c.name != "metadata null")
            file.erase(c.member);
        else
            file.set(c.member, c.value);
        auto parsed = parseSubordinate(file, "sub-file.json");
        REQUIRE_FALSE(parsed);
        CAPTURE(parsed.error().describe());
        CHECK(parsed.error().code == c.code);
        CHECK(parsed.error().message.find("sub-file.json") != std::string::npos);
        CHECK(parsed.error().message.find(c.member) != std::string::npos);
        CHECK(parsed.error().claim == c.member);
    }

    // The bounds themselves are accepted.
    for (std::int64_t lifetime : {kMinStatementLifetime, kMaxStatementLifetime}) {
        Json file = fullFile();
        file.set("statement_lifetime", lifetime);
        CHECK(parseSubordinate(file, "sub-file.json"));
    }
    // Not an object at all.
    auto notObject = parseSubordinate(json("[]"), "array.json");
    REQUIRE_FALSE(notObject);
    CHECK(notObject.error().code == ErrorCode::Malformed);
    CHECK(notObject.error().message.find("array.json") != std::string::npos);
}

TEST_CASE("subordinateToJson round-trips through parseSubordinate")
{
    auto parsed = parseSubordinate(fullFile(), "rp.json");
    REQUIRE(parsed);
    Json written = subordinateToJson(*parsed);
    CHECK_FALSE(written.contains("sourceFile"));
    auto again = parseSubordinate(written, "rp.json");
    REQUIRE_MESSAGE(again, again.error().describe());
    CHECK(again->entityId == parsed->entityId);
    REQUIRE(again->jwks);
    CHECK(again->jwks->toJson() == parsed->jwks->toJson());
    CHECK(again->entityTypes == parsed->entityTypes);
    CHECK(again->intermediate == parsed->intermediate);
    CHECK(again->metadata == parsed->metadata);
    CHECK(again->metadataPolicy == parsed->metadataPolicy);
    CHECK(again->metadataPolicyCrit == parsed->metadataPolicyCrit);
    CHECK(again->constraints == parsed->constraints);
    CHECK(again->statementLifetime == parsed->statementLifetime);
    CHECK(again->comment == parsed->comment);
    CHECK(subordinateToJson(*again) == written);

    // A minimal hosted intermediate: no jwks, nothing optional written.
    Json hosted = json(R"({"entity_id": "https://im.example.org", "intermediate": true})");
    auto minimal = parseSubordinate(hosted, "im.json");
    REQUIRE(minimal);
    Json out = subordinateToJson(*minimal);
    CHECK(out == hosted);
    CHECK(parseSubordinate(out, "im.json"));
}

TEST_CASE("loadDirectory reads every *.json file sorted by name and ignores the rest")
{
    TempDir dir;
    write(dir, "b.json", minimalFile("https://a.example.org").dump(true));
    write(dir, "a.json", minimalFile("https://b.example.org", {"openid_provider"}).dump(true));
    write(dir, "README.md", "not json at all");
    write(dir, "c.json.bak", "{broken");
    write(dir, ".hidden.json", "{broken");
    std::filesystem::create_directory(dir.path() / "sub.json");
    write(dir, "sub.json/x.json", "{broken");

    auto set = SubordinateSet::loadDirectory(dir.path());
    REQUIRE_MESSAGE(set, set.error().describe());
    REQUIRE((*set)->size() == 2);
    CHECK((*set)->all()[0].entityId.str() == "https://a.example.org");
    CHECK((*set)->all()[0].sourceFile == "b.json");
    CHECK((*set)->all()[1].sourceFile == "a.json");
    CHECK((*set)->list({}) == std::vector<std::string>{"https://a.example.org", "https://b.example.org"});
    REQUIRE((*set)->find("https://b.example.org"));
    CHECK((*set)->find("https://b.example.org")->entityTypes == std::vector<std::string>{"openid_provider"});
}

TEST_CASE("loadDirectory: an empty directory is an empty set; a missing one is InvalidArgument")
{
    TempDir dir;
    auto empty = SubordinateSet::loadDirectory(dir.path());
    REQUIRE(empty);
    CHECK((*empty)->size() == 0);
    CHECK((*empty)->list({}).empty());

    auto missing = SubordinateSet::loadDirectory(dir.path() / "nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::InvalidArgument);

    write(dir, "file.json", minimalFile("https://a.example.org").dump());
    auto notDir = SubordinateSet::loadDirectory(dir.path() / "file.json");
    REQUIRE_FALSE(notDir);
    CHECK(notDir.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("loadDirectory fails as a whole on one bad file, naming it")
{
    struct Case {
        std::string name;
        std::string content;
        ErrorCode code;
    };
    Json unknownMember = minimalFile("https://z.example.org");
    unknownMember.set("entity_type", "openid_provider");
    const std::vector<Case> cases = {
        {"syntax.json", "{\"entity_id\": ", ErrorCode::Malformed},
        {"duplicate-member.json", R"({"entity_id": "https://z.example.org", "entity_id": "https://y.example.org"})",
         ErrorCode::Malformed},
        {"unknown.json", unknownMember.dump(), ErrorCode::InvalidArgument},
        {"huge.json", "{\"comment\": \"" + std::string(kMaxSubordinateFileBytes, 'x') + "\"}", ErrorCode::LimitExceeded},
    };
    for (const Case &c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        write(dir, "a-good.json", minimalFile("https://a.example.org").dump());
        write(dir, c.name, c.content);
        auto set = SubordinateSet::loadDirectory(dir.path());
        REQUIRE_FALSE(set);
        CHECK(set.error().code == c.code);
        CHECK(set.error().message.find(c.name) != std::string::npos);
    }
}

TEST_CASE("loadDirectory on many files (read on all cores): name order, and the first bad file by name is named")
{
    TempDir dir;
    for (int i = 0; i < 600; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "f%04d.json", i);
        write(dir, name, minimalFile("https://e" + std::to_string(i) + ".example.org", {"openid_provider"}, i % 3 == 0)
                            .dump());
    }
    auto set = SubordinateSet::loadDirectory(dir.path());
    REQUIRE_MESSAGE(set, set.error().describe());
    REQUIRE((*set)->size() == 600);
    for (const Subordinate &subordinate : (*set)->all()) {
        // Each record carries its own file (so the parallel load kept the pairs).
        const std::string number = subordinate.entityId.str().substr(9, subordinate.entityId.str().find('.') - 9);
        char name[32];
        std::snprintf(name, sizeof name, "f%04d.json", std::stoi(number));
        CHECK(subordinate.sourceFile == name);
        CHECK(subordinate.intermediate == (std::stoi(number) % 3 == 0));
    }

    // Two bad files far apart: the one first by name is reported, whichever
    // thread met the other first.
    write(dir, "f0450-bad.json", "{\"entity_id\": ");
    write(dir, "f0007-bad.json", R"({"entity_id": "https://bad.example.org", "jwks": {"keys": []}, "x": 1})");
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto refused = SubordinateSet::loadDirectory(dir.path());
        REQUIRE_FALSE(refused);
        CHECK(refused.error().message.starts_with("f0007-bad.json: "));
    }
}

TEST_CASE("loadDirectory: a file of exactly the size limit is read, one byte more is refused")
{
    // Strings are at most 128 KiB each (JsonLimits): fill with ten of them.
    Json file = minimalFile("https://a.example.org");
    Json parameters = Json::object();
    for (int i = 0; i < 10; ++i)
        parameters.set("p" + std::to_string(i), std::string(100000, 'v'));
    Json metadata = Json::object();
    metadata.set("openid_relying_party", std::move(parameters));
    file.set("metadata", std::move(metadata));
    file.set("comment", "");
    const std::size_t base = file.dump().size();
    file.set("comment", std::string(kMaxSubordinateFileBytes - base, 'x'));
    REQUIRE(file.dump().size() == kMaxSubordinateFileBytes);
    {
        TempDir dir;
        write(dir, "max.json", file.dump());
        auto set = SubordinateSet::loadDirectory(dir.path());
        REQUIRE_MESSAGE(set, set.error().describe());
        CHECK((*set)->all()[0].comment.size() == kMaxSubordinateFileBytes - base);
    }
    {
        TempDir dir;
        write(dir, "over.json", file.dump() + " ");
        auto set = SubordinateSet::loadDirectory(dir.path());
        REQUIRE_FALSE(set);
        CHECK(set.error().code == ErrorCode::LimitExceeded);
        CHECK(set.error().message.starts_with("over.json: "));
    }
}

TEST_CASE("loadDirectory: the same entity id in two files names both files")
{
    TempDir dir;
    write(dir, "first.json", minimalFile("https://a.example.org").dump());
    write(dir, "second.json", minimalFile("https://a.example.org", {"openid_provider"}).dump());
    write(dir, "other.json", minimalFile("https://b.example.org").dump());
    auto set = SubordinateSet::loadDirectory(dir.path());
    REQUIRE_FALSE(set);
    CHECK(set.error().code == ErrorCode::InvalidArgument);
    CHECK(set.error().message.find("first.json") != std::string::npos);
    CHECK(set.error().message.find("second.json") != std::string::npos);
    CHECK(set.error().entityId == "https://a.example.org");
}

TEST_CASE("loadDirectory honours maxFiles and the id options")
{
    TempDir dir;
    for (int i = 0; i < 3; ++i)
        write(dir, "s" + std::to_string(i) + ".json", minimalFile("https://s" + std::to_string(i) + ".example.org").dump());
    CHECK(SubordinateSet::loadDirectory(dir.path(), {}, 3));
    auto tooMany = SubordinateSet::loadDirectory(dir.path(), {}, 2);
    REQUIRE_FALSE(tooMany);
    CHECK(tooMany.error().code == ErrorCode::LimitExceeded);

    write(dir, "loopback.json", minimalFile("http://127.0.0.1:8080/leaf").dump());
    auto refused = SubordinateSet::loadDirectory(dir.path());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("loopback.json") != std::string::npos);
    auto allowed = SubordinateSet::loadDirectory(dir.path(), {.allowHttp = true});
    REQUIRE(allowed);
    CHECK((*allowed)->size() == 4);
}

TEST_CASE("loadEachFile: a bad file affects only itself; its previous record is kept when there is one")
{
    TempDir dir;
    write(dir, "a.json", minimalFile("https://a.example.org").dump());
    write(dir, "b.json", minimalFile("https://b.example.org", {"openid_provider"}).dump());
    auto first = SubordinateSet::loadEachFile(dir.path(), {}, nullptr);
    REQUIRE_MESSAGE(first, first.error().describe());
    CHECK(first->problems.empty());
    CHECK(first->set->size() == 2);

    SUBCASE("at start (no previous set): left out")
    {
        write(dir, "b.json", "{broken");
        write(dir, "c.json", minimalFile("https://a.example.org").dump());  // a.example.org again
        auto load = SubordinateSet::loadEachFile(dir.path(), {}, nullptr);
        REQUIRE(load);
        CHECK(load->set->list({}) == std::vector<std::string>{"https://a.example.org"});
        REQUIRE(load->problems.size() == 2);
        CHECK(load->problems[0].file == "b.json");
        CHECK(load->problems[0].error.code == ErrorCode::Malformed);
        CHECK_FALSE(load->problems[0].keptPrevious);
        CHECK(load->problems[1].file == "c.json");
        CHECK(load->problems[1].entityId == "https://a.example.org");
        CHECK(load->problems[1].error.code == ErrorCode::InvalidArgument);
        CHECK_FALSE(load->problems[1].keptPrevious);
    }
    SUBCASE("on reload: the previous record of the same file")
    {
        write(dir, "b.json", "{broken");
        auto load = SubordinateSet::loadEachFile(dir.path(), {}, first->set.get());
        REQUIRE(load);
        CHECK(load->set->size() == 2);
        REQUIRE(load->problems.size() == 1);
        CHECK(load->problems[0].keptPrevious);
        CHECK(load->problems[0].entityId == "https://b.example.org");
        REQUIRE(load->set->find("https://b.example.org"));
        CHECK(load->set->find("https://b.example.org")->entityTypes == std::vector<std::string>{"openid_provider"});
    }
    SUBCASE("a missing directory still fails as a whole")
    {
        auto missing = SubordinateSet::loadEachFile(dir.path() / "nope", {}, first->set.get());
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == ErrorCode::InvalidArgument);
    }
}

TEST_CASE("list filters: every requested entity type, intermediate true/false, combined")
{
    std::vector<Subordinate> subordinates;
    subordinates.push_back(record("https://op.example.org", {"openid_provider", "federation_entity"}));
    subordinates.push_back(record("https://rp.example.org", {"openid_relying_party"}));
    subordinates.push_back(record("https://both.example.org", {"openid_relying_party", "openid_provider"}));
    subordinates.push_back(record("https://im.example.org", {"federation_entity"}, true));
    subordinates.push_back(record("https://im2.example.org", {"federation_entity", "openid_provider"}, true));
    subordinates.push_back(record("https://none.example.org"));
    auto set = SubordinateSet::fromSubordinates(std::move(subordinates));
    REQUIRE(set);
    using Ids = std::vector<std::string>;

    CHECK((*set)->list({}) == Ids{"https://both.example.org", "https://im.example.org", "https://im2.example.org",
                                  "https://none.example.org", "https://op.example.org", "https://rp.example.org"});
    CHECK((*set)->list({.entityTypes = {"openid_provider"}}) ==
          Ids{"https://both.example.org", "https://im2.example.org", "https://op.example.org"});
    CHECK((*set)->list({.entityTypes = {"openid_provider", "openid_relying_party"}}) == Ids{"https://both.example.org"});
    CHECK((*set)->list({.entityTypes = {"openid_relying_party", "openid_provider"}}) == Ids{"https://both.example.org"});
    CHECK((*set)->list({.entityTypes = {"openid_provider", "oauth_client"}}).empty());
    CHECK((*set)->list({.entityTypes = {"openid_provider", "openid_provider"}}) ==
          Ids{"https://both.example.org", "https://im2.example.org", "https://op.example.org"});
    CHECK((*set)->list({.intermediate = true}) == Ids{"https://im.example.org", "https://im2.example.org"});
    CHECK((*set)->list({.intermediate = false}) == Ids{"https://both.example.org", "https://none.example.org",
                                                       "https://op.example.org", "https://rp.example.org"});
    CHECK((*set)->list({.entityTypes = {"federation_entity"}, .intermediate = true}) ==
          Ids{"https://im.example.org", "https://im2.example.org"});
    CHECK((*set)->list({.entityTypes = {"federation_entity"}, .intermediate = false}) == Ids{"https://op.example.org"});
    CHECK((*set)->list({.entityTypes = {"openid_provider"}, .intermediate = true}) == Ids{"https://im2.example.org"});
}

TEST_CASE("fromSubordinates: duplicates are refused; hand-built entity types are normalised")
{
    std::vector<Subordinate> subordinates;
    subordinates.push_back(record("https://a.example.org"));
    subordinates.back().sourceFile = "one.json";
    subordinates.push_back(record("https://a.example.org"));
    subordinates.back().sourceFile = "two.json";
    auto duplicate = SubordinateSet::fromSubordinates(subordinates);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == ErrorCode::InvalidArgument);
    CHECK(duplicate.error().message.find("one.json") != std::string::npos);
    CHECK(duplicate.error().message.find("two.json") != std::string::npos);

    subordinates.pop_back();
    subordinates.back().entityTypes = {"openid_provider", "federation_entity", "openid_provider"};
    auto set = SubordinateSet::fromSubordinates(subordinates);
    REQUIRE(set);
    CHECK((*set)->all()[0].entityTypes == std::vector<std::string>{"federation_entity", "openid_provider"});
    CHECK((*set)->list({.entityTypes = {"federation_entity", "openid_provider"}}).size() == 1);
}

TEST_CASE("100,000 subordinates: listed in order, filtered, found")
{
    constexpr int kCount = 100000;
    Subordinate base = record("https://base.example.org");
    std::vector<Subordinate> subordinates;
    subordinates.reserve(kCount);
    // Built in descending order so that the set has to sort them.
    int badIds = 0;
    for (int i = kCount - 1; i >= 0; --i) {
        char id[64];
        std::snprintf(id, sizeof id, "https://e%06d.example.org", i);
        auto entityId = EntityId::parse(id);
        if (!entityId) {
            ++badIds;
            continue;
        }
        Subordinate s = base;
        s.entityId = *entityId;
        s.entityTypes = i % 10 == 0 ? std::vector<std::string>{"federation_entity", "openid_provider"}
                                    : std::vector<std::string>{"openid_relying_party"};
        s.intermediate = i % 100 == 0;
        subordinates.push_back(std::move(s));
    }
    REQUIRE(badIds == 0);
    auto set = SubordinateSet::fromSubordinates(std::move(subordinates));
    REQUIRE(set);
    CHECK((*set)->size() == kCount);

    auto all = (*set)->list({});
    REQUIRE(all.size() == kCount);
    CHECK(all.front() == "https://e000000.example.org");
    CHECK(all.back() == "https://e099999.example.org");
    CHECK(std::is_sorted(all.begin(), all.end()));

    auto providers = (*set)->list({.entityTypes = {"openid_provider"}});
    CHECK(providers.size() == kCount / 10);
    CHECK(std::is_sorted(providers.begin(), providers.end()));
    CHECK((*set)->list({.intermediate = true}).size() == kCount / 100);
    CHECK((*set)->list({.entityTypes = {"openid_relying_party"}, .intermediate = true}).empty());

    REQUIRE((*set)->find("https://e054321.example.org"));
    CHECK((*set)->find("https://e054321.example.org")->entityId.str() == "https://e054321.example.org");
}

TEST_CASE("K04: lookups are by exact entity id only; path-like ids find nothing")
{
    auto set = SubordinateSet::fromSubordinates({record("https://rp.example.org"), record("https://rp.example.org/a")});
    REQUIRE(set);
    CHECK((*set)->find("https://rp.example.org"));
    CHECK((*set)->find("https://rp.example.org/a"));
    for (const char *probe : {"../rp.example.org", "../../etc/passwd", "https://rp.example.org/a/../",
                              "https://rp.example.org/b/../a", "https://rp.example.org/", "https://RP.example.org",
                              "rp.example.org.json", "/etc/passwd", "", "https://rp.example.org%2F..%2F"}) {
        CAPTURE(probe);
        CHECK((*set)->find(probe) == nullptr);
    }
}
