// `oidfed subordinate list | show | set | refresh-keys | remove`, and add
// --force, run as a user would (the built binary, no shell) on a real
// subordinate directory, with Entity Configurations served over real HTTP on
// 127.0.0.1: every change is checked as the server loads the file, changes
// only what it names, and nothing is dropped silently.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/jwk.h>

#include "subordinate_fixture.h"

using namespace oidfed;
using test::json;
using test::LiveEntities;
using test::loadFile;
using test::subordinateCommand;
using test::TempDir;

namespace {

std::filesystem::path writeJson(const TempDir &dir, const std::string &name, const std::string &text)
{
    const std::filesystem::path path = dir.path() / name;
    std::ofstream(path) << text;
    return path;
}

std::vector<std::string> strings(const Json &array)
{
    std::vector<std::string> out;
    for (const Json &value : array.asArray())
        out.push_back(value.asString());
    return out;
}

/// A leaf added to a fresh directory by `subordinate add`.
struct AddedLeaf {
    LiveEntities live;
    TempDir dir;
    TempDir inputs;
    std::filesystem::path file = dir.path() / live.fileFor("leaf");

    AddedLeaf()
    {
        auto added = subordinateCommand("add", {live.leaf, "--dir", dir.path().string()});
        REQUIRE_MESSAGE(added.exitCode == 0, added.out);
    }

    test::ProcessResult set(std::vector<std::string> args)
    {
        args.insert(args.begin(), {live.leaf, "--dir", dir.path().string()});
        return subordinateCommand("set", std::move(args));
    }
};

} // namespace

TEST_CASE("subordinate list and show: every subordinate with its keys, and the files that do not load")
{
    AddedLeaf t;
    REQUIRE(subordinateCommand("add", {t.live.im, "--dir", t.dir.path().string(), "--intermediate"}).exitCode == 0);

    auto listed = subordinateCommand("list", {"--dir", t.dir.path().string()});
    REQUIRE_MESSAGE(listed.exitCode == 0, listed.out);
    Json out = json(listed.out);
    REQUIRE(out.find("subordinates")->size() == 2);
    CHECK(out.find("problems")->size() == 0);
    const Json &first = out.find("subordinates")->asArray()[0];  // sorted by entity id: im before leaf
    CHECK(first.find("entity_id")->asString() == t.live.im);
    CHECK(first.find("intermediate")->asBool());
    CHECK(first.find("file")->asString() == t.live.fileFor("im"));
    const Json &second = out.find("subordinates")->asArray()[1];
    CHECK(second.find("entity_id")->asString() == t.live.leaf);
    CHECK(second.find("keys")->asArray()[0].find("thumbprint")->asString() ==
          t.live.fed.entity(t.live.leaf).key.thumbprint());

    // A file that does not load is listed as a problem, the rest still
    // shown; exit 1.
    writeJson(t.dir, "broken.json", R"({"entity_id": "https://x.example", "jwks": {"keys": []}})");
    auto withBroken = subordinateCommand("list", {"--dir", t.dir.path().string()});
    CHECK(withBroken.exitCode == 1);
    Json broken = json(withBroken.out);
    CHECK(broken.find("subordinates")->size() == 2);
    REQUIRE(broken.find("problems")->size() == 1);
    CHECK(broken.find("problems")->asArray()[0].find("file")->asString() == "broken.json");
    CHECK(broken.find("problems")->asArray()[0].find("error")->find("code")->asString() == "invalid_key");

    auto shown = subordinateCommand("show", {t.live.leaf, "--dir", t.dir.path().string()});
    REQUIRE_MESSAGE(shown.exitCode == 0, shown.out);
    Json show = json(shown.out);
    CHECK(show.find("file")->asString() == t.file.string());
    CHECK(*show.find("subordinate") == json(test::readFile(t.file.string())));
    CHECK(show.find("keys")->asArray()[0].find("kid")->asString() == t.live.fed.entity(t.live.leaf).key.kid());

    CHECK(subordinateCommand("show", {"https://unknown.example", "--dir", t.dir.path().string()}).exitCode == 2);
    CHECK(subordinateCommand("list", {"--dir", (t.dir.path() / "missing").string()}).exitCode == 2);
}

TEST_CASE("subordinate set changes only the members it names, checked as the server loads the file")
{
    AddedLeaf t;
    const Json before = json(test::readFile(t.file.string()));
    const auto policy = writeJson(t.inputs, "policy.json",
                                  R"({"openid_relying_party": {"grant_types": {"subset_of": ["authorization_code"]}}})");
    auto changed = t.set({"--metadata-policy", policy.string(), "--lifetime", "7200", "--comment", "ticket 42"});
    REQUIRE_MESSAGE(changed.exitCode == 0, changed.out);
    Json out = json(changed.out);
    CHECK(strings(*out.find("changed")) == std::vector<std::string>{"metadata_policy", "statement_lifetime", "comment"});
    CHECK(out.find("written")->asBool());
    CHECK(out.find("reload")->asString().find("kill -HUP") != std::string::npos);
    entity::Subordinate record = loadFile(t.file);
    CHECK(record.metadataPolicy == json(test::readFile(policy.string())));
    CHECK(record.statementLifetime == 7200);
    CHECK(record.comment == "ticket 42");
    Json after = json(test::readFile(t.file.string()));
    CHECK(*after.find("jwks") == *before.find("jwks"));
    CHECK(*after.find("entity_types") == *before.find("entity_types"));

    // The same again: nothing to write.
    auto same = t.set({"--lifetime", "7200"});
    REQUIRE(same.exitCode == 0);
    CHECK(json(same.out).find("changed")->size() == 0);
    CHECK_FALSE(json(same.out).find("written")->asBool());

    // What the loader refuses is refused here, naming the member; the file
    // stays as it was.
    const std::string written = test::readFile(t.file.string());
    const auto badPolicy = writeJson(t.inputs, "bad-policy.json",
                                     R"({"openid_relying_party": {"grant_types": {"subset_of": "code"}}})");
    const auto badConstraints = writeJson(t.inputs, "bad-constraints.json", R"({"max_path_lenght": 1})");
    struct Refusal {
        std::vector<std::string> args;
        int exitCode;
        const char *claim;
    };
    const std::vector<Refusal> refusals = {
        {{"--metadata-policy", badPolicy.string()}, 1, "metadata_policy"},
        {{"--constraints", badConstraints.string()}, 1, "constraints"},
        {{"--lifetime", "10"}, 1, "statement_lifetime"},
        {{"--intermediate", "maybe"}, 2, nullptr},
        {{"--clear", "jwks"}, 2, "jwks"},
        {{"--clear", "comment", "--comment", "x"}, 2, "comment"},
        {{"--metadata", (t.inputs.path() / "missing.json").string()}, 2, nullptr},
        {{}, 2, nullptr},
    };
    for (const Refusal &refusal : refusals) {
        CAPTURE(refusal.args.empty() ? std::string("(nothing)") : refusal.args.front());
        auto run = t.set(refusal.args);
        CHECK(run.exitCode == refusal.exitCode);
        if (refusal.claim)
            CHECK(json(run.out).find("claim")->asString() == refusal.claim);
        CHECK(test::readFile(t.file.string()) == written);
    }

    // --dry-run prints, writes nothing; --clear removes a member.
    auto dry = t.set({"--clear", "comment", "--dry-run"});
    REQUIRE(dry.exitCode == 0);
    CHECK_FALSE(json(dry.out).find("subordinate")->contains("comment"));
    CHECK(test::readFile(t.file.string()) == written);
    auto cleared = t.set({"--clear", "comment"});
    REQUIRE(cleared.exitCode == 0);
    CHECK(loadFile(t.file).comment.empty());
    CHECK(loadFile(t.file).statementLifetime == 7200);
}

TEST_CASE("subordinate refresh-keys pins the keys the subordinate now publishes and changes only jwks")
{
    AddedLeaf t;
    const auto policy = writeJson(t.inputs, "policy.json", R"({"openid_relying_party": {"scope": {"default": "openid"}}})");
    REQUIRE(t.set({"--metadata-policy", policy.string(), "--comment", "approved"}).exitCode == 0);
    const Json before = json(test::readFile(t.file.string()));

    // Nothing new published: nothing written.
    auto unchanged = subordinateCommand("refresh-keys", {t.live.leaf, "--dir", t.dir.path().string()});
    REQUIRE_MESSAGE(unchanged.exitCode == 0, unchanged.out);
    CHECK_FALSE(json(unchanged.out).find("changed")->asBool());

    // The leaf adds a key and still signs with the pinned one (a rollover).
    const Jwk extra = t.live.fed.publishExtraKey(t.live.leaf);
    t.live.server.serve(*entityConfigurationUrl(t.live.leaf), t.live.fed.entityConfiguration(t.live.leaf));
    auto refreshed = subordinateCommand("refresh-keys", {t.live.leaf, "--dir", t.dir.path().string()});
    REQUIRE_MESSAGE(refreshed.exitCode == 0, refreshed.out);
    Json out = json(refreshed.out);
    CHECK(out.find("changed")->asBool());
    CHECK(out.find("written")->asBool());
    CHECK(out.find("signed_by_pinned_key")->asBool());
    CHECK(strings(*out.find("added")) == std::vector<std::string>{extra.thumbprint()});
    CHECK(out.find("removed")->size() == 0);
    Json after = json(test::readFile(t.file.string()));
    CHECK(*after.find("jwks") == t.live.fed.entity(t.live.leaf).jwks.toJson());
    // Every other member exactly as it was.
    after.set("jwks", *before.find("jwks"));
    CHECK(after == before);
}

TEST_CASE("subordinate refresh-keys: keys not signed by a pinned key need --force")
{
    AddedLeaf t;
    const std::string pinned = test::readFile(t.file.string());
    // The same entity id with an entirely new key (a takeover, or a lost key).
    test::TestFederation other{t.live.now - 600, t.live.now + 3600};
    other.add(t.live.leaf, json(R"({"openid_relying_party": {"client_name": "RP"}})"));
    t.live.server.serve(*entityConfigurationUrl(t.live.leaf), other.entityConfiguration(t.live.leaf));

    auto refused = subordinateCommand("refresh-keys", {t.live.leaf, "--dir", t.dir.path().string()});
    CHECK(refused.exitCode == 1);
    Json error = json(refused.out);
    CHECK(error.find("code")->asString() == "key_not_found");
    CHECK(error.find("claim")->asString() == "jwks");
    CHECK(test::readFile(t.file.string()) == pinned);

    auto dry = subordinateCommand("refresh-keys", {t.live.leaf, "--dir", t.dir.path().string(), "--force", "--dry-run"});
    REQUIRE(dry.exitCode == 0);
    CHECK_FALSE(json(dry.out).find("written")->asBool());
    CHECK(test::readFile(t.file.string()) == pinned);

    auto forced = subordinateCommand("refresh-keys", {t.live.leaf, "--dir", t.dir.path().string(), "--force"});
    REQUIRE_MESSAGE(forced.exitCode == 0, forced.out);
    Json out = json(forced.out);
    CHECK_FALSE(out.find("signed_by_pinned_key")->asBool());
    CHECK(strings(*out.find("removed")) == std::vector<std::string>{t.live.fed.entity(t.live.leaf).key.thumbprint()});
    CHECK(loadFile(t.file).jwks->toJson() == other.entity(t.live.leaf).jwks.toJson());
}

TEST_CASE("subordinate remove deletes the file and prints what it held")
{
    AddedLeaf t;
    const Json held = json(test::readFile(t.file.string()));
    auto dry = subordinateCommand("remove", {t.live.leaf, "--dir", t.dir.path().string(), "--dry-run"});
    REQUIRE(dry.exitCode == 0);
    CHECK(std::filesystem::exists(t.file));
    auto removed = subordinateCommand("remove", {t.live.leaf, "--dir", t.dir.path().string()});
    REQUIRE_MESSAGE(removed.exitCode == 0, removed.out);
    CHECK(json(removed.out).find("removed")->asBool());
    CHECK(*json(removed.out).find("subordinate") == held);
    CHECK_FALSE(std::filesystem::exists(t.file));
    CHECK(subordinateCommand("remove", {t.live.leaf, "--dir", t.dir.path().string()}).exitCode == 2);
}

TEST_CASE("subordinate add --force keeps what add does not set and names it")
{
    AddedLeaf t;
    const auto policy = writeJson(t.inputs, "policy.json", R"({"openid_relying_party": {"scope": {"default": "openid"}}})");
    const auto constraints = writeJson(t.inputs, "constraints.json", R"({"max_path_length": 0})");
    REQUIRE(t.set({"--metadata-policy", policy.string(), "--constraints", constraints.string(), "--lifetime", "600",
                   "--comment", "ticket 7"})
                .exitCode == 0);
    auto forced = subordinateCommand("add", {t.live.leaf, "--dir", t.dir.path().string(), "--force", "--lifetime", "7200"});
    REQUIRE_MESSAGE(forced.exitCode == 0, forced.out);
    CHECK(strings(*json(forced.out).find("kept")) ==
          std::vector<std::string>{"metadata_policy", "constraints", "comment"});
    entity::Subordinate record = loadFile(t.file);
    CHECK(record.metadataPolicy == json(test::readFile(policy.string())));
    CHECK(record.constraints == json(test::readFile(constraints.string())));
    CHECK(record.statementLifetime == 7200);  // given: replaced
    CHECK(record.comment.rfind("ticket 7; keys replaced by oidfed subordinate add --force on ", 0) == 0);
}

TEST_CASE("subordinate block and unblock: nothing served meanwhile, nothing in the file lost")
{
    AddedLeaf t;
    const auto policy = writeJson(t.inputs, "policy.json", R"({"openid_relying_party": {"scope": {"default": "openid"}}})");
    REQUIRE(t.set({"--metadata-policy", policy.string()}).exitCode == 0);
    const Json before = json(test::readFile(t.file.string()));
    const std::vector<std::string> on{t.live.leaf, "--dir", t.dir.path().string()};

    auto noReason = subordinateCommand("block", on);
    CHECK(noReason.exitCode == 2);
    std::vector<std::string> blockArgs = on;
    blockArgs.insert(blockArgs.end(), {"--reason", "keys compromised, ticket 7"});
    auto blocked = subordinateCommand("block", blockArgs);
    REQUIRE_MESSAGE(blocked.exitCode == 0, blocked.out);
    CHECK(json(blocked.out).find("written")->asBool());

    // The file keeps every member and gains "blocked"; the server's load
    // serves nothing about it.
    Json now = json(test::readFile(t.file.string()));
    CHECK(*now.find("blocked")->findString("reason") == "keys compromised, ticket 7");
    CHECK(now.find("blocked")->find("since")->isInt());
    now.erase("blocked");
    CHECK(now == before);
    auto set = entity::SubordinateSet::loadDirectory(t.dir.path(), {.allowHttp = true});
    REQUIRE(set);
    CHECK((*set)->find(t.live.leaf) == nullptr);
    CHECK((*set)->list({}).empty());

    // list and show still see it; set still edits it.
    auto listed = subordinateCommand("list", {"--dir", t.dir.path().string()});
    REQUIRE(listed.exitCode == 0);
    const Json listing = json(listed.out);
    const Json &entry = listing.find("subordinates")->asArray().at(0);
    CHECK(*entry.find("blocked")->findString("reason") == "keys compromised, ticket 7");
    CHECK(subordinateCommand("show", on).exitCode == 0);

    auto again = subordinateCommand("block", blockArgs);
    REQUIRE(again.exitCode == 0);
    CHECK_FALSE(json(again.out).find("changed")->asBool());

    auto unblocked = subordinateCommand("unblock", on);
    REQUIRE_MESSAGE(unblocked.exitCode == 0, unblocked.out);
    CHECK(json(test::readFile(t.file.string())) == before);
    auto served = entity::SubordinateSet::loadDirectory(t.dir.path(), {.allowHttp = true});
    REQUIRE(served);
    CHECK((*served)->find(t.live.leaf) != nullptr);
    CHECK(subordinateCommand("unblock", {t.live.server.base() + "/nobody", "--dir", t.dir.path().string()}).exitCode ==
          2);
}

TEST_CASE("subordinate set refuses a policy that conflicts with the directory's _defaults.json, naming both files")
{
    AddedLeaf t;
    writeJson(t.dir, "_defaults.json", R"({"metadata_policy": {"openid_relying_party": {"scope": {"value": "openid"}}}})");
    const Json before = json(test::readFile(t.file.string()));
    const auto conflicting = writeJson(t.inputs, "policy.json",
                                       R"({"openid_relying_party": {"scope": {"value": "openid email"}}})");
    auto refused = t.set({"--metadata-policy", conflicting.string()});
    CHECK(refused.exitCode == 1);
    const Json error = json(refused.out);
    CHECK(*error.findString("claim") == "metadata_policy");
    CHECK(error.findString("error_description")->find("_defaults.json") != std::string::npos);
    CHECK(json(test::readFile(t.file.string())) == before);

    // A policy the defaults combine with is written.
    const auto combinable = writeJson(t.inputs, "ok.json", R"({"openid_relying_party": {"scope": {"essential": true}}})");
    auto accepted = t.set({"--metadata-policy", combinable.string()});
    CHECK_MESSAGE(accepted.exitCode == 0, accepted.out);
}
