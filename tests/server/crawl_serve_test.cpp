// The crawler of `oidfed serve` on the demo federation (trust-anchors/demo,
// whose anchor's resolver crawls): the health report, the entity collection
// endpoint with its paging, filters and errors (Entity Collection Endpoint
// draft 00), the crawl gauges on /metrics, and the resolve endpoint that
// answers anonymous callers from the crawled caches only (spec 18.1).

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/entity_statement.h>

#include "background_process.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::json;
using test::ServedFederation;

namespace {

const std::string kCertified = "https://demo-federation.example.org/trust-marks/certified-provider";

/// The health report once the first crawl has finished (it runs at start).
Json healthOf(const ServedFederation &fed)
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        HttpReply reply = fed.get("/ta/federation-health");
        if (reply.status == 200)
            return json(reply.body);
        REQUIRE(reply.status == 503);
        CHECK(reply.header("retry-after") == "10");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the first crawl did not finish");
    return Json();
}

std::vector<std::string> idsOf(const Json &page)
{
    std::vector<std::string> ids;
    for (const Json &entity : page.find("entities")->asArray())
        ids.push_back(*entity.findString("entity_id"));
    return ids;
}

Json collection(const ServedFederation &fed, const std::string &query, long status = 200)
{
    HttpReply reply = fed.get("/ta/collection" + query);
    INFO(query << " -> " << reply.body);
    REQUIRE(reply.status == status);
    CHECK(reply.header("content-type") == "application/json");
    return json(reply.body);
}

std::string encoded(const std::string &text)
{
    std::string out;
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out += '%';
            out += kHex[static_cast<unsigned char>(c) >> 4];
            out += kHex[static_cast<unsigned char>(c) & 15];
        }
    }
    return out;
}

} // namespace

TEST_CASE("crawl: the health report names every entity of the demo federation and its findings")
{
    ServedFederation fed;
    Json health = healthOf(fed);
    CHECK(*health.findString("entity_id") == fed.id("ta"));
    REQUIRE(health.find("crawls")->asArray().size() == 1);
    const Json &crawl = health.find("crawls")->asArray().front();
    CHECK(*crawl.findString("trust_anchor") == fed.id("ta"));
    CHECK(crawl.find("leader")->asBool());
    CHECK_FALSE(crawl.find("truncated")->asBool());
    CHECK(crawl.find("counts")->find("entities")->asInt() == 5);
    CHECK(crawl.find("counts")->find("valid")->asInt() == 5);
    CHECK(crawl.find("finished_at")->asInt() >= crawl.find("started_at")->asInt());
    // Every statement of the demo lives a day and the warning window is a
    // week: one statement_expiring finding per Subordinate Statement (4) and
    // configuration_expiring per entity (5); nothing is broken.
    const Json &counts = *crawl.find("counts")->find("findings");
    CHECK(counts.find("chain_invalid")->asInt() == 0);
    CHECK(counts.find("unreachable")->asInt() == 0);
    CHECK(counts.find("key_mismatch")->asInt() == 0);
    CHECK(counts.find("hint_not_listed")->asInt() == 0);
    CHECK(counts.find("listed_without_hint")->asInt() == 0);
    for (const Json &finding : crawl.find("findings")->asArray())
        CHECK(*finding.findString("severity") == "warning");

    // The anchor publishes the collection endpoint.
    HttpReply ec = fed.get("/ta/.well-known/openid-federation");
    StatementOptions options;
    options.entityIds.allowHttp = true;
    auto statement = EntityStatement::parse(ec.body, options);
    REQUIRE(statement);
    CHECK(*statement->claim("metadata")->find("federation_entity")->findString("federation_collection_endpoint") ==
          fed.id("ta") + "/collection");

    // /metrics: bounded labels, one series per kind.
    HttpReply metrics = fed.get("/metrics");
    CHECK(metrics.body.find("oidfed_crawl_findings{entity=\"" + fed.id("ta") + "\",trust_anchor=\"" + fed.id("ta") +
                            "\",kind=\"chain_invalid\"} 0") != std::string::npos);
    CHECK(metrics.body.find("oidfed_crawl_entities{entity=\"" + fed.id("ta") + "\",trust_anchor=\"" + fed.id("ta") +
                            "\",verdict=\"valid\"} 5") != std::string::npos);
    CHECK(metrics.body.find("oidfed_crawl_leader{entity=\"" + fed.id("ta") + "\"} 1") != std::string::npos);
}

TEST_CASE("crawl: the entity collection endpoint pages, filters and refuses as the draft says")
{
    ServedFederation fed;
    (void)healthOf(fed);
    Json all = collection(fed, "");
    const std::vector<std::string> ids = idsOf(all);
    std::vector<std::string> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    CHECK(ids == sorted);
    CHECK(ids.size() == 5);
    CHECK(all.find("next_entity_id") == nullptr);
    CHECK(all.find("last_updated")->asInt() > 0);

    // UI infos from the resolved metadata, trust marks as verified.
    for (const Json &entity : all.find("entities")->asArray()) {
        if (*entity.findString("entity_id") != fed.id("op"))
            continue;
        const Json *federation = entity.find("ui_infos")->find("federation_entity");
        REQUIRE(federation);
        CHECK(*federation->findString("display_name") == "Demo University Login");
        CHECK(federation->find("keywords")->asArray().size() == 3);
        CHECK(federation->find("organization_name") == nullptr);  // not a UI claim
        REQUIRE(entity.find("trust_marks"));
        CHECK(*entity.find("trust_marks")->asArray().front().findString("trust_mark_type") == kCertified);
        CHECK(entity.find("entity_types")->asArray().size() == 2);
    }

    // Pages of two, walked with next_entity_id.
    std::vector<std::string> walked;
    std::string from;
    for (int page = 0; page < 5; ++page) {
        Json answer = collection(fed, "?limit=2" + (from.empty() ? "" : "&from_entity_id=" + encoded(from)));
        std::vector<std::string> got = idsOf(answer);
        CHECK(got.size() <= 2);
        walked.insert(walked.end(), got.begin(), got.end());
        const std::string *next = answer.findString("next_entity_id");
        if (!next)
            break;
        from = *next;
    }
    CHECK(walked == ids);

    // Filters: entity_type is any of, trust_mark_type all of, query a
    // case-insensitive match on id, display names and keywords.
    CHECK(idsOf(collection(fed, "?entity_type=openid_provider")) == std::vector<std::string>{fed.id("op")});
    CHECK(idsOf(collection(fed, "?entity_type=openid_provider&entity_type=openid_credential_issuer")) ==
          std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(idsOf(collection(fed, "?trust_mark_type=" + encoded(kCertified))) ==
          std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(idsOf(collection(fed, "?query=DIPLOMA")) == std::vector<std::string>{fed.id("ci")});
    CHECK(idsOf(collection(fed, "?query=portal")) == std::vector<std::string>{fed.id("rp")});
    // With an entity_type filter, ui_infos keep only that type and federation_entity.
    Json typed = collection(fed, "?entity_type=openid_provider&entity_claims=entity_id&entity_claims=ui_infos");
    const Json &op = typed.find("entities")->asArray().front();
    CHECK(op.find("entity_types") == nullptr);
    CHECK(op.find("trust_marks") == nullptr);
    for (const auto &[type, info] : op.find("ui_infos")->asObject())
        CHECK((type == "federation_entity" || type == "openid_provider"));
    Json names = collection(fed, "?ui_claims=display_name&query=login");
    const Json &named = *names.find("entities")->asArray().front().find("ui_infos")->find("federation_entity");
    CHECK(named.find("keywords") == nullptr);
    CHECK(named.findString("display_name") != nullptr);

    // Errors.
    CHECK(*collection(fed, "?from_entity_id=" + encoded(fed.id("nobody")), 404).findString("error") ==
          "entity_id_not_found");
    CHECK(*collection(fed, "?entity_claims=secrets", 400).findString("error") == "unsupported_parameter");
    CHECK(*collection(fed, "?ui_claims=color", 400).findString("error") == "unsupported_parameter");
    CHECK(*collection(fed, "?limit=0", 400).findString("error") == "invalid_request");
    CHECK(*collection(fed, "?limit=1&limit=2", 400).findString("error") == "invalid_request");
    CHECK(*collection(fed, "?trust_anchor=" + encoded("https://other.example"), 404).findString("error") ==
          "invalid_trust_anchor");
    CHECK(idsOf(collection(fed, "?trust_anchor=" + encoded(fed.id("ta")))) == ids);
}

TEST_CASE("crawl: with anonymous_on_demand off, anonymous resolve requests are answered from the crawl only")
{
    ServedFederation fed("\"anonymous_on_demand\": true", "\"anonymous_on_demand\": false");
    (void)healthOf(fed);
    const std::string anchor = encoded(fed.id("ta"));
    // Crawled: answered from the cache.
    HttpReply crawled = fed.get("/ta/resolve?sub=" + encoded(fed.id("op")) + "&trust_anchor=" + anchor);
    CHECK_MESSAGE(crawled.status == 200, crawled.body);
    // Not in the federation (not crawled): not resolved on demand.
    HttpReply other = fed.get("/ta/resolve?sub=" + encoded("http://127.0.0.1:1/elsewhere") + "&trust_anchor=" + anchor);
    CHECK(other.status == 404);
    CHECK(json(other.body).findString("error_description")->find("cache only") != std::string::npos);
}

TEST_CASE("crawl: with its Redis unreachable, the replica crawls on its own and serves what it found")
{
    const int closed = test::freeLoopbackPort();  // nothing listens there
    ServedFederation fed("\"threads\": 2,",
                         "\"threads\": 2, \"redis\": {\"url\": \"redis://127.0.0.1:" + std::to_string(closed) + "\"},");
    Json health = healthOf(fed);
    const Json &crawl = health.find("crawls")->asArray().front();
    CHECK(crawl.find("leader")->asBool());  // no lock to read: crawl here rather than not at all
    CHECK(crawl.find("counts")->find("valid")->asInt() == 5);
    CHECK(idsOf(collection(fed, "")).size() == 5);
    CHECK(*json(fed.get("/readyz").body).findString("status") == "degraded");
}
