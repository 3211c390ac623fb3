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

/// fork + execv with stdout captured; stderr discarded. No shell involved.
Run runOidfed(std::vector<std::string> args)
{
    args.insert(args.begin(), {gBinary, "--format", "json"});
    int pipeFds[2];
    REQUIRE(pipe(pipeFds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        if (FILE *null = std::fopen("/dev/null", "w"))
            dup2(fileno(null), STDERR_FILENO);
        close(pipeFds[0]);
        close(pipeFds[1]);
        std::vector<char *> argv;
        for (std::string &a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(pipeFds[1]);
    Run run;
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipeFds[0], buffer, sizeof buffer)) > 0)
        run.out.append(buffer, static_cast<std::size_t>(n));
    close(pipeFds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
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
