// The Redis cache behind Redis Sentinel (issue 20 item 1), against real
// processes: a redis-server master, a replica and three redis-sentinel
// processes on free loopback ports (RedisSentinelGroup, down-after 1 s,
// failover-timeout 3 s). The master is killed (SIGKILL): the cache must
// follow the failover without being rebuilt, its breaker opening meanwhile
// (degraded) and closing again; a replica is never written to; the
// +switch-master subscription brings it back before the breaker's backoff
// would. Every wait is bounded; the timings are printed, not asserted.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <hiredis/hiredis.h>

#include <oidfed/cache.h>

#include "redis_test_server.h"
#include "temp_dir.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::AdminConnection;
using test::RedisSentinelGroup;
using test::waitFor;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr UnixTime kNow = 1'700'000'000;
/// Longest wait for the cache to write through the new master after the
/// kill: Sentinel's failover (down-after 1 s, election, promotion) plus one
/// breaker backoff (at most breakerMaxBackoff).
constexpr auto kFailoverBound = 20s;

RedisCacheOptions sentinelOptions(const RedisSentinelGroup &group)
{
    RedisCacheOptions o;
    o.keyPrefix = "sentinel:";
    RedisSentinelOptions s;
    s.addresses = group.sentinelAddresses();
    s.masterName = RedisSentinelGroup::kMasterName;
    o.sentinel = s;
    o.url = "redis://127.0.0.1:1";  // ignored: sentinel names the master
    o.breakerMaxBackoff = 1000ms;
    return o;
}

CacheEntry entry(std::string value)
{
    return CacheEntry{std::move(value), kNow + 600, false, CacheOrigin::Local};
}

bool roundTrips(Cache &cache, const std::string &key, const std::string &value)
{
    cache.put(key, entry(value), kNow);
    auto hit = cache.get(key, kNow);
    return hit && hit->value == value;
}

std::string url(int port)
{
    return "redis://127.0.0.1:" + std::to_string(port);
}

/// What Redis says in INFO errorstats about READONLY refusals ("" when it
/// never refused a write as a replica).
std::string readonlyRefusals(int port)
{
    AdminConnection admin(url(port));
    const std::string info = admin.command({"INFO", "errorstats"}).text;
    const std::size_t at = info.find("errorstat_READONLY:");
    return at == std::string::npos ? std::string() : info.substr(at, info.find('\r', at) - at);
}

std::string role(int port)
{
    AdminConnection admin(url(port));
    const std::string text = admin.command({"ROLE"}).text;
    return text.substr(0, text.find('\n'));
}

} // namespace

TEST_CASE("sentinel: the cache follows a failover after the master is killed, without a restart")
{
    test::TempDir dir("oidfed-sentinel");
    RedisSentinelGroup group(dir.path().string());
    const int oldMaster = group.initialMasterPort();
    REQUIRE(group.masterPort() == oldMaster);

    auto made = makeRedisCache(sentinelOptions(group));
    REQUIRE(made);
    Cache &cache = **made;
    CHECK(cache.health().state == CacheHealthState::Ok);
    REQUIRE(roundTrips(cache, "before", "1"));
    CHECK(AdminConnection(url(oldMaster)).command({"GET", "sentinel:before"}).type == REDIS_REPLY_STRING);
    // Replication is asynchronous: let the replica have it before the kill.
    REQUIRE(waitFor(
        [&] {
            return AdminConnection(url(group.replicaPort())).command({"GET", "sentinel:before"}).type ==
                   REDIS_REPLY_STRING;
        },
        5s));

    const auto killed = SteadyClock::now();
    group.initialMaster().kill9();

    // Keep writing and reading, as a server would, until a write goes
    // through again. Meanwhile the breaker must open (degraded).
    bool sawDegraded = false;
    int attempts = 0;
    std::string lastKey;
    const bool recovered = waitFor(
        [&] {
            lastKey = "after-" + std::to_string(++attempts);
            if (roundTrips(cache, lastKey, "2"))
                return true;
            sawDegraded = sawDegraded || cache.health().state == CacheHealthState::Degraded;
            return false;
        },
        kFailoverBound);
    const auto firstWrite = SteadyClock::now() - killed;
    REQUIRE_MESSAGE(recovered, "no write through the new master within the bound");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(firstWrite).count();
    std::printf("sentinel failover: kill -> first successful write through the new master: %lld ms (%d attempts)\n",
                static_cast<long long>(ms), attempts);
    MESSAGE("kill -> first successful write: " << ms << " ms");

    CHECK(sawDegraded);
    CHECK(cache.stats().breakerOpenings >= 1);
    CHECK(cache.health().state == CacheHealthState::Ok);  // closed again: recovery without a restart

    // The write went to the promoted replica, which is a master now.
    const int newMaster = group.masterPort();
    CHECK(newMaster == group.replicaPort());
    CHECK(role(newMaster) == "master");
    CHECK(AdminConnection(url(newMaster)).command({"GET", "sentinel:" + lastKey}).type == REDIS_REPLY_STRING);
    // The entry written before the kill came over by replication.
    CHECK(cache.get("before", kNow).has_value());
    // Never a write to a replica: nothing was refused as READONLY.
    CHECK(readonlyRefusals(newMaster).empty());

    // And the cache stays on the new master.
    for (int i = 0; i < 20; ++i)
        CHECK(roundTrips(cache, "steady-" + std::to_string(i), "3"));
}

TEST_CASE("sentinel: +switch-master lets the breaker probe the new master at once, whatever its backoff")
{
    test::TempDir dir("oidfed-sentinel");
    RedisSentinelGroup group(dir.path().string());
    RedisCacheOptions options = sentinelOptions(group);
    // After the kill the breaker would not probe for 60 s: only the
    // announcement can bring the cache back sooner.
    options.breakerInitialBackoff = 60s;
    options.breakerMaxBackoff = 60s;
    auto made = makeRedisCache(options);
    REQUIRE(made);
    Cache &cache = **made;
    REQUIRE(roundTrips(cache, "before", "1"));

    group.initialMaster().kill9();
    cache.put("lost", entry("x"), kNow);  // fails: the breaker opens for 60 s
    CHECK(cache.health().state == CacheHealthState::Degraded);
    const bool recovered = waitFor([&] { return roundTrips(cache, "after", "2"); }, kFailoverBound);
    CHECK(recovered);
    CHECK(group.masterPort() == group.replicaPort());
    CHECK(cache.health().state == CacheHealthState::Ok);
}

TEST_CASE("sentinel: a master demoted under the cache is dropped at READONLY, never written to, and found again")
{
    test::TempDir dir("oidfed-sentinel");
    RedisSentinelGroup group(dir.path().string());
    const int master = group.initialMasterPort();
    // A standalone server for the demoted master to replicate (not one the
    // Sentinels know).
    test::RedisServerProcess other;

    RedisCacheOptions options = sentinelOptions(group);
    options.poolSize = 2;
    auto made = makeRedisCache(options);
    REQUIRE(made);
    Cache &cache = **made;
    REQUIRE(roundTrips(cache, "first", "1"));  // a pooled connection to the master
    REQUIRE(readonlyRefusals(master).empty());

    // Demote the master behind the cache's back (its connections stay open,
    // unlike in a Sentinel failover, which kills them).
    AdminConnection(url(master)).command({"REPLICAOF", "127.0.0.1", std::to_string(other.port())});
    REQUIRE(role(master) == "slave");

    // The pooled connection answers READONLY once: dropped, breaker open.
    cache.put("while-replica", entry("x"), kNow);
    CHECK(cache.health().state == CacheHealthState::Degraded);
    const std::string refusals = readonlyRefusals(master);
    CHECK_FALSE(refusals.empty());

    // Every later attempt asks the Sentinels (which still name this
    // server), and ROLE refuses the new connection: no write reaches it.
    for (int i = 0; i < 10; ++i) {
        waitFor([&] { return false; }, 100ms);
        cache.put("while-replica-" + std::to_string(i), entry("x"), kNow);
    }
    CHECK(readonlyRefusals(master) == refusals);
    CHECK(AdminConnection(url(master)).command({"EXISTS", "sentinel:while-replica"}).text == "0");

    // Promoted again: the cache recovers by itself.
    AdminConnection(url(master)).command({"REPLICAOF", "NO", "ONE"});
    const bool recovered = waitFor([&] { return roundTrips(cache, "again", "2"); }, 10s);
    CHECK(recovered);
    CHECK(cache.health().state == CacheHealthState::Ok);
    CHECK(readonlyRefusals(master) == refusals);
}

TEST_CASE("sentinel: passwords for the master and for the Sentinels; a wrong one degrades without being repeated")
{
    test::TempDir dir("oidfed-sentinel");
    const std::string masterPassword = "m-secret-4b1d";
    const std::string sentinelPassword = "s-secret-7c2e";
    RedisSentinelGroup group(dir.path().string(), masterPassword, sentinelPassword);

    RedisCacheOptions options = sentinelOptions(group);
    options.sentinel->masterPassword = masterPassword;
    options.sentinel->password = sentinelPassword;
    auto made = makeRedisCache(options);
    REQUIRE(made);
    Cache &cache = **made;
    REQUIRE(roundTrips(cache, "before", "1"));
    CHECK(AdminConnection(group.nodeUrl(group.initialMasterPort())).command({"EXISTS", "sentinel:before"}).text ==
          "1");

    // The failover is followed with the same credentials.
    group.initialMaster().kill9();
    CHECK(waitFor([&] { return roundTrips(cache, "after", "2"); }, kFailoverBound));
    CHECK(AdminConnection(group.nodeUrl(group.replicaPort())).command({"EXISTS", "sentinel:after"}).text == "1");

    // A wrong Sentinel password, or a wrong master password: degraded, and
    // the reason never holds a password.
    for (bool wrongSentinel : {true, false}) {
        CAPTURE(wrongSentinel);
        RedisCacheOptions wrong = options;
        (wrongSentinel ? wrong.sentinel->password : wrong.sentinel->masterPassword) = "wrong-secret-9f3a";
        auto refused = makeRedisCache(wrong);
        REQUIRE(refused);
        CHECK_FALSE(roundTrips(**refused, "never", "3"));
        const CacheHealth health = (*refused)->health();
        CHECK(health.state == CacheHealthState::Degraded);
        for (const std::string &secret : {masterPassword, sentinelPassword, std::string("wrong-secret-9f3a")})
            CHECK(health.detail.find(secret) == std::string::npos);
    }
}

TEST_CASE("sentinel: with no Sentinel answering, the cache is still returned, degraded")
{
    // Sentinels that are not there: the factory still returns the cache
    // (as for a Redis down at start, R1), degraded, with misses.
    RedisCacheOptions o;
    RedisSentinelOptions s;
    s.addresses = {"127.0.0.1:" + std::to_string(test::freeLoopbackPort())};
    s.masterName = "nowhere";
    o.sentinel = s;
    auto made = makeRedisCache(o);
    REQUIRE(made);
    CHECK((*made)->health().state == CacheHealthState::Degraded);
    CHECK_FALSE((*made)->get("k", kNow).has_value());
}
