// Threat R5 (B08 with Redis as the shared cache): a thundering herd after a
// FLUSH. Two resolver replicas share one real redis-server through the
// library's tiered Redis cache; both start cold (empty process memory, and
// their Redis keys just purged) and each resolves the same leaves from many
// threads at once. Upstream fetches are counted per URL and per replica on
// a FakeFetcher each. Needs $OIDFED_TEST_REDIS (skipped without it, a
// failure in CI: redis_test_main.cpp); every run uses a key prefix of its own.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/cache_options.h>
#include <oidfed/resolver.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::fetchUrl;
using test::wellKnown;

namespace {

constexpr UnixTime kNow = 1767800000;

/// A key prefix no other test or run uses.
std::string uniquePrefix()
{
    std::random_device rd;
    return "oidfed-test:herd:" + std::to_string(rd()) + ":" + std::to_string(rd()) + ":";
}

/// What a replica of the product uses: process memory in front of Redis.
std::unique_ptr<Cache> replicaCache(const std::string &prefix)
{
    RedisCacheOptions options;
    options.url = std::getenv("OIDFED_TEST_REDIS");
    options.keyPrefix = prefix;
    options.connectTimeout = 500ms;  // the machine is shared; the fault suite checks tight timeouts
    options.commandTimeout = 500ms;
    auto redis = makeRedisCache(options);
    REQUIRE_MESSAGE(redis, redis.error().describe());
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    auto tiered = makeTieredCache(std::move(memory).value(), std::move(redis).value());
    REQUIRE(tiered);
    return std::move(tiered).value();
}

/// One replica: its own upstream view (a FakeFetcher serving the same
/// federation), its own process memory, the shared Redis.
struct Replica {
    test::FakeFetcher fetcher;
    std::unique_ptr<Cache> cache;
    std::unique_ptr<Resolver> resolver;
};

} // namespace

TEST_CASE("R5, B08: two cold replicas on one Redis after a FLUSH fetch each URL at most once per replica")
{
    const std::string ta = "https://ta.example", im = "https://im.example";
    test::TestFederation fed;
    fed.add(ta, test::authorityMetadata(ta));
    fed.add(im, test::authorityMetadata(im), {ta});
    constexpr std::size_t kLeaves = 8;
    constexpr std::size_t kThreadsPerLeaf = 2;  // per replica: the same subject twice at once, too
    std::vector<std::string> leaves;
    for (std::size_t i = 0; i < kLeaves; ++i) {
        leaves.push_back("https://rp" + std::to_string(i) + ".example");
        fed.add(leaves.back(), test::json(R"({"openid_relying_party":{"client_name":"RP"}})"), {im});
    }
    std::vector<std::pair<std::string, std::string>> published;  // url, body
    for (const std::string &id : {ta, im})
        published.emplace_back(wellKnown(id), fed.entityConfiguration(id));
    published.emplace_back(fetchUrl(ta, im), fed.subordinateStatement(ta, im));
    for (const std::string &leaf : leaves) {
        published.emplace_back(wellKnown(leaf), fed.entityConfiguration(leaf));
        published.emplace_back(fetchUrl(im, leaf), fed.subordinateStatement(im, leaf));
    }

    test::FakeClock clock{kNow};
    const std::string prefix = uniquePrefix();
    auto makeReplica = [&](Replica &replica) {
        for (const auto &[url, body] : published)
            replica.fetcher.serve(url, body);
        replica.cache = replicaCache(prefix);
        auto resolver = Resolver::create({}, {fed.anchor(ta)}, {replica.fetcher, clock, replica.cache.get()});
        REQUIRE(resolver);
        replica.resolver = std::move(resolver).value();
    };

    // Warm Redis up, then FLUSH it (every key of this run): what follows is
    // a cold start, not a replica reading what an earlier one left.
    {
        Replica warm;
        makeReplica(warm);
        for (const std::string &leaf : leaves)
            REQUIRE(warm.resolver->resolve({.subject = leaf}).chain);
        auto purged = warm.cache->purgePrefix("");
        REQUIRE_MESSAGE(purged, purged.error().describe());
        CHECK(*purged >= published.size());  // every statement, and the chains
    }

    Replica replicas[2];
    for (Replica &replica : replicas) {
        makeReplica(replica);
        replica.fetcher.hold();
    }
    std::vector<ResolveOutcome> outcomes[2];
    {
        std::vector<std::thread> threads;
        auto releaseAndJoin = [&] {
            for (Replica &replica : replicas)
                replica.fetcher.release();
            for (std::thread &thread : threads)
                if (thread.joinable())
                    thread.join();
        };
        struct JoinGuard {
            decltype(releaseAndJoin) &join;
            ~JoinGuard() { join(); }
        } guard{releaseAndJoin};
        for (int r = 0; r < 2; ++r) {
            outcomes[r].resize(kLeaves * kThreadsPerLeaf);
            for (std::size_t t = 0; t < kLeaves * kThreadsPerLeaf; ++t)
                threads.emplace_back([&, r, t] {
                    outcomes[r][t] = replicas[r].resolver->resolve({.subject = leaves[t % kLeaves]});
                });
        }
        // Both replicas are in the first fetch of every leaf at once: one
        // per leaf each (the second thread on a leaf joins it).
        for (Replica &replica : replicas) {
            REQUIRE(replica.fetcher.awaitWaiting(kLeaves, 10s));
            replica.fetcher.setDelay(50ms);  // every answer takes a while: the herds meet on the shared URLs
        }
        releaseAndJoin();
    }

    for (int r = 0; r < 2; ++r) {
        CAPTURE(r);
        CHECK(replicas[r].fetcher.maxInFlight() >= kLeaves);
        for (std::size_t t = 0; t < outcomes[r].size(); ++t) {
            const std::string &leaf = leaves[t % kLeaves];
            CAPTURE(leaf);
            REQUIRE_MESSAGE(outcomes[r][t].chain, outcomes[r][t].chain.error().describe());
            CHECK((*outcomes[r][t].chain)->path() == std::vector<std::string>{leaf, im, ta});
        }
    }
    // Per URL: at most once per replica (the store's single flight, and its
    // memory); at least once in all (Redis really was cold), so at most twice.
    for (const auto &entry : published) {
        const std::string &url = entry.first;  // not a structured binding: clang < 16 cannot capture one
        CAPTURE(url);
        const std::size_t a = replicas[0].fetcher.callCount(url), b = replicas[1].fetcher.callCount(url);
        CHECK(a <= 1);
        CHECK(b <= 1);
        CHECK(a + b >= 1);
    }
    for (Replica &replica : replicas)
        for (const std::string &url : replica.fetcher.calls()) {
            CAPTURE(url);
            CHECK(replica.fetcher.callCount(url) == 1);  // and nothing else was fetched, nor twice
        }

    // What the herd wrote is in Redis: a third replica, cold itself, fetches nothing.
    Replica late;
    makeReplica(late);
    for (const std::string &leaf : leaves) {
        auto outcome = late.resolver->resolve({.subject = leaf});
        REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
        CHECK(outcome.report.source == "shared-cache");
    }
    CHECK(late.fetcher.calls().empty());

    CHECK(late.cache->purgePrefix("").has_value());
}
