// Errors that say what to do (issue 21 section 2), from the built binary:
// refusals that a test switch lifts name it, a trust anchor file that is a
// JWT says so, an unreadable file gives the reason, keygen --out creates its
// directory, policy apply warns about metadata not keyed by entity type, and
// commands that change what a running server publishes say to reload it.
// Where the text itself is the contract (the switch, the reason) the tests
// read the message; otherwise the error code.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/json.h>

#include "subprocess.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

std::string example(const std::string &name)
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source);
    return std::string(source) + "/trust-anchors/examples/figure4/" + name;
}

/// A usage error (exit 2, invalid_argument) and its description.
std::string usageError(const test::ProcessResult &run)
{
    CHECK(run.exitCode == 2);
    Json error = json(run.out);
    CHECK(error.find("error")->asString() == "invalid_request");
    CHECK(error.find("code")->asString() == "invalid_argument");
    return error.find("error_description")->asString();
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a refusal that a test switch lifts names the switch")
{
    const std::string pin = example("trust-anchor.json");
    // An http:// entity identifier, refused by the entity id parser.
    std::string refused = usageError(test::runOidfed({"--json", "resolve", "http://127.0.0.1:9/x", "--trust-anchor-file", pin}));
    CHECK(contains(refused, "--allow-http"));
    CHECK(contains(refused, "\"allow_http\": true"));
    refused = usageError(test::runOidfed({"--json", "keys", "pin", "--dir", ".", "--entity-id", "http://op.example"}));
    CHECK(contains(refused, "--allow-http"));

    // An http:// URL, refused by the fetcher.
    refused = usageError(test::runOidfed({"--json", "inspect", "http://127.0.0.1:9/x"}));
    CHECK(contains(refused, "--allow-http"));

    // A loopback destination, refused by the fetcher's address guard before
    // any connection.
    refused = usageError(test::runOidfed({"--json", "inspect", "--allow-http", "http://127.0.0.1:9/x"}));
    CHECK(contains(refused, "--allow-loopback"));
    CHECK(contains(refused, "\"allow_loopback\": true"));
    test::TempDir dir;
    refused = usageError(test::runOidfed({"--json", "subordinate", "add", "http://127.0.0.1:9/x", "--dir", dir.path().string(),
                                 "--allow-http"}));
    CHECK(contains(refused, "--allow-loopback"));
    refused = usageError(test::runOidfed({"--json", "resolve", "http://127.0.0.1:9/x", "--trust-anchor-file", pin,
                                 "--allow-http"}));
    CHECK(contains(refused, "--allow-loopback"));

    // With both switches the same commands get as far as the network: unavailable.
    CHECK(test::runOidfed({"--json", "inspect", "--allow-http", "--allow-loopback", "http://127.0.0.1:9/x"}).exitCode == 3);
}

TEST_CASE("a trust anchor file that is a JWT says so")
{
    const std::string jwt = example("3-trust-anchor-entity-configuration.jwt");
    const std::string refused = usageError(
        test::runOidfed({"--json", "resolve", "https://op.example.org", "--trust-anchor-file", jwt}));
    CHECK(contains(refused, jwt + " is a JWT, not a trust anchor file"));

    // Other JSON errors keep the parser's message.
    test::TempDir dir;
    const std::string broken = (dir.path() / "broken.json").string();
    std::ofstream(broken) << "{\"entity_id\": ";
    const std::string parse = usageError(
        test::runOidfed({"--json", "resolve", "https://op.example.org", "--trust-anchor-file", broken}));
    CHECK_FALSE(contains(parse, "is a JWT"));
}

TEST_CASE("a file that cannot be read gives the reason")
{
    test::TempDir dir;
    const std::string missing = (dir.path() / "missing.json").string();
    const std::string folder = dir.path().string();
    CHECK(contains(usageError(test::runOidfed({"--json", "policy", "combine", missing})), "No such file or directory (ENOENT)"));
    CHECK(contains(usageError(test::runOidfed({"--json", "policy", "apply", folder, missing})), "Is a directory (EISDIR)"));
    CHECK(contains(usageError(test::runOidfed({"--json", "resolve", "https://op.example.org", "--trust-anchor-file", missing})),
                   "cannot read trust anchor file " + missing + ": No such file or directory (ENOENT)"));
    CHECK(contains(usageError(test::runOidfed({"--json", "resolve", "--batch", missing, "--trust-anchor-file",
                                      example("trust-anchor.json")})),
                   "cannot read --batch file " + missing + ": No such file or directory (ENOENT)"));
    CHECK(contains(usageError(test::runOidfed({"--json", "inspect", missing})), "ENOENT"));
}

TEST_CASE("keygen --out creates the directory, mode 0700, or says what is in the way")
{
    test::TempDir dir;
    const std::filesystem::path out = dir.path() / "new" / "keys";
    auto run = test::runOidfed({"--json", "keygen", "--alg", "ES256", "--out", out.string()});
    REQUIRE_MESSAGE(run.exitCode == 0, run.out);
    struct stat info {};
    REQUIRE(::stat(out.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    CHECK(std::filesystem::exists(json(run.out).find("private_key_file")->asString()));
    // An existing directory is used as it is.
    CHECK(test::runOidfed({"--json", "keygen", "--alg", "ES256", "--out", out.string()}).exitCode == 0);

    const std::string file = (dir.path() / "a-file").string();
    std::ofstream(file) << "x";
    CHECK(contains(usageError(test::runOidfed({"--json", "keygen", "--alg", "ES256", "--out", file})),
                   file + " exists and is not a directory"));
    CHECK(contains(usageError(test::runOidfed({"--json", "keygen", "--alg", "ES256", "--out", file + "/keys"})), file));
}

TEST_CASE("policy apply warns on stderr when the metadata is not keyed by entity type")
{
    test::TempDir dir;
    const std::string policy = (dir.path() / "policy.json").string();
    const std::string flat = (dir.path() / "flat.json").string();
    const std::string keyed = (dir.path() / "keyed.json").string();
    std::ofstream(policy) << R"({"openid_provider":{"scopes_supported":{"subset_of":["openid"]}}})";
    std::ofstream(flat) << R"({"scopes_supported":["openid","phone"]})";
    std::ofstream(keyed) << R"({"openid_provider":{"scopes_supported":["openid","phone"]}})";

    auto warned = test::runOidfed({"--json", "policy", "apply", policy, flat});
    CHECK(warned.exitCode == 0);
    CHECK(json(warned.out) == json(R"({"scopes_supported":["openid","phone"]})"));  // untouched, as before
    CHECK(contains(warned.err, "warning: " + flat + " is not keyed by entity type"));
    CHECK(contains(warned.err, "\"scopes_supported\""));

    auto quiet = test::runOidfed({"--json", "policy", "apply", policy, keyed});
    CHECK(quiet.exitCode == 0);
    CHECK(quiet.err.empty());
}

TEST_CASE("key changes say that a running server publishes them after a reload, and how")
{
    test::TempDir dir;
    const std::string keys = (dir.path() / "keys").string();
    auto init = test::runOidfed({"--json", "keys", "init", "--dir", keys});
    REQUIRE(init.exitCode == 0);
    auto rotated = test::runOidfed({"--json", "keys", "rotate", "--dir", keys});
    REQUIRE(rotated.exitCode == 0);
    const std::string note = json(rotated.out).find("reload")->asString();
    CHECK(contains(note, "kill -HUP"));
    CHECK(contains(note, "systemctl reload oidfed"));

    auto activated = test::runOidfed({"--format", "text", "keys", "activate", "--dir", keys});
    REQUIRE(activated.exitCode == 0);
    CHECK(activated.out.ends_with("reload: " + note + "\n"));

    // Listing changes nothing, and says nothing about reloading.
    auto listed = test::runOidfed({"--json", "keys", "list", "--dir", keys});
    REQUIRE(listed.exitCode == 0);
    CHECK_FALSE(json(listed.out).contains("reload"));
}
