// The shared jti replay store against the redis-server of the test run
// ($OIDFED_TEST_REDIS): a jti used through one replica's cache is refused
// through another's, plain Redis or tiered (memory over Redis), and a jti
// recorded in Redis is kept there until its JWT's exp.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>

#include <oidfed/cache.h>
#include <oidfed/replay_store.h>

using namespace oidfed;
using namespace std::chrono_literals;

namespace {

constexpr UnixTime kNow = 1'767'800'000;

std::unique_ptr<Cache> redisReplica(const std::string &prefix)
{
    RedisCacheOptions o;
    o.url = std::getenv("OIDFED_TEST_REDIS");
    o.keyPrefix = prefix;
    o.connectTimeout = 500ms;
    o.commandTimeout = 500ms;
    o.maxTtl = 60s;  // shorter than the jtis' lifetime: putIfAbsent is not clamped
    auto cache = makeRedisCache(o);
    REQUIRE(cache);
    REQUIRE((*cache)->health().state == CacheHealthState::Ok);
    return std::move(cache).value();
}

std::string uniquePrefix()
{
    static std::atomic<int> counter{0};
    std::random_device rd;
    return "oidfed-test:jti:" + std::to_string(rd()) + ":" + std::to_string(counter++) + ":";
}

} // namespace

TEST_CASE("replay store over Redis: a jti used at one replica is refused at another")
{
    const std::string prefix = uniquePrefix();
    auto cacheA = redisReplica(prefix);
    auto cacheB = redisReplica(prefix);
    auto replicaA = makeCacheReplayStore(*cacheA);
    auto replicaB = makeCacheReplayStore(*cacheB);
    REQUIRE(replicaA);
    REQUIRE(replicaB);

    auto first = (*replicaA)->firstUse("op|rp|request_object", "jti-1", kNow + 600, kNow);
    REQUIRE(first);
    CHECK(*first);
    auto replay = (*replicaB)->firstUse("op|rp|request_object", "jti-1", kNow + 600, kNow + 300);
    REQUIRE(replay);
    CHECK_FALSE(*replay);
    auto otherScope = (*replicaB)->firstUse("op|rp|client_assertion", "jti-1", kNow + 600, kNow);
    REQUIRE(otherScope);
    CHECK(*otherScope);
}

TEST_CASE("replay store over tiered caches (memory over Redis): replicas still see each other's jtis")
{
    const std::string prefix = uniquePrefix();
    auto nearA = makeMemoryCache();
    auto nearB = makeMemoryCache();
    REQUIRE(nearA);
    REQUIRE(nearB);
    auto tieredA = makeTieredCache(std::move(nearA).value(), redisReplica(prefix));
    auto tieredB = makeTieredCache(std::move(nearB).value(), redisReplica(prefix));
    REQUIRE(tieredA);
    REQUIRE(tieredB);
    auto replicaA = makeCacheReplayStore(**tieredA);
    auto replicaB = makeCacheReplayStore(**tieredB);
    REQUIRE(replicaA);
    REQUIRE(replicaB);

    auto first = (*replicaA)->firstUse("op|rp", "jti-t", kNow + 600, kNow);
    REQUIRE(first);
    CHECK(*first);
    auto onB = (*replicaB)->firstUse("op|rp", "jti-t", kNow + 600, kNow);
    REQUIRE(onB);
    CHECK_FALSE(*onB);
    auto againOnA = (*replicaA)->firstUse("op|rp", "jti-t", kNow + 600, kNow);
    REQUIRE(againOnA);
    CHECK_FALSE(*againOnA);
}
