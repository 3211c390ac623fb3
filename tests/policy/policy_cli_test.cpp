// Runs the built `oidfed` binary (path in argv[1], passed by meson) without a
// shell: `policy combine` on the spec's Figures 10 and 11 must print Figure
// 12, `policy apply` must give Figure 14 from Figure 13 plus the superior's
// metadata of Figure 11, and the exit codes of PRODUCT.md 3.1 must hold.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "json_set_compare.h"
#include "subprocess.h"
#include "test_support.h"

using namespace oidfed;
using oidfed::test::equalAsSets;
using oidfed::test::json;

namespace {

std::string gBinary;
std::string gTempDir;

struct Run {
    int exitCode = -1;
    std::string out;
};

/// Runs the CLI in JSON mode (no shell; tests/support/subprocess.h).
Run runOidfed(std::vector<std::string> args)
{
    args.insert(args.begin(), {gBinary, "--format", "json"});
    oidfed::test::ProcessResult result = oidfed::test::runProcess(std::move(args));
    return Run{result.exitCode, std::move(result.out)};
}

std::string writeTemp(const std::string &name, const Json &value)
{
    const std::string path = gTempDir + "/" + name;
    FILE *file = std::fopen(path.c_str(), "w");
    REQUIRE(file);
    const std::string text = value.dump();
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
    return path;
}

Json figure(int number)
{
    static const Json examples = oidfed::test::loadSharedJson("oidfed-vectors/spec/spec_examples.json");
    for (const Json &f : examples.find("figures")->asArray())
        if (f.find("figure")->asInt() == number)
            return *f.find("json");
    FAIL("no figure " << number);
    return {};
}

} // namespace

TEST_CASE("policy combine: Figures 10 + 11 give Figure 12")
{
    const std::string ta = writeTemp("fig10.json", *figure(10).find("metadata_policy"));
    const std::string in = writeTemp("fig11.json", *figure(11).find("metadata_policy"));
    const Run run = runOidfed({"policy", "combine", ta, in});
    REQUIRE(run.exitCode == 0);
    const Json merged = json(run.out);
    REQUIRE(merged.find("openid_relying_party"));
    CHECK(equalAsSets(*merged.find("openid_relying_party"), figure(12)));
}

TEST_CASE("policy apply: Figure 12 on Figure 13 (with Figure 11's metadata) gives Figure 14")
{
    Json policy = Json::object();
    policy.set("openid_relying_party", figure(12));
    Json metadata = *figure(13).find("metadata");
    const Json superior = figure(11);
    for (const auto &[name, value] : superior.find("metadata")->find("openid_relying_party")->asObject())
        metadata.find("openid_relying_party")->set(name, value);
    const Run run = runOidfed({"policy", "apply", writeTemp("fig12.json", policy), writeTemp("fig13.json", metadata)});
    REQUIRE(run.exitCode == 0);
    CHECK(equalAsSets(*json(run.out).find("openid_relying_party"), figure(14)));
}

TEST_CASE("exit codes and error bodies")
{
    const std::string a = writeTemp("a.json", json(R"({"openid_relying_party":{"alg":{"value":"RS256"}}})"));
    const std::string b = writeTemp("b.json", json(R"({"openid_relying_party":{"alg":{"value":"ES256"}}})"));
    const Run conflict = runOidfed({"policy", "combine", a, b});
    CHECK(conflict.exitCode == 1);
    const Json error = json(conflict.out);
    CHECK(*error.findString("error") == "invalid_metadata");
    CHECK(error.findString("error_description")->find("alg") != std::string::npos);
    CHECK(*error.findString("claim") == "alg");

    const std::string md = writeTemp("md.json", json(R"({"openid_relying_party":{"alg":"PS256"}})"));
    const std::string oneOf = writeTemp("p.json", json(R"({"openid_relying_party":{"alg":{"one_of":["ES256"]}}})"));
    const Run violation = runOidfed({"policy", "apply", oneOf, md});
    CHECK(violation.exitCode == 1);
    CHECK(*json(violation.out).findString("error") == "invalid_metadata");

    // An unknown operator marked critical cannot be combined: invalid_metadata too.
    const std::string regexp = writeTemp("r.json", json(R"({"openid_relying_party":{"alg":{"regexp":"^ES"}}})"));
    const Run critical = runOidfed({"policy", "combine", "--crit", "regexp", regexp});
    CHECK(critical.exitCode == 1);
    CHECK(*json(critical.out).findString("error") == "invalid_metadata");
    CHECK(*json(critical.out).findString("code") == "unknown_critical");

    CHECK(runOidfed({"policy", "combine"}).exitCode == 2);
    CHECK(runOidfed({"policy", "apply", oneOf}).exitCode == 2);
    CHECK(runOidfed({"policy", "combine", gTempDir + "/missing.json"}).exitCode == 2);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: policy_cli_test PATH_TO_OIDFED [doctest options]\n");
        return 2;
    }
    gBinary = argv[1];
    char pattern[] = "/tmp/oidfed-policy-cli-XXXXXX";
    if (!mkdtemp(pattern))
        return 2;
    gTempDir = pattern;
    doctest::Context context;
    context.applyCommandLine(argc - 1, argv + 1);
    const int rc = context.run();
    std::vector<std::string> names{"fig10.json", "fig11.json", "fig12.json", "fig13.json", "a.json", "b.json",
                                   "md.json", "p.json"};
    for (const std::string &name : names)
        std::remove((gTempDir + "/" + name).c_str());
    rmdir(gTempDir.c_str());
    return rc;
}
