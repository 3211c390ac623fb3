// `oidfed subordinate add` run as a user would (the built binary, no shell)
// against Entity Configurations served over real HTTP on 127.0.0.1: a valid
// one is pinned in a file the loader accepts; a bad signature, an unreachable
// entity, an existing file and usage errors each give their exit code and
// write nothing.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/jwk.h>

#include "entity/subordinate.h"
#include "subordinate_fixture.h"
#include "federation_server.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

using test::TempDir;
using test::LiveEntities;
using test::fileCount;
using test::loadFile;

test::ProcessResult add(std::vector<std::string> args, bool loopback = true)
{
    return test::subordinateCommand("add", std::move(args), loopback);
}

} // namespace

TEST_CASE("subordinate add pins a valid Entity Configuration's keys in a loadable file")
{
    LiveEntities live;
    TempDir dir;
    auto run = add({live.leaf, "--dir", dir.path().string()});
    REQUIRE_MESSAGE(run.exitCode == 0, run.out);
    Json out = json(run.out);
    const std::filesystem::path file = dir.path() / live.fileFor("leaf");
    CHECK(out.find("file")->asString() == file.string());
    CHECK(out.find("written")->asBool());
    // The server publishes it after a reload, and the output says how to send one.
    CHECK(out.find("reload")->asString().find("kill -HUP") != std::string::npos);
    CHECK_FALSE(out.find("looks_like_intermediate")->asBool());
    CHECK(*out.find("metadata_entity_types") == json(R"(["openid_relying_party", "federation_entity"])"));
    const Jwk &key = live.fed.entity(live.leaf).key;
    REQUIRE(out.find("keys")->size() == 1);
    const Json &shown = out.find("keys")->asArray()[0];
    CHECK(shown.find("kid")->asString() == key.kid());
    CHECK(shown.find("kty")->asString() == "EC");
    CHECK(shown.find("crv")->asString() == "P-256");
    CHECK(shown.find("thumbprint")->asString() == key.thumbprint());

    REQUIRE(std::filesystem::is_regular_file(file));
    entity::Subordinate written = loadFile(file);
    CHECK(written.entityId.str() == live.leaf);
    REQUIRE(written.jwks);
    CHECK(written.jwks->toJson() == live.fed.entity(live.leaf).jwks.toJson());
    CHECK(written.entityTypes == std::vector<std::string>{"federation_entity", "openid_relying_party"});
    CHECK_FALSE(written.intermediate);
    CHECK_FALSE(written.statementLifetime);
    CHECK(*out.find("subordinate") == entity::subordinateToJson(written));

    // The directory as a whole loads, with the server's options.
    auto set = entity::SubordinateSet::loadDirectory(dir.path(), {.allowHttp = true});
    REQUIRE_MESSAGE(set, set.error().describe());
    CHECK((*set)->find(live.leaf));
}

TEST_CASE("subordinate add warns when the entity's authority_hints do not lead to this authority")
{
    LiveEntities live;
    auto warningsOf = [&](std::vector<std::string> extra) {
        TempDir dir;
        std::vector<std::string> args{live.leaf, "--dir", dir.path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        auto run = add(args);
        REQUIRE_MESSAGE(run.exitCode == 0, run.out);  // a warning, never a refusal
        return *json(run.out).find("warnings");
    };
    CHECK(warningsOf({}).asArray().empty());
    CHECK(warningsOf({"--issuer", live.ta}).asArray().empty());
    const Json other = warningsOf({"--issuer", live.server.base() + "/other-ta"});
    REQUIRE(other.asArray().size() == 1);
    CHECK(other.asArray()[0].asString().find("authority_hints do not name " + live.server.base() + "/other-ta") !=
          std::string::npos);

    // An entity that names no superior at all.
    live.fed.add(live.server.base() + "/orphan", json(R"({"openid_relying_party": {}})"));
    live.server.serve(*entityConfigurationUrl(live.server.base() + "/orphan"),
                      live.fed.entityConfiguration(live.server.base() + "/orphan"));
    TempDir dir;
    auto orphan = add({live.server.base() + "/orphan", "--dir", dir.path().string()});
    REQUIRE_MESSAGE(orphan.exitCode == 0, orphan.out);
    const Json warnings = *json(orphan.out).find("warnings");
    REQUIRE(warnings.asArray().size() == 1);
    CHECK(warnings.asArray()[0].asString().find("no authority_hints") != std::string::npos);
}

TEST_CASE("subordinate add: --intermediate, --entity-type and --lifetime are recorded")
{
    LiveEntities live;
    TempDir dir;
    auto run = add({live.im, "--dir", dir.path().string(), "--intermediate", "--entity-type", "federation_entity",
                    "--entity-type", "openid_provider", "--lifetime", "600"});
    REQUIRE_MESSAGE(run.exitCode == 0, run.out);
    Json out = json(run.out);
    CHECK(out.find("looks_like_intermediate")->asBool());
    // openid_provider is not in its metadata: recorded as asked, with a warning.
    CHECK(out.find("warnings")->size() == 1);
    entity::Subordinate written = loadFile(dir.path() / live.fileFor("im"));
    CHECK(written.intermediate);
    CHECK(written.entityTypes == std::vector<std::string>{"federation_entity", "openid_provider"});
    CHECK(written.statementLifetime == 600);

    // Out-of-range lifetime: usage, nothing written.
    TempDir other;
    CHECK(add({live.im, "--dir", other.path().string(), "--lifetime", "59"}).exitCode == 2);
    CHECK(fileCount(other) == 0);
}

TEST_CASE("subordinate add refuses an Entity Configuration that does not verify or is not the entity's")
{
    LiveEntities live;
    TempDir dir;
    auto forged = add({live.forged, "--dir", dir.path().string()});
    CHECK(forged.exitCode == 1);
    Json error = json(forged.out);
    CHECK(error.find("code")->asString() == "bad_signature");
    CHECK(fileCount(dir) == 0);

    auto impostor = add({live.impostor, "--dir", dir.path().string()});
    CHECK(impostor.exitCode == 1);
    Json notItsOwn = json(impostor.out);
    CHECK(notItsOwn.find("code")->asString() == "invalid_claim");
    CHECK(notItsOwn.find("claim")->asString() == "sub");
    CHECK(notItsOwn.find("entity_id")->asString() == live.impostor);
    CHECK(fileCount(dir) == 0);
}

TEST_CASE("subordinate add: unreachable or unpublished is unavailable (3)")
{
    LiveEntities live;
    TempDir dir;
    CHECK(add({"http://127.0.0.1:1/nobody", "--dir", dir.path().string()}).exitCode == 3);
    CHECK(add({live.server.base() + "/unknown", "--dir", dir.path().string()}).exitCode == 3);
    CHECK(fileCount(dir) == 0);
}

TEST_CASE("subordinate add: an existing file needs --force, which replaces it atomically")
{
    LiveEntities live;
    TempDir dir;
    REQUIRE(add({live.leaf, "--dir", dir.path().string()}).exitCode == 0);
    const std::filesystem::path file = dir.path() / live.fileFor("leaf");
    const std::string before = test::readFile(file.string());

    auto again = add({live.leaf, "--dir", dir.path().string(), "--intermediate"});
    CHECK(again.exitCode == 2);
    CHECK(test::readFile(file.string()) == before);

    auto forced = add({live.leaf, "--dir", dir.path().string(), "--force", "--lifetime", "7200"});
    REQUIRE_MESSAGE(forced.exitCode == 0, forced.out);
    CHECK(json(forced.out).find("replaced")->asBool());
    CHECK(loadFile(file).statementLifetime == 7200);
    CHECK(fileCount(dir) == 1);  // no temporary file left behind

    // --force never replaces a file that names another entity.
    Json foreign = json(test::readFile(file.string()));
    foreign.set("entity_id", live.im);
    std::ofstream(file) << foreign.dump();
    CHECK(add({live.leaf, "--dir", dir.path().string(), "--force"}).exitCode == 2);
    CHECK(json(test::readFile(file.string())).find("entity_id")->asString() == live.im);
}

TEST_CASE("subordinate add: the same entity already listed in another file is refused")
{
    LiveEntities live;
    TempDir dir;
    REQUIRE(add({live.leaf, "--dir", dir.path().string()}).exitCode == 0);
    std::filesystem::rename(dir.path() / live.fileFor("leaf"), dir.path() / "renamed-by-operator.json");
    auto run = add({live.leaf, "--dir", dir.path().string()});
    CHECK(run.exitCode == 2);
    Json listed = json(run.out);
    CHECK(listed.find("code")->asString() == "invalid_argument");
    // The file that already lists it is named: the operator must find it.
    CHECK(listed.find("error_description")->asString().find("renamed-by-operator.json") != std::string::npos);
    CHECK(fileCount(dir) == 1);
}

TEST_CASE("subordinate add --dry-run prints the file and writes nothing")
{
    LiveEntities live;
    TempDir dir;
    auto run = add({live.leaf, "--dir", dir.path().string(), "--dry-run"});
    REQUIRE_MESSAGE(run.exitCode == 0, run.out);
    Json out = json(run.out);
    CHECK(out.find("dry_run")->asBool());
    CHECK_FALSE(out.find("written")->asBool());
    CHECK(out.find("subordinate")->findString("entity_id")->c_str() == live.leaf);
    CHECK_FALSE(out.contains("reload"));  // nothing changed
    CHECK(fileCount(dir) == 0);

    // Text output prints the file too.
    auto text = test::runProcess({test::oidfedCli(), "--format", "text", "subordinate", "add", live.leaf, "--dir",
                                  dir.path().string(), "--dry-run", "--allow-http", "--allow-loopback"});
    CHECK(text.exitCode == 0);
    CHECK(text.out.find("\"entity_id\": \"" + live.leaf + "\"") != std::string::npos);
    CHECK(text.out.find(live.fed.entity(live.leaf).key.thumbprint()) != std::string::npos);
    CHECK(fileCount(dir) == 0);
}

TEST_CASE("subordinate add: usage errors exit 2 before anything is fetched")
{
    LiveEntities live;
    TempDir dir;
    CHECK(add({"not an id", "--dir", dir.path().string()}).exitCode == 2);
    CHECK(add({"https://rp.example.org/?q=1", "--dir", dir.path().string()}).exitCode == 2);
    CHECK(add({live.leaf, "--dir", (dir.path() / "missing").string()}).exitCode == 2);
    CHECK(add({live.leaf}).exitCode == 2);  // --dir is required
    // http without the test switch is not an entity id; loopback without its switch is refused.
    CHECK(add({live.leaf, "--dir", dir.path().string()}, false).exitCode == 2);
    CHECK(add({live.leaf, "--dir", dir.path().string(), "--allow-http"}, false).exitCode == 2);
    CHECK(live.server.requests() == 0);
    CHECK(fileCount(dir) == 0);
}

TEST_CASE("subordinate add derives a safe file name: host[_port][_path], [A-Za-z0-9.-] kept")
{
    // An existing file of that name is refused before any fetch, with its path
    // in the error: that shows the name without a server for these hosts.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"https://rp.example.org", "rp.example.org.json"},
        {"https://rp.example.org/", "rp.example.org.json"},
        {"https://op.example.org:8443", "op.example.org_8443.json"},
        {"https://rp.example.org/tenants/a~b/c.d-e_f/", "rp.example.org_tenants_a_b_c.d-e_f.json"},
        {"https://[::1]:8443/x", "___1__8443_x.json"},
        {"https://rp.example.org/../../etc", "rp.example.org_.._.._etc.json"},
    };
    for (const auto &item : cases) {
        const auto &id = item.first;  // not a structured binding: clang < 16 cannot capture one
        const auto &name = item.second;
        CAPTURE(id);
        TempDir dir;
        std::ofstream(dir.path() / name) << "{}";
        auto run = add({id, "--dir", dir.path().string()});
        CHECK(run.exitCode == 2);
        Json error = json(run.out);
        CHECK(error.find("code")->asString() == "invalid_argument");
        CHECK(error.find("error_description")->asString().find((dir.path() / name).string()) != std::string::npos);
    }
}
