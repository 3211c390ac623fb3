// `oidfed pin` run as a relying party would (the built binary, no shell, no
// terminal) against Entity Configurations served over real HTTP on
// 127.0.0.1: the pin file is written only once the thumbprints are
// confirmed, and it is what --trust-anchor-file reads.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <oidfed/trust_anchor.h>

#include "subordinate_fixture.h"

using namespace oidfed;
using test::json;
using test::LiveEntities;
using test::TempDir;

namespace {

test::ProcessResult pin(std::vector<std::string> args)
{
    std::vector<std::string> argv{test::oidfedCli(), "--format", "json", "pin"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--allow-http");
    argv.push_back("--allow-loopback");
    return test::runProcess(std::move(argv));
}

} // namespace

TEST_CASE("pin writes the anchor's pin file once its thumbprints are confirmed")
{
    LiveEntities live;
    TempDir dir;
    const std::string out = (dir.path() / "ta.json").string();
    const Jwk &key = live.fed.entity(live.im).key;

    // Not confirmed (no terminal, no --yes, no --expect-thumbprint): nothing
    // written, exit 2.
    auto unconfirmed = pin({live.im, "--out", out});
    CHECK(unconfirmed.exitCode == 2);
    CHECK(json(unconfirmed.out).find("code")->asString() == "invalid_argument");
    CHECK_FALSE(std::filesystem::exists(out));

    // An expected thumbprint that is not among its keys: exit 1.
    auto wrong = pin({live.im, "--out", out, "--expect-thumbprint", live.fed.entity(live.leaf).key.thumbprint()});
    CHECK(wrong.exitCode == 1);
    CHECK(json(wrong.out).find("code")->asString() == "key_not_found");
    CHECK_FALSE(std::filesystem::exists(out));

    // The published thumbprint confirms.
    auto written = pin({live.im, "--out", out, "--expect-thumbprint", key.thumbprint()});
    REQUIRE_MESSAGE(written.exitCode == 0, written.out);
    Json report = json(written.out);
    CHECK(report.find("keys")->asArray()[0].find("thumbprint")->asString() == key.thumbprint());
    Json file = json(test::readFile(out));
    CHECK(file.find("entity_id")->asString() == live.im);
    CHECK(*file.find("jwks") == live.fed.entity(live.im).jwks.toJson());
    // The format --trust-anchor-file reads.
    auto anchors = loadTrustAnchors(out, {.allowHttp = true});
    REQUIRE_MESSAGE(anchors, anchors.error().describe());
    CHECK(anchors->front().entityId.str() == live.im);

    // An existing file needs --force; an EC that does not verify is never pinned.
    CHECK(pin({live.im, "--out", out, "--yes"}).exitCode == 2);
    CHECK(pin({live.im, "--out", out, "--yes", "--force"}).exitCode == 0);
    const std::string other = (dir.path() / "forged.json").string();
    auto forged = pin({live.forged, "--out", other, "--yes"});
    CHECK(forged.exitCode == 1);
    CHECK(json(forged.out).find("code")->asString() == "bad_signature");
    CHECK_FALSE(std::filesystem::exists(other));
}
