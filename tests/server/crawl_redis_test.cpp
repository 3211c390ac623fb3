// Two `oidfed serve` replicas of the demo federation (whose anchor's
// resolver crawls) sharing one real redis-server: one replica leads and
// crawls, the other follows and serves the same collection, rebuilt from the
// shared chain cache, and the leader's health report; when the leader dies,
// the follower takes the lock over and crawls.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "background_process.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

namespace {

/// The first crawl's report of the replica at `base` once it has one.
Json crawlOf(const std::string &base)
{
    for (int attempt = 0; attempt < 400; ++attempt) {
        HttpReply reply = test::httpRequest(base + "/ta/federation-health");
        if (reply.status == 200)
            return test::json(reply.body).find("crawls")->asArray().front();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("no crawl finished at " << base);
    return Json();
}

std::vector<std::string> collectionIds(const std::string &base)
{
    HttpReply reply = test::httpRequest(base + "/ta/collection");
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    const Json page = test::json(reply.body);
    std::vector<std::string> ids;
    for (const Json &entity : page.find("entities")->asArray())
        ids.push_back(*entity.findString("entity_id"));
    return ids;
}

} // namespace

TEST_CASE("crawl on replicas: one leads and crawls, the other follows; a dead leader is replaced")
{
    const std::string url = std::getenv("OIDFED_TEST_REDIS");
    const std::string redis = "\"redis\": {\"url\": \"" + url + "\", \"key_prefix\": \"crawl-test-" +
                              std::to_string(std::time(nullptr)) + ":\"},";
    ServedFederation fed("\"threads\": 2,", "\"threads\": 2, " + redis, [](ServedFederation &served) {
        const auto config = served.dir() / "oidfed.json";
        test::writeText(config, test::replaceAll(test::readText(config), "\"crawl\": { \"interval_seconds\": 60,",
                                                 "\"crawl\": { \"interval_seconds\": 2, \"leader_lease_seconds\": 1,"));
    });
    const Json first = crawlOf(fed.base());
    CHECK(first.find("leader")->asBool());  // started first, took the lock

    const int replicaPort = test::freeLoopbackPort();
    std::unique_ptr<test::BackgroundProcess> replica = fed.startReplica(replicaPort);
    const std::string replicaBase = "http://127.0.0.1:" + std::to_string(replicaPort);
    const Json followed = crawlOf(replicaBase);
    CHECK_FALSE(followed.find("leader")->asBool());
    CHECK(followed.find("counts")->find("entities")->asInt() == 5);
    // The follower's collection is the leader's, from the shared chain cache.
    CHECK(collectionIds(replicaBase) == collectionIds(fed.base()));
    HttpReply metrics = test::httpRequest(replicaBase + "/metrics");
    CHECK(metrics.body.find("oidfed_crawl_leader{entity=\"" + fed.id("ta") + "\"} 0") != std::string::npos);

    // The leader dies; its lock lapses (interval + lease = 3 s) and the
    // follower, polling every 5 s, takes it over.
    fed.process().signal(SIGKILL);
    (void)fed.process().waitExit(std::chrono::seconds(5));
    bool took = false;
    for (int attempt = 0; attempt < 150 && !took; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        HttpReply reply = test::httpRequest(replicaBase + "/ta/federation-health");
        took = reply.status == 200 &&
               test::json(reply.body).find("crawls")->asArray().front().find("leader")->asBool();
    }
    CHECK(took);
    HttpReply after = test::httpRequest(replicaBase + "/metrics");
    CHECK(after.body.find("oidfed_crawl_leader{entity=\"" + fed.id("ta") + "\"} 1") != std::string::npos);
}
