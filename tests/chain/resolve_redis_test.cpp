// Two resolver replicas sharing a real redis-server (PRODUCT.md 4, the
// scale-out story): the second answers from Redis without fetching, after
// validating what it read; a forged value in Redis is never trusted.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <mutex>

#include <curl/curl.h>

#include <oidfed/cache.h>
#include <oidfed/cache_options.h>
#include <oidfed/federation_urls.h>
#include <oidfed/resolver.h>

#include "federation_server.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;

namespace {

std::unique_ptr<Cache> replicaCache(const std::string &prefix)
{
    RedisCacheOptions options;
    options.url = std::getenv("OIDFED_TEST_REDIS");
    options.keyPrefix = prefix;
    auto redis = makeRedisCache(options);
    REQUIRE_MESSAGE(redis, redis.error().describe());
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    auto tiered = makeTieredCache(std::move(memory).value(), std::move(redis).value());
    REQUIRE(tiered);
    return std::move(tiered).value();
}

} // namespace

TEST_CASE("replicas share chains through Redis over real HTTP")
{
    static std::once_flag once;
    std::call_once(once, [] {
        std::signal(SIGPIPE, SIG_IGN);
        curl_global_init(CURL_GLOBAL_DEFAULT);
    });
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 3600};
    const std::string ta = server.base() + "/ta", im = server.base() + "/im", rp = server.base() + "/rp";
    fed.add(ta, test::authorityMetadata(ta));
    fed.add(im, test::authorityMetadata(im), {ta});
    fed.add(rp, test::json(R"({"openid_relying_party":{"client_name":"RP"}})"), {im});
    for (const std::string &id : {ta, im, rp})
        server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
    server.serve(*fetchEndpointUrl(ta + "/fetch", im), fed.subordinateStatement(ta, im));
    server.serve(*fetchEndpointUrl(im + "/fetch", rp), fed.subordinateStatement(im, rp));

    // A prefix of its own per run, so runs never see each other's entries.
    const std::string prefix = "oidfed-test:" + std::to_string(now) + ":" + std::to_string(::getpid()) + ":";
    auto cacheA = replicaCache(prefix);
    auto cacheB = replicaCache(prefix);
    auto fetcher = test::makeLoopbackFetcher();
    auto clock = makeSystemClock();
    ResolverOptions options = test::loopbackResolverOptions();
    auto replicaA = Resolver::create(options, {fed.anchor(ta)}, {*fetcher, *clock, cacheA.get()});
    auto replicaB = Resolver::create(options, {fed.anchor(ta)}, {*fetcher, *clock, cacheB.get()});
    REQUIRE(replicaA);
    REQUIRE(replicaB);

    auto first = (*replicaA)->resolve({.subject = rp});
    REQUIRE_MESSAGE(first.chain, first.chain.error().describe());
    CHECK(first.report.source == "network");
    const int requestsAfterA = server.requests();
    CHECK(requestsAfterA == 5);

    auto second = (*replicaB)->resolve({.subject = rp});
    REQUIRE_MESSAGE(second.chain, second.chain.error().describe());
    CHECK(second.report.source == "shared-cache");
    CHECK(server.requests() == requestsAfterA);  // nothing fetched: Redis answered, and was re-validated
    CHECK((*second.chain)->statements() == (*first.chain)->statements());

    // Another anchor pin (other keys) never reuses the entry (J02).
    test::TestFederation other = fed;
    other.add(ta, test::authorityMetadata(ta));
    auto repinned = Resolver::create(options, {other.anchor(ta)}, {*fetcher, *clock, cacheB.get()});
    REQUIRE(repinned);
    auto third = (*repinned)->resolve({.subject = rp});
    REQUIRE_FALSE(third.chain);
    CHECK(third.report.source == "network");

    CHECK(cacheA->purgePrefix("").has_value());
}
