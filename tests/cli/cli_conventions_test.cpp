// The conventions every oidfed command follows (PRODUCT.md 3.1, issue 21
// section 3): global options before or after the command, --json, --version,
// the global options in every command's --help, unknown commands naming the
// ones that exist, and --format text honoured by resolve and policy. The
// built binary, no shell; a federation served on loopback for resolve.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>

#include "federation_server.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

bool isJson(const std::string &text)
{
    return parseJson(text).has_value();
}

std::vector<std::string> splitNames(const std::string &list)
{
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t end = list.find(", ", start);
        names.push_back(list.substr(start, end == std::string::npos ? std::string::npos : end - start));
        start = end == std::string::npos ? list.size() : end + 2;
    }
    return names;
}

/// The commands a level offers, from the usage error of a missing command:
/// "... needs a command: a, b, c (see ...)".
std::vector<std::string> commandsOf(const std::vector<std::string> &level)
{
    auto run = test::runOidfed(level);
    REQUIRE(run.exitCode == 2);
    Json error = json(run.out);
    CHECK(error.find("code")->asString() == "invalid_argument");
    const std::string &description = error.find("error_description")->asString();
    const std::size_t from = description.find(": ");
    const std::size_t to = description.rfind(" (see ");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    return splitNames(description.substr(from + 2, to - from - 2));
}

/// Every command line that names a command with no subcommands below it.
void collectLeaves(std::vector<std::string> level, std::vector<std::vector<std::string>> &leaves)
{
    for (const std::string &name : commandsOf(level)) {
        std::vector<std::string> command = level;
        command.push_back(name);
        auto run = test::runOidfed(command);
        Json answer = isJson(run.out) ? json(run.out) : Json();
        const std::string *description = answer.isObject() ? answer.findString("error_description") : nullptr;
        if (description && description->find(" needs a command: ") != std::string::npos)
            collectLeaves(command, leaves);
        else
            leaves.push_back(command);
    }
}

// ta <- op, served on loopback; the anchor's policy narrows the OP's scopes.
struct LiveFederation {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 3600};
    std::string ta = server.base() + "/ta";
    std::string op = server.base() + "/op";
    test::TempDir dir;
    std::string anchorFile = (dir.path() / "ta.json").string();

    LiveFederation()
    {
        std::signal(SIGPIPE, SIG_IGN);
        fed.add(ta, test::authorityMetadata(ta));
        Json metadata = json(R"({"openid_provider":{"scopes_supported":["openid","email","phone"]}})");
        metadata.find("openid_provider")->set("issuer", op);
        fed.add(op, metadata, {ta});
        server.serve(*entityConfigurationUrl(ta), fed.entityConfiguration(ta));
        server.serve(*entityConfigurationUrl(op), fed.entityConfiguration(op));
        test::SubordinateClaims claims;
        claims.metadataPolicy = json(R"({"openid_provider":{"scopes_supported":{"subset_of":["openid","email"]}}})");
        server.serve(*fetchEndpointUrl(ta + "/fetch", op), fed.subordinateStatement(ta, op, claims));

        TrustAnchor anchor = fed.anchor(ta);
        Json pin = Json::object();
        pin.set("entity_id", anchor.entityId.str());
        pin.set("jwks", anchor.jwks.toJson());
        std::ofstream(anchorFile) << pin.dump();
    }

    std::vector<std::string> resolve(std::vector<std::string> args) const
    {
        args.insert(args.begin(), "resolve");
        for (const std::string &arg : {std::string("--trust-anchor-file"), anchorFile, std::string("--allow-http"),
                                       std::string("--allow-loopback")})
            args.push_back(arg);
        return args;
    }
};

} // namespace

TEST_CASE("--format and --json are accepted before and after the command, at every level")
{
    test::TempDir tmp;
    const std::string out = tmp.path().string();
    for (const std::vector<std::string> &args : std::vector<std::vector<std::string>>{
             {"--format", "json", "keygen", "--alg", "ES256", "--out", out},
             {"keygen", "--alg", "ES256", "--out", out, "--format", "json"},
             {"keygen", "--json", "--alg", "ES256", "--out", out},
             {"--json", "keygen", "--alg", "ES256", "--out", out},
             {"--format=json", "keygen", "--alg", "ES256", "--out", out}}) {
        CAPTURE(args);
        auto run = test::runOidfed(args);
        REQUIRE_MESSAGE(run.exitCode == 0, run.err);
        CHECK(json(run.out).contains("kid"));
    }
    auto text = test::runOidfed({"keygen", "--alg", "ES256", "--out", out, "--format", "text"});
    REQUIRE(text.exitCode == 0);
    CHECK_FALSE(isJson(text.out));
    CHECK(text.out.find("kid:") != std::string::npos);

    // Nested commands: after the group, and after the leaf.
    const std::string keys = (tmp.path() / "keys").string();
    REQUIRE(test::runOidfed({"keys", "init", "--dir", keys}).exitCode == 0);
    auto listed = test::runOidfed({"keys", "--format", "json", "list", "--dir", keys});
    REQUIRE(listed.exitCode == 0);
    CHECK(json(listed.out).find("keys")->size() == 1);
    auto table = test::runOidfed({"--format", "json", "keys", "list", "--dir", keys, "--format", "text"});
    REQUIRE(table.exitCode == 0);
    CHECK_FALSE(isJson(table.out));

    // Not a format: usage.
    CHECK(test::runOidfed({"keygen", "--alg", "ES256", "--out", out, "--format", "yaml"}).exitCode == 2);
}

TEST_CASE("oidfed --version prints the version, as JSON when asked")
{
    auto asJson = test::runOidfed({"--version", "--json"});
    REQUIRE(asJson.exitCode == 0);
    Json version = json(asJson.out);
    CHECK(version.find("name")->asString() == "oidfed");
    const std::string &number = version.find("version")->asString();
    CHECK(std::count(number.begin(), number.end(), '.') == 2);

    auto asText = test::runOidfed({"--format", "text", "--version"});
    REQUIRE(asText.exitCode == 0);
    CHECK(asText.out == "oidfed " + number + "\n");
}

TEST_CASE("an unknown or missing command is a usage error that names the commands that exist")
{
    auto unknown = test::runOidfed({"--json", "resolv", "https://op.example"});
    CHECK(unknown.exitCode == 2);
    Json error = json(unknown.out);
    CHECK(error.find("error")->asString() == "invalid_request");
    CHECK(error.find("code")->asString() == "invalid_argument");
    // The text is the contract here: it lists what exists.
    const std::string &description = error.find("error_description")->asString();
    for (const char *command : {"inspect", "keygen", "policy", "resolve", "chain", "keys", "subordinate", "serve",
                                "check-config", "trust-mark"})
        CHECK(description.find(command) != std::string::npos);

    auto nested = test::runOidfed({"--format", "text", "keys", "rotat", "--dir", "x"});
    CHECK(nested.exitCode == 2);
    CHECK(nested.out.empty());
    CHECK(nested.err.find("rotat") != std::string::npos);
    CHECK(nested.err.find("rotate") != std::string::npos);
    CHECK(nested.err.find("activate") != std::string::npos);

    CHECK(commandsOf({"--json", "policy"}) == std::vector<std::string>{"combine", "apply", "impact"});
}

TEST_CASE("every command's --help lists the global options")
{
    std::vector<std::vector<std::string>> leaves;
    collectLeaves({"--json"}, leaves);
    CHECK(leaves.size() >= 15);
    for (std::vector<std::string> command : leaves) {
        command.erase(command.begin());  // --json
        command.push_back("--help");
        CAPTURE(command);
        auto help = test::runOidfed(command);
        CHECK(help.exitCode == 0);
        CHECK(help.out.find("--format") != std::string::npos);
        CHECK(help.out.find("--json") != std::string::npos);
    }
}

TEST_CASE("resolve --format text prints the chain and the metadata for people")
{
    LiveFederation live;
    auto asJson = test::runOidfed(live.resolve({live.op, "--json"}));
    REQUIRE_MESSAGE(asJson.exitCode == 0, asJson.out);
    CHECK(json(asJson.out).find("trust_anchor")->asString() == live.ta);

    auto text = test::runOidfed(live.resolve({live.op, "--format", "text"}));
    REQUIRE_MESSAGE(text.exitCode == 0, text.err);
    CHECK_FALSE(isJson(text.out));
    CHECK(text.out.find("subject:      " + live.op + "\n") != std::string::npos);
    CHECK(text.out.find("trust anchor: " + live.ta + "\n") != std::string::npos);
    CHECK(text.out.find("trust chain:  3 statements") != std::string::npos);
    CHECK(text.out.find("[Subordinate Statement about " + live.op + "]") != std::string::npos);
    CHECK(text.out.find("    scopes_supported: [\"openid\",\"email\"]\n") != std::string::npos);

    auto explained = test::runOidfed(live.resolve({live.op, "--format", "text", "--explain"}));
    REQUIRE(explained.exitCode == 0);
    CHECK(explained.out.find("  candidate -> " + live.op + " -> " + live.ta + ": valid") != std::string::npos);
    CHECK(explained.out.find("openid_provider.scopes_supported: modified by subset_of") != std::string::npos);

    // A failure: the error on stderr, nothing on stdout.
    auto missing = test::runOidfed(live.resolve({live.server.base() + "/nobody", "--format", "text"}));
    CHECK(missing.exitCode == 1);
    CHECK(missing.out.empty());
    CHECK(missing.err.find("not_found") != std::string::npos);

    // --batch: one line per entity, in either format.
    const std::string batch = (live.dir.path() / "batch.txt").string();
    std::ofstream(batch) << live.op << "\n" << live.server.base() << "/nobody\n";
    auto lines = test::runOidfed(live.resolve({"--batch", batch, "--format", "text"}));
    CHECK(lines.exitCode == 1);
    CHECK(lines.out.find(live.op + "  valid  under " + live.ta + ", expires ") != std::string::npos);
    CHECK(lines.out.find(live.server.base() + "/nobody  invalid  ") != std::string::npos);
    auto jsonLines = test::runOidfed(live.resolve({"--batch", batch, "--json"}));
    CHECK(json(jsonLines.out.substr(0, jsonLines.out.find('\n'))).find("verdict")->asString() == "valid");
}

TEST_CASE("resolve --format text shows an anchor key alarm, with or without --explain")
{
    LiveFederation live;
    // The anchor's EC also publishes a key the pin does not hold (G03).
    const Jwk other = live.fed.publishExtraKey(live.ta);
    live.server.serve(*entityConfigurationUrl(live.ta), live.fed.entityConfiguration(live.ta));

    auto text = test::runOidfed(live.resolve({live.op, "--format", "text"}));
    REQUIRE_MESSAGE(text.exitCode == 0, text.err);  // the pinned key still verifies everything
    CHECK(text.out.starts_with("ALARM (anchor_key_mismatch): "));
    CHECK(text.out.find(other.thumbprint()) != std::string::npos);
}

TEST_CASE("policy combine and apply --format text print the policy and metadata for people")
{
    test::TempDir tmp;
    const std::string policy = (tmp.path() / "policy.json").string();
    const std::string metadata = (tmp.path() / "metadata.json").string();
    std::ofstream(policy) << R"({"openid_provider":{"scopes_supported":{"subset_of":["openid","email"]}}})";
    std::ofstream(metadata) << R"({"openid_provider":{"scopes_supported":["openid","phone"],"jwks":{"keys":[{"kty":"EC"}]}}})";

    auto combined = test::runOidfed({"policy", "combine", policy, policy, "--format", "text"});
    REQUIRE(combined.exitCode == 0);
    CHECK(combined.out == "openid_provider:\n  scopes_supported:\n    subset_of: [\"openid\",\"email\"]\n");

    auto applied = test::runOidfed({"--format", "text", "policy", "apply", policy, metadata, "--explain"});
    REQUIRE(applied.exitCode == 0);
    CHECK(applied.out == "openid_provider:\n"
                         "  scopes_supported: [\"openid\"]\n"
                         "  jwks:\n"
                         "    keys:\n"
                         "      - kty: EC\n"
                         "changes:\n"
                         "  openid_provider.scopes_supported: modified by subset_of (" + policy +
                             "), was [\"openid\",\"phone\"], now [\"openid\"]\n");
}
