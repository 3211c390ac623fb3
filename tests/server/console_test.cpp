// The web console (issue 19 item 3, docs/console.md) of a real `oidfed
// serve` over the demo federation: its files with the security headers (a
// strict Content-Security-Policy, nosniff, no-referrer) and ETags, paths
// that try to leave its files (404, nothing read from disk), the data calls
// closed without an admin operator's token unless read_without_credentials,
// each view's data (the hosted entities, an entity's keys and statements,
// expiry, health with the crawler's findings), the explain report of
// a deliberately broken chain naming the failing rule, and a change made
// through the console's forward to the admin API (the file, the served
// statement, the audit log). That no script of a federation member runs in
// the page is the browser's business: tests/e2e/console_browser.mjs.

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <string>
#include <vector>

#include <oidfed/federation_urls.h>

#include "core/sha256.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

namespace fs = std::filesystem;

namespace {

const std::string kWriteToken = "console-write-token-for-tests-only-0123456789";
const std::string kReadToken = "console-read-token-for-tests-only-9876543210";
const std::string kCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                         "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The demo with the admin API and a console whose data needs a token, and
/// the RP's statement given a policy its metadata violates (logo_uri
/// essential): a broken chain to explain.
struct ConsoleFederation {
    int adminPort = test::freeLoopbackPort();
    ServedFederation fed;

    explicit ConsoleFederation(bool anonymousRead = false)
        : fed("\"console\": { \"path\": \"/ui/\", \"read_without_credentials\": true },",
              std::string("\"console\": { \"path\": \"/ui/\", \"read_without_credentials\": ") +
                  (anonymousRead ? "true" : "false") +
                  " }, \"admin\": {\"listen\": \"127.0.0.1:" + std::to_string(adminPort) +
                  "\", \"audit_log\": \"admin-audit.log\", \"operators\": ["
                  "{\"name\": \"alice\", \"token_sha256\": \"" + sha256Hex(kWriteToken) + "\", \"role\": \"write\"},"
                  "{\"name\": \"bob\", \"token_sha256\": \"" + sha256Hex(kReadToken) + "\", \"role\": \"read\"}]},",
              [](ServedFederation &served) {
                  const fs::path rp = served.dir() / "subordinates" / "ia" / "rp.json";
                  test::writeText(rp, test::replaceAll(test::readText(rp), "\"client_registration_types\": {",
                                                       "\"logo_uri\": { \"essential\": true }, "
                                                       "\"client_registration_types\": {"));
              })
    {
    }

    HttpReply get(const std::string &pathAndQuery, const std::string &token = {},
                  std::vector<std::string> headers = {}) const
    {
        if (!token.empty())
            headers.push_back("Authorization: Bearer " + token);
        return fed.get(pathAndQuery, headers);
    }
};

Json bodyOf(const HttpReply &reply)
{
    auto body = parseJson(reply.body);
    REQUIRE_MESSAGE(body, reply.body);
    return std::move(body).value();
}

void checkSecurityHeaders(const HttpReply &reply)
{
    CHECK(reply.header("content-security-policy") == kCsp);
    CHECK(reply.header("x-content-type-options") == "nosniff");
    CHECK(reply.header("referrer-policy") == "no-referrer");
    CHECK(reply.header("x-frame-options") == "DENY");
}

} // namespace

TEST_CASE("console: its files, the security headers, paths that try to leave them")
{
    ConsoleFederation console;

    SUBCASE("the page, its script and style: the right types, a strict CSP, an ETag that revalidates")
    {
        HttpReply page = console.get("/ui/");
        REQUIRE(page.status == 200);
        CHECK(page.header("content-type").find("text/html") == 0);
        CHECK(page.body.find("<script type=\"module\" src=\"console.js\"></script>") != std::string::npos);
        checkSecurityHeaders(page);
        const std::string etag = page.header("etag");
        REQUIRE(!etag.empty());
        HttpReply again = console.get("/ui/", {}, {"If-None-Match: " + etag});
        CHECK(again.status == 304);
        CHECK(again.body.empty());

        HttpReply script = console.get("/ui/console.js");
        CHECK(script.status == 200);
        CHECK(script.header("content-type").find("text/javascript") == 0);
        checkSecurityHeaders(script);
        CHECK(console.get("/ui/console.css").header("content-type").find("text/css") == 0);
        CHECK(console.get("/ui/index.html").body == page.body);

        HttpReply bare = console.get("/ui");
        CHECK(bare.status == 308);
        CHECK(bare.header("location") == "/ui/");
    }

    SUBCASE("an unknown file and every spelling of a path out of the console: 404, nothing read from disk")
    {
        for (const char *path : {"/ui/nothing.js", "/ui/../oidfed.json", "/ui/%2e%2e/oidfed.json",
                                        "/ui/..%2foidfed.json", "/ui/console/../../oidfed.json", "/ui//etc/passwd",
                                        "/ui/api/%2e%2e/index.html"}) {
            HttpReply reply = console.get(path, kReadToken);
            CHECK_MESSAGE(reply.status == 404, std::string(path));
            CHECK(reply.body.find("entities") == std::string::npos);
            CHECK(reply.body.find("root:") == std::string::npos);
        }
        CHECK(console.get("/ui/", {}, {}).status == 200);
        HttpReply post = test::httpRequest(console.fed.base() + "/ui/index.html", {}, "POST", "x");
        CHECK(post.status == 405);
    }

    SUBCASE("the federation endpoints are answered as before beside it")
    {
        CHECK(console.get("/ta/.well-known/openid-federation").status == 200);
        CHECK(console.get("/healthz").status == 200);
    }
}

TEST_CASE("console: data calls need an operator's token; each view's data")
{
    ConsoleFederation console;
    ServedFederation &fed = console.fed;

    SUBCASE("no token or a wrong one: 401; a read or write operator's token opens the data")
    {
        for (const std::string &token : {std::string(), std::string("not-a-configured-token")}) {
            HttpReply reply = console.get("/ui/api/entities", token);
            CHECK(reply.status == 401);
            CHECK(reply.header("www-authenticate").find("Bearer") == 0);
            checkSecurityHeaders(reply);
        }
        CHECK(console.get("/ui/api/entities", kReadToken).status == 200);
        CHECK(console.get("/ui/api/entities", kWriteToken).status == 200);
        CHECK(console.get("/ui/api/nothing", kReadToken).status == 404);
    }

    SUBCASE("entities: the demo's five, with superiors, subordinates and roles")
    {
        Json body = bodyOf(console.get("/ui/api/entities", kReadToken));
        const Json::Array &entities = body.find("entities")->asArray();
        REQUIRE(entities.size() == 5);
        CHECK(*entities[0].findString("entity_id") == fed.id("ta"));
        CHECK(*entities[0].findString("organization_name") == "Demo Federation Trust Anchor");
        CHECK(entities[0].find("resolver")->asBool());
        CHECK(entities[1].find("authority_hints")->asArray().at(0).asString() == fed.id("ta"));
        CHECK(entities[1].find("subordinates")->size() == 3);
        CHECK(body.find("trust_anchors")->asArray()[0].asString() == fed.id("ta"));
        CHECK_FALSE(body.find("read_only")->asBool());
    }

    SUBCASE("one entity: its decoded configuration, keys with states, statements with time left, marks held and issued")
    {
        HttpReply reply = console.get("/ui/api/entity?id=" + percentEncode(fed.id("ia")), kReadToken);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        Json body = bodyOf(reply);
        CHECK(*body.find("configuration")->find("payload")->findString("sub") == fed.id("ia"));
        CHECK(*body.find("keys")->find("keys")->asArray()[0].findString("state") == "active");
        const Json::Array &subordinates = body.find("subordinates")->asArray();
        REQUIRE(subordinates.size() == 3);
        CHECK(subordinates[0].find("seconds_left")->asInt() > 0);
        const Json &issued = body.find("trust_marks_issued")->asArray().at(0);
        CHECK(*issued.findString("trust_mark_type") == "https://demo-federation.example.org/trust-marks/certified-provider");
        CHECK(issued.find("subjects")->size() == 2);

        Json op = bodyOf(console.get("/ui/api/entity?id=" + percentEncode(fed.id("op")), kReadToken));
        const Json &held = op.find("trust_marks_held")->asArray().at(0);
        CHECK(*held.findString("iss") == fed.id("ia"));
        CHECK(held.find("seconds_left")->asInt() > 0);
        CHECK(console.get("/ui/api/entity?id=" + percentEncode(fed.id("nobody")), kReadToken).status == 404);
        CHECK(console.get("/ui/api/entity?id=a&id=b", kReadToken).status == 400);
    }

    SUBCASE("expiry, soonest first; health with the crawler's findings")
    {
        Json expiry = bodyOf(console.get("/ui/api/expiry", kReadToken));
        const Json::Array &items = expiry.find("items")->asArray();
        REQUIRE(items.size() >= 10);
        std::int64_t previous = INT64_MIN;
        for (const Json &item : items)
            if (const Json *left = item.find("seconds_left"); left && left->isInt()) {
                CHECK(left->asInt() >= previous);
                previous = left->asInt();
            }
        // The anchor's crawler (the demo's resolver.crawl) finds the broken
        // RP: its finding, as the crawl made it, and nothing made up.
        Json health;
        for (int attempt = 0; attempt < 100; ++attempt) {
            health = bodyOf(console.get("/ui/api/health", kReadToken));
            if (health.find("crawler")->find("available")->asBool())
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        REQUIRE(health.find("crawler")->find("available")->asBool());
        const Json &crawls = *health.find("crawler")->find("crawls");
        REQUIRE(crawls.asArray().size() == 1);
        CHECK(*crawls.asArray().front().findString("trust_anchor") == fed.id("ta"));
        std::size_t aboutRp = 0;
        for (const Json &finding : health.find("crawler")->find("findings")->asArray()) {
            CHECK(*finding.findString("trust_anchor") == fed.id("ta"));
            if (*finding.findString("entity_id") == fed.id("rp") && *finding.findString("severity") == "error") {
                ++aboutRp;
                CHECK(*finding.findString("kind") == "policy_error");
            }
        }
        CHECK(aboutRp == 1);
    }

    SUBCASE("explain: a valid chain with provenance; the broken one names the rule that failed")
    {
        Json valid = bodyOf(console.get("/ui/api/explain?sub=" + percentEncode(fed.id("op")), kReadToken));
        CHECK(*valid.findString("verdict") == "valid");
        CHECK(valid.find("explain")->find("candidates")->size() >= 1);
        CHECK(valid.find("explain")->find("metadata_provenance")->size() >= 1);
        CHECK(valid.find("chain")->size() == 4);

        Json broken = bodyOf(console.get("/ui/api/explain?sub=" + percentEncode(fed.id("rp")), kReadToken));
        CHECK(*broken.findString("verdict") == "invalid");
        const Json &candidate = broken.find("explain")->find("candidates")->asArray().at(0);
        CHECK(*candidate.findString("verdict") == "invalid");
        REQUIRE(candidate.find("reason")->findString("rule") != nullptr);
        CHECK(*candidate.find("reason")->findString("rule") == "6.1.4.2");
        CHECK(candidate.find("reason")->findString("error_description")->find("logo_uri") != std::string::npos);

        CHECK(console.get("/ui/api/explain", kReadToken).status == 400);
        CHECK(console.get("/ui/api/explain?sub=x&trust_anchor=" + percentEncode(fed.id("ia")), kReadToken).status ==
              404);
    }

    SUBCASE("federation: the walk under the anchor, each entity judged")
    {
        HttpReply reply = console.get("/ui/api/federation", kReadToken);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        Json body = bodyOf(reply);
        CHECK(*body.findString("trust_anchor") == fed.id("ta"));
        CHECK(body.find("entities")->size() == 5);
        CHECK(body.find("statements")->size() == 4);
        for (const Json &entity : body.find("entities")->asArray())
            CHECK_MESSAGE(*entity.findString("verdict") == (*entity.findString("entity_id") == fed.id("rp") ? "invalid"
                                                                                                              : "valid"),
                          entity.dump());
    }
}

TEST_CASE("console: a change through its forward to the admin API, with the admin API's roles and audit")
{
    ConsoleFederation console;
    ServedFederation &fed = console.fed;
    const fs::path ciFile = fed.dir() / "subordinates" / "ia" / "ci.json";
    const std::string ci = "?entity=" + percentEncode(fed.id("ia")) + "&sub=" + percentEncode(fed.id("ci"));
    const std::string before = test::readText(ciFile);
    const std::string ifMatch = "If-Match: \"" + sha256Hex(before) + "\"";
    auto block = [&](const std::string &token) {
        std::vector<std::string> headers = {ifMatch, "Content-Type: application/json"};
        if (!token.empty())
            headers.push_back("Authorization: Bearer " + token);
        return test::httpRequest(fed.base() + "/ui/admin/subordinate/block" + ci, headers, "POST",
                                 R"({"reason": "console test"})");
    };

    CHECK(block("").status == 401);
    CHECK(block(kReadToken).status == 403);
    CHECK(test::readText(ciFile) == before);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("ci"))).status == 200);

    HttpReply done = block(kWriteToken);
    REQUIRE_MESSAGE(done.status == 200, done.body);
    checkSecurityHeaders(done);
    CHECK(bodyOf(done).find("applied")->asBool());
    CHECK(test::readText(ciFile).find("console test") != std::string::npos);
    CHECK(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("ci"))).status == 404);
    const std::string audit = test::readText(fed.dir() / "admin-audit.log");
    CHECK(audit.find("\"operator\":\"alice\"") != std::string::npos);
    CHECK(audit.find("subordinate.block") != std::string::npos);
    CHECK(audit.find(kWriteToken) == std::string::npos);
}

TEST_CASE("console: read_without_credentials opens the data, never the changes")
{
    ConsoleFederation console(true);
    CHECK(console.get("/ui/api/entities").status == 200);
    CHECK(console.get("/ui/api/health").status == 200);
    HttpReply change = test::httpRequest(console.fed.base() + "/ui/admin/reload", {}, "POST", "{}");
    CHECK(change.status == 401);
}
