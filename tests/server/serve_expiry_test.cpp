// Warnings before things expire (issue 21, section 1): the expiry gauges of a
// real `oidfed serve`, its log warning within expiry_warning_seconds, and
// `oidfed expiry` for a configuration and for a remote entity with its chain
// and the anchor's pinned keys. Times come from statements signed at run time
// with lifetimes of days, so nothing depends on how fast the test runs.

#include <doctest/doctest.h>

#include <ctime>
#include <string>

#include <oidfed/trust_mark.h>

#include "served_federation.h"
#include "server/expiry.h"
#include "subprocess.h"
#include "test_support.h"

using namespace oidfed;
using test::json;
using test::ServedFederation;

namespace fs = std::filesystem;

namespace {

const std::string kType = "https://demo-federation.example.org/trust-marks/certified-provider";
const fs::path kTypeFile = fs::path("trust-marks") / "ia" / "certified-provider.json";
constexpr UnixTime kDay = 86400;

// The intermediate's type takes a delegation file from the anchor, valid
// until `exp` (the anchor's keys are made before the start to sign it).
void delegationUntil(ServedFederation &fed, UnixTime exp)
{
    REQUIRE(test::runProcess({test::oidfedCli(), "keys", "init", "--dir", (fed.dir() / "keys" / "ta").string()})
                .exitCode == 0);
    StatementOptions options;
    options.entityIds.allowHttp = true;
    TrustMarkDelegationClaims claims{.owner = *EntityId::parse(fed.id("ta"), {.allowHttp = true}),
                                     .issuer = *EntityId::parse(fed.id("ia"), {.allowHttp = true}),
                                     .trustMarkType = kType,
                                     .issuedAt = std::time(nullptr),
                                     .expiresAt = exp};
    auto jwt = issueTrustMarkDelegation(claims, fed.activeKeyOf("ta"), options);
    REQUIRE(jwt);
    test::writeText(fed.dir() / "trust-marks" / "ia" / "delegation.jwt", *jwt);
    const std::string delegatedBy = "\"delegated_by\": \"" + fed.id("ta") + "\"";
    test::writeText(fed.dir() / kTypeFile, test::replaceAll(test::readText(fed.dir() / kTypeFile), delegatedBy,
                                                            "\"delegation_file\": \"delegation.jwt\""));
}

// oidfed_expiry_seconds{entity,kind}, or nullopt when absent.
std::optional<double> expirySeconds(const ServedFederation &fed, const std::string &entity, const std::string &kind)
{
    const std::string body = fed.get("/metrics").body;
    const std::string series = "oidfed_expiry_seconds{entity=\"" + entity + "\",kind=\"" + kind + "\"} ";
    std::size_t at = body.find(series);
    if (at == std::string::npos)
        return std::nullopt;
    return std::stod(body.substr(at + series.size()));
}

test::ProcessResult expiry(std::vector<std::string> args)
{
    args.insert(args.begin(), {test::oidfedCli(), "--format", "json", "expiry"});
    return test::runProcess(args);
}

std::vector<std::string> expiringKinds(const test::ProcessResult &result)
{
    std::vector<std::string> kinds;
    const Json out = json(result.out);
    for (const Json &item : out.find("expiring")->asArray())
        kinds.push_back(*item.findString("kind"));
    return kinds;
}

} // namespace

TEST_CASE("a delegation file expiring in three days: gauge, one log warning, oidfed expiry --config")
{
    const UnixTime exp = std::time(nullptr) + 3 * kDay;
    ServedFederation fed({}, {}, [&](ServedFederation &f) { delegationUntil(f, exp); });
    auto left = expirySeconds(fed, fed.id("ia"), "delegation");
    REQUIRE(left);
    CHECK(*left > 2 * kDay);
    CHECK(*left <= 3 * kDay);
    // Renewed by the server itself: gauges, no warning.
    CHECK(expirySeconds(fed, fed.id("ia"), "trust_mark_issued"));
    CHECK(expirySeconds(fed, fed.id("op"), "trust_mark_held"));

    // Within the default window of 14 days: warned once, also after a reload.
    const std::string warning = "delegation " + kType;
    CHECK(fed.process().log().find(warning) != std::string::npos);
    REQUIRE(fed.reload());
    const std::string log = fed.process().log();
    CHECK(log.find(warning) == log.rfind(warning));

    const std::string config = (fed.dir() / "oidfed.json").string();
    test::ProcessResult within = expiry({"--config", config, "--within", "30d"});
    CHECK_MESSAGE(within.exitCode == 1, within.out << within.err);
    CHECK(expiringKinds(within) == std::vector<std::string>{"delegation"});
    const Json item = json(within.out).find("expiring")->asArray()[0];
    CHECK(*item.findString("entity") == fed.id("ia"));
    CHECK(*item.findString("item") == kType);
    CHECK(item.find("seconds_left")->asInt() <= 3 * kDay);
    CHECK_FALSE(item.find("renewed")->asBool());

    test::ProcessResult outside = expiry({"--config", config, "--within", "1d"});
    CHECK_MESSAGE(outside.exitCode == 0, outside.out << outside.err);
    CHECK(expiringKinds(outside).empty());
    CHECK(json(outside.out).find("checked")->asInt() >= 3);
}

TEST_CASE("expiry_warning_seconds: outside the window, no warning")
{
    const UnixTime exp = std::time(nullptr) + 3 * kDay;
    ServedFederation fed("\"threads\": 2,", "\"threads\": 2, \"expiry_warning_seconds\": 86400,",
                         [&](ServedFederation &f) { delegationUntil(f, exp); });
    CHECK(expirySeconds(fed, fed.id("ia"), "delegation"));
    CHECK(fed.process().log().find("delegation " + kType) == std::string::npos);
}

TEST_CASE("oidfed expiry ENTITY_ID: its configuration, marks and delegation, chain, and the anchor's pin")
{
    const UnixTime exp = std::time(nullptr) + 3 * kDay;
    ServedFederation fed({}, {}, [&](ServedFederation &f) { delegationUntil(f, exp); });
    const std::string pin = fed.writeAnchorFile();
    const std::vector<std::string> switches{"--allow-http", "--allow-loopback"};
    auto check = [&](std::vector<std::string> args) {
        args.insert(args.end(), switches.begin(), switches.end());
        return expiry(args);
    };

    test::ProcessResult soon = check({fed.id("op"), "--trust-anchor-file", pin, "--within", "30d"});
    CHECK_MESSAGE(soon.exitCode == 1, soon.out << soon.err);
    CHECK(expiringKinds(soon) == std::vector<std::string>{"delegation"});
    // Everything else its publishers renew: checked, not listed.
    CHECK(json(soon.out).find("checked")->asInt() >= 5);
    test::ProcessResult later = check({fed.id("op"), "--trust-anchor-file", pin, "--within", "1d"});
    CHECK_MESSAGE(later.exitCode == 0, later.out << later.err);

    // The anchor announces a next key the pin does not hold.
    REQUIRE(test::runProcess({test::oidfedCli(), "keys", "rotate", "--dir", (fed.dir() / "keys" / "ta").string()})
                .exitCode == 0);
    REQUIRE(fed.reload());
    test::ProcessResult unpinned = check({fed.id("op"), "--trust-anchor-file", pin, "--within", "1d"});
    CHECK_MESSAGE(unpinned.exitCode == 1, unpinned.out << unpinned.err);
    CHECK(expiringKinds(unpinned) == std::vector<std::string>{"anchor_pin"});
    CHECK(fed.get("/metrics").body.find("oidfed_key_next_age_seconds{entity=\"" + fed.id("ta") + "\"}") !=
          std::string::npos);

    // Activated: the old key retires and is published until its exp.
    REQUIRE(test::runProcess({test::oidfedCli(), "keys", "activate", "--dir", (fed.dir() / "keys" / "ta").string()})
                .exitCode == 0);
    REQUIRE(fed.reload());
    auto retired = expirySeconds(fed, fed.id("ta"), "key_retired");
    REQUIRE(retired);
    CHECK(*retired > 0);

    // Usage and unavailable.
    CHECK(expiry({fed.id("op"), "--config", (fed.dir() / "oidfed.json").string()}).exitCode == 2);
    CHECK(check({fed.id("op"), "--within", "3 weeks"}).exitCode == 2);
    CHECK(check({"http://127.0.0.1:1/nobody", "--within", "1d"}).exitCode == 3);
}

TEST_CASE("expiry items: due within a window unless renewed by their publisher; JSON and text")
{
    using server::ExpiringItem;
    using server::ExpiryKind;
    const UnixTime now = 1767787200;
    const std::chrono::seconds window(14 * kDay);
    ExpiringItem delegation{.entity = "https://ia.example", .kind = ExpiryKind::Delegation, .item = "t",
                            .expiresAt = now + 3 * kDay};
    CHECK(server::dueWithin(delegation, now, window));
    CHECK_FALSE(server::dueWithin(delegation, now, std::chrono::seconds(kDay)));
    ExpiringItem renewed = delegation;
    renewed.renewed = true;
    CHECK_FALSE(server::dueWithin(renewed, now, window));
    renewed.expiresAt = now;
    CHECK(server::dueWithin(renewed, now, window));  // expired: due even when renewed
    ExpiringItem atRisk = delegation;
    atRisk.expiresAt = -1;
    CHECK(server::dueWithin(atRisk, now, std::chrono::seconds(3600)));

    Json out = server::expiringItemToJson(delegation, now);
    CHECK(*out.findString("kind") == "delegation");
    CHECK(*out.findString("expires_at") == "2026-01-10T12:00:00Z");
    CHECK(out.find("seconds_left")->asInt() == 3 * kDay);
    CHECK(server::expiringItemToJson(atRisk, now).find("expires_at")->isNull());
    CHECK(server::describeExpiring(delegation, now) ==
          "https://ia.example: delegation t expires at 2026-01-10T12:00:00Z (in 3 d)");
    CHECK(server::describeDuration(59) == "59 s");
    CHECK(server::describeDuration(-7200) == "2 h");
}
