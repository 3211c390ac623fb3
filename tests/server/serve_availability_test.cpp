// One bad item never takes `oidfed serve` down (issue 21, section 1): a
// broken subordinate file, a broken trust mark type file and an expired
// trust mark delegation each leave the rest of a real server serving, at
// start (the item is left out) and on reload (the item keeps its last good
// state); each is named by /readyz and counted by /metrics, and a fixed item
// comes back on the next SIGHUP.

#include <doctest/doctest.h>

#include <ctime>
#include <string>

#include <oidfed/federation_urls.h>
#include <oidfed/jws.h>
#include <oidfed/trust_mark.h>

#include "served_federation.h"
#include "subprocess.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::json;
using test::ServedFederation;

namespace fs = std::filesystem;

namespace {

const std::string kType = "https://demo-federation.example.org/trust-marks/certified-provider";

// The /readyz problems of `kind` for entity `entity`.
std::vector<Json> problemsOf(const Json &readiness, const std::string &entity, const std::string &kind)
{
    std::vector<Json> out;
    if (const Json *problems = readiness.find("problems"))
        for (const Json &problem : problems->asArray())
            if (*problem.findString("entity") == entity && *problem.findString("kind") == kind)
                out.push_back(problem);
    return out;
}

// The value of oidfed_item_problems{entity,kind} in /metrics (0 when absent).
double itemProblems(const ServedFederation &fed, const std::string &entity, const std::string &kind)
{
    HttpReply metrics = fed.get("/metrics");
    REQUIRE(metrics.status == 200);
    const std::string series = "oidfed_item_problems{entity=\"" + entity + "\",kind=\"" + kind + "\"} ";
    std::size_t at = metrics.body.find(series);
    if (at == std::string::npos)
        return 0;
    return std::stod(metrics.body.substr(at + series.size()));
}

// The served state a bad item must never take down.
void checkOthersServed(const ServedFederation &fed)
{
    for (const char *name : {"ta", "ia", "op", "rp", "ci"})
        CHECK_MESSAGE(fed.get(std::string("/") + name + "/.well-known/openid-federation").status == 200, name);
    CHECK(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia"))).status == 200);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("op"))).status == 200);
    CHECK(fed.get("/healthz").status == 200);
}

void checkReady(const ServedFederation &fed)
{
    Json readiness = fed.readiness();
    CHECK_MESSAGE(*readiness.findString("status") == "ready", readiness.dump());
    CHECK_FALSE(readiness.contains("problems"));
    CHECK(fed.get("/metrics").body.find("oidfed_item_problems{") == std::string::npos);
}

bool holdsMark(const ServedFederation &fed, const std::string &name)
{
    HttpReply reply = fed.get("/" + name + "/.well-known/openid-federation");
    REQUIRE(reply.status == 200);
    auto jws = Jws::parse(reply.body);
    REQUIRE(jws);
    return jws->payloadJson().value().contains("trust_marks");
}

std::vector<std::string> holdersOfType(const ServedFederation &fed, long expectStatus)
{
    HttpReply reply = fed.get("/ia/trust-mark-list?trust_mark_type=" + percentEncode(kType));
    REQUIRE_MESSAGE(reply.status == expectStatus, reply.body);
    std::vector<std::string> out;
    if (reply.status == 200) {
        const Json holders = json(reply.body);
        for (const Json &id : holders.asArray())
            out.push_back(id.asString());
    }
    return out;
}

// The certified-provider type is not issued (a problem of `kind` of the
// intermediate, left out), the OP does not hold it, and everything else is
// served. Returns the problem.
Json typeLeftOut(const ServedFederation &fed, const std::string &kind)
{
    holdersOfType(fed, 404);
    CHECK_FALSE(holdsMark(fed, "op"));
    checkOthersServed(fed);
    const Json readiness = fed.readiness();
    CHECK(*readiness.findString("status") == "degraded");
    std::vector<Json> problems = problemsOf(readiness, fed.id("ia"), kind);
    REQUIRE_MESSAGE(problems.size() == 1, readiness.dump());
    CHECK(*problems[0].findString("serving") == "left_out");
    return problems[0];
}

const fs::path kRpFile = fs::path("subordinates") / "ia" / "rp.json";
const fs::path kTypeFile = fs::path("trust-marks") / "ia" / "certified-provider.json";
const std::string kBrokenSubordinate = R"({"entity_id": "https://x.example", "typo": 1})";

// A delegation of the certified-provider type from the anchor to the
// intermediate, signed with the anchor's key, valid from iat to exp.
std::string delegation(const ServedFederation &fed, UnixTime iat, UnixTime exp)
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    TrustMarkDelegationClaims claims{.owner = *EntityId::parse(fed.id("ta"), {.allowHttp = true}),
                                     .issuer = *EntityId::parse(fed.id("ia"), {.allowHttp = true}),
                                     .trustMarkType = kType,
                                     .issuedAt = iat,
                                     .expiresAt = exp};
    auto jwt = issueTrustMarkDelegation(claims, fed.activeKeyOf("ta"), options);
    REQUIRE_MESSAGE(jwt, jwt.error().describe());
    return *jwt;
}

// The type file takes its delegation from delegation.jwt (a delegation the
// owner issued) instead of the hosted owner signing it; the anchor's keys
// exist before the start, so that the file can be signed.
void useDelegationFile(ServedFederation &fed, UnixTime iat, UnixTime exp)
{
    REQUIRE(test::runProcess({test::oidfedCli(), "keys", "init", "--dir", (fed.dir() / "keys" / "ta").string()})
                .exitCode == 0);
    std::string text = test::readText(fed.dir() / kTypeFile);
    const std::string delegatedBy = "\"delegated_by\": \"" + fed.id("ta") + "\"";
    REQUIRE(text.find(delegatedBy) != std::string::npos);
    test::writeText(fed.dir() / kTypeFile, test::replaceAll(text, delegatedBy, "\"delegation_file\": \"delegation.jwt\""));
    test::writeText(fed.dir() / "trust-marks" / "ia" / "delegation.jwt", delegation(fed, iat, exp) + "\n");
}

} // namespace

TEST_CASE("a broken subordinate file is left out at start; the rest is served; fixed, it comes back on SIGHUP")
{
    std::string original;
    ServedFederation fed({}, {}, [&](ServedFederation &f) {
        original = test::readText(f.dir() / kRpFile);
        test::writeText(f.dir() / kRpFile, kBrokenSubordinate);
    });
    test::checkSpecError(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))), 404, "not_found");
    checkOthersServed(fed);
    std::vector<std::string> listed;
    const Json list = json(fed.get("/ia/list").body);
    for (const Json &id : list.asArray())
        listed.push_back(id.asString());
    CHECK(listed == std::vector<std::string>{fed.id("ci"), fed.id("op")});

    Json readiness = fed.readiness();
    CHECK(*readiness.findString("status") == "degraded");
    std::vector<Json> problems = problemsOf(readiness, fed.id("ia"), "subordinate");
    REQUIRE_MESSAGE(problems.size() == 1, readiness.dump());
    CHECK(*problems[0].findString("file") == (fed.dir() / kRpFile).string());
    CHECK(*problems[0].findString("serving") == "left_out");
    CHECK(*problems[0].findString("code") == "invalid_argument");
    CHECK(itemProblems(fed, fed.id("ia"), "subordinate") == 1);
    CHECK(fed.process().log().find("rp.json") != std::string::npos);

    test::writeText(fed.dir() / kRpFile, original);
    REQUIRE(fed.reload());
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))).status == 200);
    checkReady(fed);
}

TEST_CASE("a subordinate file broken on reload keeps its last good state")
{
    ServedFederation fed;
    const std::string original = test::readText(fed.dir() / kRpFile);
    const std::string before = fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))).body;
    test::writeText(fed.dir() / kRpFile, kBrokenSubordinate);
    REQUIRE(fed.reload());
    HttpReply kept = fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp")));
    CHECK(kept.status == 200);
    checkOthersServed(fed);
    std::vector<Json> problems = problemsOf(fed.readiness(), fed.id("ia"), "subordinate");
    REQUIRE(problems.size() == 1);
    CHECK(*problems[0].findString("serving") == "previous");
    CHECK(*problems[0].findString("item") == fed.id("rp"));
    CHECK(itemProblems(fed, fed.id("ia"), "subordinate") == 1);

    test::writeText(fed.dir() / kRpFile, original);
    REQUIRE(fed.reload());
    checkReady(fed);
    CHECK_FALSE(before.empty());
}

TEST_CASE("a broken trust mark type file: the type is not issued at start, everything else is; fixed, it comes back")
{
    std::string original;
    ServedFederation fed({}, {}, [&](ServedFederation &f) {
        original = test::readText(f.dir() / kTypeFile);
        test::writeText(f.dir() / kTypeFile, "{ \"trust_mark_type\": ");
    });
    const Json problem = typeLeftOut(fed, "trust_mark_type");
    CHECK(*problem.findString("file") == (fed.dir() / kTypeFile).string());
    const Json readiness = fed.readiness();
    // The holders configured to obtain it are reported too.
    CHECK(problemsOf(readiness, fed.id("op"), "held_trust_mark").size() == 1);
    CHECK(itemProblems(fed, fed.id("ia"), "trust_mark_type") == 1);
    CHECK(itemProblems(fed, fed.id("op"), "held_trust_mark") == 1);

    test::writeText(fed.dir() / kTypeFile, original);
    REQUIRE(fed.reload());
    CHECK(holdersOfType(fed, 200) == std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(holdsMark(fed, "op"));
    checkReady(fed);
}

TEST_CASE("a trust mark type file broken on reload keeps its last good state")
{
    ServedFederation fed;
    const std::string original = test::readText(fed.dir() / kTypeFile);
    test::writeText(fed.dir() / kTypeFile, "[]");
    REQUIRE(fed.reload());
    CHECK(holdersOfType(fed, 200) == std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(holdsMark(fed, "op"));
    std::vector<Json> problems = problemsOf(fed.readiness(), fed.id("ia"), "trust_mark_type");
    REQUIRE(problems.size() == 1);
    CHECK(*problems[0].findString("serving") == "previous");
    CHECK(*problems[0].findString("item") == kType);
    CHECK(*problems[0].findString("code") == "malformed");

    test::writeText(fed.dir() / kTypeFile, original);
    REQUIRE(fed.reload());
    checkReady(fed);
}

TEST_CASE("an expired delegation: the type is not issued at start, everything else is; renewed, it comes back")
{
    const UnixTime now = std::time(nullptr);
    ServedFederation fed({}, {}, [&](ServedFederation &f) { useDelegationFile(f, now - 7200, now - 3600); });
    const Json problem = typeLeftOut(fed, "delegation");
    CHECK(*problem.findString("item") == kType);
    CHECK(*problem.findString("code") == "expired");
    CHECK(itemProblems(fed, fed.id("ia"), "delegation") == 1);

    test::writeText(fed.dir() / "trust-marks" / "ia" / "delegation.jwt", delegation(fed, now, now + 86400));
    REQUIRE(fed.reload());
    CHECK(holdersOfType(fed, 200) == std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(holdsMark(fed, "op"));
    checkReady(fed);
}

TEST_CASE("a delegation replaced by an expired one on reload keeps the last good one")
{
    const UnixTime now = std::time(nullptr);
    ServedFederation fed({}, {}, [&](ServedFederation &f) { useDelegationFile(f, now, now + 86400); });
    checkReady(fed);
    test::writeText(fed.dir() / "trust-marks" / "ia" / "delegation.jwt", delegation(fed, now - 7200, now - 3600));
    REQUIRE(fed.reload());
    CHECK(holdersOfType(fed, 200) == std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(holdsMark(fed, "op"));
    checkOthersServed(fed);
    std::vector<Json> problems = problemsOf(fed.readiness(), fed.id("ia"), "delegation");
    REQUIRE(problems.size() == 1);
    CHECK(*problems[0].findString("serving") == "previous");
    CHECK(itemProblems(fed, fed.id("ia"), "delegation") == 1);
}

namespace {

// Makes every private key file of a hosted entity readable by others (the
// key store refuses to load it) or restores mode 0600.
void exposeKeys(const ServedFederation &fed, const std::string &name, bool exposed)
{
    for (const auto &entry : fs::directory_iterator(fed.dir() / "keys" / name))
        if (entry.path().extension() == ".pem")
            fs::permissions(entry.path(), exposed ? fs::perms(0644) : fs::perms(0600), fs::perm_options::replace);
}

} // namespace

TEST_CASE("keys that cannot be loaded: the entity is left out at start (and what relies on its keys); "
          "on reload its previous keys keep signing")
{
    ServedFederation fed({}, {}, [](ServedFederation &f) {
        REQUIRE(test::runProcess({test::oidfedCli(), "keys", "init", "--dir", (f.dir() / "keys" / "rp").string()})
                    .exitCode == 0);
        exposeKeys(f, "rp", true);
    });
    CHECK(fed.get("/rp/.well-known/openid-federation").status == 404);
    // The intermediate vouches for the RP with the RP's own keys: left out.
    test::checkSpecError(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))), 404, "not_found");
    CHECK(fed.get("/op/.well-known/openid-federation").status == 200);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("op"))).status == 200);
    Json readiness = fed.readiness();
    CHECK(problemsOf(readiness, fed.id("rp"), "keys").size() == 1);
    CHECK(problemsOf(readiness, fed.id("ia"), "subordinate").size() == 1);
    CHECK(itemProblems(fed, fed.id("rp"), "keys") == 1);

    exposeKeys(fed, "rp", false);
    REQUIRE(fed.reload());
    CHECK(fed.get("/rp/.well-known/openid-federation").status == 200);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))).status == 200);
    checkReady(fed);

    exposeKeys(fed, "rp", true);
    REQUIRE(fed.reload());
    CHECK(fed.get("/rp/.well-known/openid-federation").status == 200);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("rp"))).status == 200);
    std::vector<Json> problems = problemsOf(fed.readiness(), fed.id("rp"), "keys");
    REQUIRE(problems.size() == 1);
    CHECK(*problems[0].findString("serving") == "previous");
    checkOthersServed(fed);
}
