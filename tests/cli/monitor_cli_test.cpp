// `oidfed monitor` against a federation served over real HTTP on 127.0.0.1,
// with one entity per kind of trouble the crawl must find: a statement about
// to expire, a forged statement, an entity whose hints name an authority
// that does not list it, one that is listed but names no superior, one that
// is listed but not served, one whose published keys differ from the ones
// its superior vouches for, one with an expiring and an unverifiable trust
// mark, one whose metadata breaks its superior's policy. Each is found, with
// the right kind, severity and related entity, and nothing is found about
// the healthy ones; the exit code follows --severity.
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/trust_mark.h>

#include "federation_server.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

constexpr std::int64_t kDay = 86400;

Json rp(const std::string &name)
{
    Json metadata = json(R"({"openid_relying_party": {"redirect_uris": ["https://rp.example/cb"]}})");
    metadata.find("openid_relying_party")->set("client_name", name);
    return metadata;
}

struct Federation {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 30 * kDay};
    std::string base = server.base();
    std::string ta = base + "/ta", ia = base + "/ia";
    std::string good = base + "/good", soon = base + "/soon", forged = base + "/forged", orphan = base + "/orphan",
                stray = base + "/stray", missing = base + "/missing", rotated = base + "/rotated",
                marked = base + "/marked", badPolicy = base + "/bad-policy";
    std::string member = "https://marks.example/member", unknown = "https://marks.example/unknown";
    test::TempDir dir{"oidfed-monitor"};
    std::string anchorFile = (dir.path() / "ta.json").string();

    std::string mark(const std::string &issuer, const std::string &subject, const std::string &type, UnixTime exp)
    {
        TrustMarkClaims claims{.issuer = *EntityId::parse(issuer, {.allowHttp = true}),
                               .subject = *EntityId::parse(subject, {.allowHttp = true})};
        claims.trustMarkType = type;
        claims.issuedAt = now - 600;
        claims.expiresAt = exp;
        StatementOptions options;
        options.entityIds.allowHttp = true;
        auto jwt = issueTrustMark(claims, fed.entity(issuer).key, options);
        REQUIRE_MESSAGE(jwt, jwt.error().describe());
        return *jwt;
    }

    Federation()
    {
        fed.add(ta, test::listingAuthorityMetadata(ta));
        fed.entity(ta).trustMarkIssuers = Json::object();
        fed.entity(ta).trustMarkIssuers.set(member, Json(Json::Array{Json(ta)}));
        fed.add(ia, test::listingAuthorityMetadata(ia), {ta});
        fed.add(good, rp("good"), {ia});
        fed.add(soon, rp("soon"), {ia});
        fed.add(forged, rp("forged"), {ia});
        fed.add(orphan, rp("orphan"), {ia, ta});
        fed.add(stray, rp("stray"));
        fed.add(rotated, rp("rotated"), {ia});
        fed.add(marked, rp("marked"), {ia});
        fed.add(badPolicy, rp("bad-policy"), {ia});

        Json marks = Json::array();
        for (const auto &[issuer, type, exp] : std::vector<std::tuple<std::string, std::string, UnixTime>>{
                 {ta, member, now + 3600}, {ia, unknown, now + 30 * kDay}}) {
            Json entry = Json::object();
            entry.set("trust_mark_type", type);
            entry.set("trust_mark", mark(issuer, marked, type, exp));
            marks.push(std::move(entry));
        }
        fed.entity(marked).trustMarks = marks;

        const std::vector<std::string> listed{good, soon, forged, orphan, stray, missing, rotated, marked, badPolicy};
        server.serve(ta + "/list", Json(Json::Array{Json(ia)}).dump(), 0, "application/json");
        Json iaList = Json::array();
        for (const std::string &id : listed)
            iaList.push(id);
        server.serve(ia + "/list", iaList.dump(), 0, "application/json");
        server.serve(test::fetchUrl(ta, ia), fed.subordinateStatement(ta, ia));
        for (const std::string &id : {good, orphan, stray, marked})
            server.serve(test::fetchUrl(ia, id), fed.subordinateStatement(ia, id));
        server.serve(test::fetchUrl(ia, soon), fed.subordinateStatement(ia, soon, {}, now - 600, now + 2 * 3600));
        test::SubordinateClaims policy;
        policy.metadataPolicy =
            json(R"({"openid_relying_party": {"grant_types": {"subset_of": ["authorization_code"], "essential": true}}})");
        server.serve(test::fetchUrl(ia, badPolicy), fed.subordinateStatement(ia, badPolicy, policy));
        // The statement vouches for the key rotated signs with; its Entity
        // Configuration then publishes one more.
        server.serve(test::fetchUrl(ia, rotated), fed.subordinateStatement(ia, rotated));
        const std::string extraKid = fed.publishExtraKey(rotated).kid();
        // Signed by another federation's intermediate of the same name.
        test::TestFederation other{now - 600, now + 30 * kDay};
        other.add(ia, test::listingAuthorityMetadata(ia), {ta});
        other.add(forged, rp("forged"), {ia});
        server.serve(test::fetchUrl(ia, forged), other.subordinateStatement(ia, forged));

        for (const std::string &id : {ta, ia, good, soon, forged, orphan, stray, rotated, marked, badPolicy})
            server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));

        fed.writeAnchorFile(ta, anchorFile);
        (void)extraKid;
    }

    test::ProcessResult monitor(std::vector<std::string> extra = {}, const std::string &file = {})
    {
        std::vector<std::string> args{"--format", "json", "monitor", "--trust-anchor-file",
                                      file.empty() ? anchorFile : file, "--allow-http", "--allow-loopback"};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runOidfed(args);
    }
};

using Seen = std::set<std::tuple<std::string, std::string, std::string, std::string>>;

/// (entity, kind, severity, related) of every finding.
Seen findingsOf(const Json &report)
{
    Seen seen;
    for (const Json &finding : report.find("findings")->asArray()) {
        const std::string *related = finding.findString("related");
        seen.emplace(*finding.findString("entity_id"), *finding.findString("kind"), *finding.findString("severity"),
                     related ? *related : std::string());
    }
    return seen;
}

} // namespace

TEST_CASE("monitor crawls the federation and names each problem with its kind, severity and related entity")
{
    Federation f;
    auto run = f.monitor();
    INFO(run.out << run.err);
    CHECK(run.exitCode == 1);  // errors exist
    const Json out = json(run.out);
    REQUIRE(out.find("reports")->asArray().size() == 1);
    const Json &report = out.find("reports")->asArray().front();
    CHECK(*report.findString("trust_anchor") == f.ta);
    CHECK_FALSE(report.find("truncated")->asBool());
    CHECK(report.find("counts")->find("entities")->asInt() == 11);

    Seen findings = findingsOf(report);
    // The resolver's rule for the forged statement and the missing entity's
    // fetch error name an entity of their own; only kind and severity are
    // fixed here, the related entity is checked where the crawl sets it.
    auto has = [&](const std::string &entity, const std::string &kind, const std::string &severity) {
        for (const auto &[e, k, s, r] : findings)
            if (e == entity && k == kind && s == severity)
                return true;
        return false;
    };
    CHECK(findings.contains({f.soon, "statement_expiring", "warning", f.ia}));
    CHECK(has(f.forged, "chain_invalid", "error"));
    CHECK(findings.contains({f.orphan, "hint_not_listed", "warning", f.ta}));
    CHECK(findings.contains({f.stray, "listed_without_hint", "warning", f.ia}));
    CHECK(has(f.stray, "chain_invalid", "error"));
    CHECK(has(f.missing, "unreachable", "error"));
    CHECK(findings.contains({f.rotated, "key_mismatch", "warning", f.ia}));
    CHECK(findings.contains({f.marked, "trust_mark_expiring", "warning", f.ta}));
    CHECK(findings.contains({f.marked, "trust_mark_invalid", "warning", ""}));
    CHECK(has(f.badPolicy, "policy_error", "error"));

    // Nothing about the healthy ones.
    // (No INFO with structured bindings: clang cannot capture them.)
    for (const auto &finding : findings) {
        const std::string &entity = std::get<0>(finding);
        INFO(entity << " " << std::get<1>(finding));
        CHECK(entity != f.ta);
        CHECK(entity != f.ia);
        CHECK(entity != f.good);
    }
    CHECK(findings.size() == 10);
    CHECK(report.find("counts")->find("findings")->find("key_mismatch")->asInt() == 1);

    // Every entity is there, with the resolver's verdict.
    std::size_t valid = 0;
    for (const Json &entity : report.find("entities")->asArray())
        valid += *entity.findString("verdict") == "valid" ? 1 : 0;
    CHECK(valid == 7);  // ta, ia, good, soon, orphan, rotated, marked
    CHECK(report.find("counts")->find("invalid")->asInt() == 4);
}

TEST_CASE("monitor: the exit code follows --severity; an unreachable anchor is 3; bad usage is 2")
{
    Federation f;
    // Only the anchor and the intermediate: healthy.
    auto shallow = f.monitor({"--max-depth", "1"});
    INFO(shallow.out << shallow.err);
    CHECK(shallow.exitCode == 0);
    CHECK(json(shallow.out).find("reports")->asArray().front().find("truncated")->asBool());

    // A 60-day window makes every statement (30 days) a warning.
    auto strict = f.monitor({"--max-depth", "1", "--severity", "warning", "--expiry-window", "60"});
    CHECK(strict.exitCode == 1);
    CHECK(json(strict.out).find("failing_findings")->asInt() > 0);

    auto text = test::runOidfed({"--format", "text", "monitor", "--trust-anchor-file", f.anchorFile, "--allow-http",
                                 "--allow-loopback"});
    CHECK(text.exitCode == 1);
    CHECK(text.out.find("* error policy_error") != std::string::npos);
    CHECK(text.out.find("finding(s) at or above error") != std::string::npos);

    // An anchor whose Entity Configuration is not served.
    Json gone = Json::object();
    gone.set("entity_id", f.base + "/gone");
    gone.set("jwks", f.fed.anchor(f.ta).jwks.toJson());
    const std::string goneFile = (f.dir.path() / "gone.json").string();
    std::ofstream(goneFile) << gone.dump();
    auto unreachable = f.monitor({}, goneFile);
    INFO(unreachable.out << unreachable.err);
    CHECK(unreachable.exitCode == 3);

    CHECK(f.monitor({"--severity", "fatal"}).exitCode == 2);
}

TEST_CASE("monitor: a cycle between intermediates ends; a long list costs what max-list-size allows; a huge one is "
          "refused at the response cap")
{
    test::FederationServer server;
    const UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 30 * kDay};
    const std::string ta = server.base() + "/ta", ia = server.base() + "/ia", ib = server.base() + "/ib",
                      flood = server.base() + "/flood", huge = server.base() + "/huge";
    fed.add(ta, test::listingAuthorityMetadata(ta));
    fed.add(ia, test::listingAuthorityMetadata(ia), {ta, ib});
    fed.add(ib, test::listingAuthorityMetadata(ib), {ta, ia});
    fed.add(flood, test::listingAuthorityMetadata(flood), {ta});
    fed.add(huge, test::listingAuthorityMetadata(huge), {ta});
    for (const std::string &id : {ta, ia, ib, flood, huge})
        server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
    server.serve(ta + "/list", Json(Json::Array{Json(ia), Json(ib), Json(flood), Json(huge)}).dump(), 0,
                 "application/json");
    // ia and ib list each other: a cycle below the anchor.
    server.serve(ia + "/list", Json(Json::Array{Json(ib)}).dump(), 0, "application/json");
    server.serve(ib + "/list", Json(Json::Array{Json(ia)}).dump(), 0, "application/json");
    for (const std::string &id : {ia, ib, flood, huge})
        server.serve(test::fetchUrl(ta, id), fed.subordinateStatement(ta, id));
    server.serve(test::fetchUrl(ia, ib), fed.subordinateStatement(ia, ib));
    server.serve(test::fetchUrl(ib, ia), fed.subordinateStatement(ib, ia));
    // flood lists 5,000 entities that do not exist (within the 256 KiB
    // response cap), huge 50,000 (beyond it).
    auto ghostList = [&](int count) {
        Json many = Json::array();
        for (int i = 0; i < count; ++i)
            many.push(server.base() + "/ghost/" + std::to_string(i));
        return many.dump();
    };
    server.serve(flood + "/list", ghostList(5000), 0, "application/json");
    server.serve(huge + "/list", ghostList(50000), 0, "application/json");

    test::TempDir dir{"oidfed-monitor-bounds"};
    const std::string anchorFile = (dir.path() / "ta.json").string();
    fed.writeAnchorFile(ta, anchorFile);

    auto run = test::runOidfed({"--format", "json", "monitor", "--trust-anchor-file", anchorFile, "--allow-http",
                                "--allow-loopback", "--max-list-size", "20"});
    INFO(run.err);
    CHECK(run.exitCode == 1);  // the ghosts are unreachable
    const Json report = json(run.out).find("reports")->asArray().front();
    CHECK(report.find("truncated")->asBool());
    // ta, ia, ib, flood, huge and 20 of the ghosts: each entity once,
    // whatever the cycle.
    CHECK(report.find("counts")->find("entities")->asInt() == 25);
    std::size_t iaSeen = 0, ghosts = 0;
    for (const Json &entity : report.find("entities")->asArray()) {
        const std::string &id = *entity.findString("entity_id");
        iaSeen += id == ia ? 1 : 0;
        ghosts += id.find("/ghost/") != std::string::npos ? 1 : 0;
        if (id == huge) {
            CHECK(*entity.findString("verdict") == "valid");  // its chain is fine: its list is not
            CHECK(*entity.find("list_error")->findString("code") == "limit_exceeded");
        }
        if (id == ia) {
            // Listed by the anchor and by ib, which its hints both name.
            CHECK(entity.find("superiors")->asArray().size() == 2);
            CHECK(*entity.findString("verdict") == "valid");
        }
    }
    CHECK(iaSeen == 1);
    CHECK(ghosts == 20);
    CHECK(report.find("counts")->find("findings")->find("unreachable")->asInt() == 21);
    CHECK(report.find("counts")->find("findings")->find("hint_not_listed")->asInt() == 0);
}
