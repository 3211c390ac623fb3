// Two `oidfed serve` replicas (same configuration, keys and subordinates, two
// ports, as behind a load balancer) sharing one real redis-server: a chain
// resolved by one is served by the other from Redis, re-validated, with the
// same metadata and trust chain.

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include <oidfed/entity_statement.h>
#include <oidfed/resolve_response.h>

#include "background_process.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

TEST_CASE("replicas on one Redis give the same answers")
{
    const std::string url = std::getenv("OIDFED_TEST_REDIS");
    // A key prefix of its own, so that other suites' entries never mix in.
    const std::string redis = "\"redis\": {\"url\": \"" + url + "\", \"key_prefix\": \"serve-test-" +
                              std::to_string(std::time(nullptr)) + ":\"},";
    // Without the crawler, which would put every chain in both replicas' caches first.
    ServedFederation fed("\"threads\": 2,", "\"threads\": 2, " + redis, test::withoutCrawl);
    int replicaPort = test::freeLoopbackPort();
    std::unique_ptr<test::BackgroundProcess> replica = fed.startReplica(replicaPort);
    const std::string replicaBase = "http://127.0.0.1:" + std::to_string(replicaPort);

    const std::string query = "/ta/resolve?sub=" + fed.id("op") + "&trust_anchor=" + fed.id("ta");
    HttpReply first = fed.get(query);
    REQUIRE_MESSAGE(first.status == 200, first.body);
    HttpReply second = test::httpRequest(replicaBase + query);
    REQUIRE_MESSAGE(second.status == 200, second.body);

    StatementOptions options;
    options.entityIds.allowHttp = true;
    JwkSet keys = fed.keysOf("ta");
    EntityId ta = EntityId::parse(fed.id("ta"), {.allowHttp = true}).value();
    auto a = verifyResolveResponse(first.body, keys, ta, fed.id("op"), std::time(nullptr), std::chrono::seconds(60),
                                   options);
    auto b = verifyResolveResponse(second.body, keys, ta, fed.id("op"), std::time(nullptr), std::chrono::seconds(60),
                                   options);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->metadata == b->metadata);
    CHECK(a->trustChain == b->trustChain);  // the replica served the chain the first one resolved
    CHECK(a->expiresAt == b->expiresAt);
    HttpReply metrics = test::httpRequest(replicaBase + "/metrics");
    CHECK_MESSAGE(metrics.body.find("oidfed_resolve_total{source=\"shared-cache\"} 1") != std::string::npos,
                  metrics.body);
    HttpReply ready = test::httpRequest(replicaBase + "/readyz");
    CHECK(*test::json(ready.body).findString("redis") == "ok");
}
