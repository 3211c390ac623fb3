// The Redis cache under Redis faults (threats.md 4.1), each against a
// redis-server this test owns, so that it can kill, stop, restart and
// reconfigure it: R1 down at start, R2 killed mid-run, R3 hung, R4 slow,
// R6 out of memory, R11 authentication change, R12 max clients. Timeouts and backoffs
// are short, and every wait is bounded.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <oidfed/cache.h>

#include "redis_test_server.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::RedisServerProcess;
using test::waitFor;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr UnixTime kNow = 1'700'000'000;
/// Generous bound for "returns within the timeout" on a loaded 2-core
/// machine; the timeouts themselves are 50 ms.
constexpr auto kPromptly = 1s;
/// How long a recovery may take: the backoff is capped at 200 ms.
constexpr auto kRecovery = 5s;

RedisCacheOptions fastOptions(const std::string &url)
{
    RedisCacheOptions o;
    o.url = url;
    o.keyPrefix = "fault:";
    o.connectTimeout = 50ms;
    o.commandTimeout = 50ms;
    o.breakerInitialBackoff = 20ms;
    o.breakerMaxBackoff = 200ms;
    o.poolSize = 2;
    return o;
}

std::unique_ptr<Cache> makeCache(const RedisCacheOptions &o)
{
    auto cache = makeRedisCache(o);
    REQUIRE(cache);  // a Redis fault never makes the factory fail
    return std::move(*cache);
}

CacheEntry entry(std::string value)
{
    return CacheEntry{std::move(value), kNow + 600, false, CacheOrigin::Local};
}

/// True when a write followed by a read goes through Redis.
bool roundTrips(Cache &cache, const std::string &key)
{
    cache.put(key, entry("v"), kNow);
    auto hit = cache.get(key, kNow);
    return hit && hit->value == "v";
}

template <typename F>
SteadyClock::duration timed(F &&f)
{
    const auto start = SteadyClock::now();
    f();
    return SteadyClock::now() - start;
}

} // namespace

TEST_CASE("R1: Redis down at start: degraded, misses, no hot reconnect loop, then recovery")
{
    const int port = test::freeLoopbackPort();  // nothing listens there
    auto cache = makeCache(fastOptions("redis://127.0.0.1:" + std::to_string(port)));
    CacheHealth health = cache->health();
    CHECK(health.state == CacheHealthState::Degraded);
    CHECK(health.detail.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);

    // Hammer it for 300 ms: every call misses, and Redis is tried only once
    // per backoff period (20, 40, 80, 160, 200 ms ...), never per call.
    std::uint64_t calls = 0;
    std::uint64_t hits = 0;
    const auto until = SteadyClock::now() + 300ms;
    while (SteadyClock::now() < until) {
        cache->put("k", entry("v"), kNow);
        hits += cache->get("k", kNow) ? 1 : 0;
        calls += 2;
    }
    CHECK(hits == 0);
    const CacheStats s = cache->stats();
    // Every call was either skipped or tried and failed (plus the factory's
    // first attempt and perhaps a probe from health()).
    CHECK(s.skipped + s.errors >= calls);
    CHECK(s.skipped + s.errors <= calls + 2);
    CHECK(s.errors <= 12);
    CHECK(s.skipped > 100);
    CHECK(s.misses == calls / 2);
    CHECK(s.stores == 0);

    // Redis appears: the same cache object recovers by itself.
    RedisServerProcess server({}, port);
    CHECK(waitFor([&] { return cache->health().state == CacheHealthState::Ok; }, kRecovery));
    CHECK(roundTrips(*cache, "after"));
}

TEST_CASE("R2: Redis killed mid-run: misses within the timeout, breaker opens, recovers after restart")
{
    RedisServerProcess server;
    auto cache = makeCache(fastOptions(server.url()));
    REQUIRE(roundTrips(*cache, "before"));

    server.kill9();
    std::optional<CacheEntry> hit;
    CHECK(timed([&] { hit = cache->get("before", kNow); }) < kPromptly);
    CHECK_FALSE(hit);
    CHECK(cache->health().state == CacheHealthState::Degraded);
    CHECK(cache->stats().errors >= 1);

    // While the breaker is open, calls fail fast.
    const auto skippedBefore = cache->stats().skipped;
    CHECK(timed([&] {
              for (int i = 0; i < 100; ++i) {
                  cache->put("k", entry("v"), kNow);
                  (void)cache->get("k", kNow);
              }
          }) < kPromptly);
    CHECK(cache->stats().skipped > skippedBefore);

    server.restart();  // same port, empty
    CHECK(waitFor([&] { return roundTrips(*cache, "after"); }, kRecovery));
    CHECK(cache->health().state == CacheHealthState::Ok);
    CHECK_FALSE(cache->get("before", kNow));  // the restarted Redis is empty
}

TEST_CASE("R3: Redis hung (SIGSTOP): timeouts bound every call, threads are not pinned, recovery on SIGCONT")
{
    RedisServerProcess server;
    auto cache = makeCache(fastOptions(server.url()));
    REQUIRE(roundTrips(*cache, "k"));

    server.pause();
    std::atomic<long long> worstMs{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                const auto took = timed([&] { (void)cache->get("k", kNow); });
                const long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
                long long seen = worstMs.load();
                while (ms > seen && !worstMs.compare_exchange_weak(seen, ms)) {
                }
            }
        });
    for (auto &t : threads)
        t.join();
    CHECK(worstMs.load() < std::chrono::duration_cast<std::chrono::milliseconds>(kPromptly).count());
    const CacheStats s = cache->stats();
    CHECK(s.timeouts >= 1);
    CHECK(s.skipped >= 1);
    CacheHealth health;
    CHECK(timed([&] { health = cache->health(); }) < kPromptly);
    CHECK(health.state == CacheHealthState::Degraded);

    server.resume();
    CHECK(waitFor([&] { return roundTrips(*cache, "k2"); }, kRecovery));
    CHECK(cache->health().state == CacheHealthState::Ok);
}

TEST_CASE("R4: Redis slow but answering: slow replies are used, and breakerSlowCommands of them in a row open the "
          "breaker; it closes again once Redis is fast")
{
    RedisServerProcess server;
    RedisCacheOptions o = fastOptions(server.url());
    o.commandTimeout = 1000ms;  // slow replies arrive, none times out
    o.breakerSlowThreshold = 20ms;
    o.breakerSlowCommands = 3;
    // Long enough that nothing below probes before the checks of the open
    // breaker are done.
    o.breakerInitialBackoff = 500ms;
    o.breakerMaxBackoff = 1000ms;
    auto cache = makeCache(o);
    REQUIRE(roundTrips(*cache, "k"));
    test::AdminConnection admin(server.url());

    // Each read arrives during a 100 ms CLIENT PAUSE: slow, but answered.
    int slowHits = 0;
    for (int i = 0; i < 20 && cache->stats().breakerOpenings == 0; ++i) {
        admin.command({"CLIENT", "PAUSE", "100"});
        auto hit = cache->get("k", kNow);
        if (hit && hit->value == "v")
            ++slowHits;
    }
    const CacheStats opened = cache->stats();
    REQUIRE(opened.breakerOpenings == 1);
    CHECK(opened.slow >= 3);
    CHECK(slowHits >= 3);  // the slow replies were used
    CHECK(opened.errors == 0);  // latency alone opened it
    CHECK(opened.timeouts == 0);
    CHECK(cache->health().state == CacheHealthState::Degraded);

    // While open, Redis is not tried: a miss at once, counted as skipped.
    CHECK(timed([&] { CHECK_FALSE(cache->get("k", kNow)); }) < kPromptly);
    CHECK(cache->stats().skipped > opened.skipped);

    // Redis is fast again: the next probe closes the breaker.
    CHECK(waitFor([&] { return roundTrips(*cache, "k"); }, kRecovery));
    CHECK(cache->health().state == CacheHealthState::Ok);
    CHECK(cache->stats().breakerOpenings == 1);
}

TEST_CASE("R6: out of memory with noeviction: writes fail silently, reads work, no breaker")
{
    RedisServerProcess server;
    auto cache = makeCache(fastOptions(server.url()));
    REQUIRE(roundTrips(*cache, "k0"));

    test::AdminConnection admin(server.url());
    REQUIRE(admin.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}).text == "OK");
    REQUIRE(admin.command({"CONFIG", "SET", "maxmemory", "1mb"}).text == "OK");
    const std::string big(100 * 1024, 'x');
    bool refused = false;
    for (int i = 0; i < 100 && !refused; ++i) {
        cache->put("big" + std::to_string(i), entry(big), kNow);
        refused = cache->stats().errors > 0;
    }
    CHECK(refused);
    const CacheStats s = cache->stats();
    CHECK(s.skipped == 0);
    CHECK(cache->health().state == CacheHealthState::Ok);
    auto hit = cache->get("k0", kNow);
    REQUIRE(hit);
    CHECK(hit->value == "v");
}

TEST_CASE("R11: authentication: a password in the URL works; a changed password degrades, then recovers")
{
    RedisServerProcess server({"--requirepass", "s3cret"});
    const std::string base = "127.0.0.1:" + std::to_string(server.port());

    auto good = makeCache(fastOptions("redis://:s3cret@" + base + "/5"));
    CHECK(good->health().state == CacheHealthState::Ok);
    REQUIRE(roundTrips(*good, "k"));
    test::AdminConnection admin("redis://:s3cret@" + base + "/5");
    CHECK(admin.command({"EXISTS", "fault:k"}).text == "1");  // database 5 was selected

    auto wrong = makeCache(fastOptions("redis://:wrong-pass@" + base));
    const CacheHealth health = wrong->health();
    CHECK(health.state == CacheHealthState::Degraded);
    CHECK(health.detail.find("wrong-pass") == std::string::npos);
    CHECK(health.detail.find("s3cret") == std::string::npos);
    CHECK_FALSE(wrong->get("k", kNow));

    // The password changes under a running cache, and its connections drop.
    REQUIRE(admin.command({"CONFIG", "SET", "requirepass", "rotated"}).text == "OK");
    admin.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
    CHECK_FALSE(good->get("k", kNow));
    CHECK(waitFor([&] { return good->health().state == CacheHealthState::Degraded; }, kPromptly));
    const auto errorsBefore = good->stats().errors;
    std::this_thread::sleep_for(300ms);
    for (int i = 0; i < 100; ++i)
        (void)good->get("k", kNow);
    CHECK(good->stats().errors - errorsBefore <= 4);  // backoff, not a tight retry loop

    REQUIRE(admin.command({"CONFIG", "SET", "requirepass", "s3cret"}).text == "OK");
    CHECK(waitFor([&] { return roundTrips(*good, "k2"); }, kRecovery));
}

TEST_CASE("R12: max clients reached: handled like an outage, the pool stays bounded")
{
    RedisServerProcess server;
    test::AdminConnection admin(server.url());
    REQUIRE(admin.command({"CONFIG", "SET", "maxclients", "1"}).text == "OK");  // the admin holds the only slot

    auto cache = makeCache(fastOptions(server.url()));
    CHECK(cache->health().state == CacheHealthState::Degraded);
    CHECK_FALSE(cache->get("k", kNow));

    REQUIRE(admin.command({"CONFIG", "SET", "maxclients", "100"}).text == "OK");
    CHECK(waitFor([&] { return roundTrips(*cache, "k"); }, kRecovery));
    // The pool never opens more than poolSize connections (2) plus the admin.
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i)
                (void)cache->get("k", kNow);
        });
    for (auto &t : threads)
        t.join();
    const std::string clients = admin.command({"CLIENT", "LIST"}).text;
    const auto lines = std::count(clients.begin(), clients.end(), '\n');
    CHECK(lines <= 3);
}

TEST_CASE("unix socket URL")
{
    const std::string socketPath = "/tmp/oidfed-redis-test-" + std::to_string(::getpid()) + ".sock";
    RedisServerProcess server({"--unixsocket", socketPath, "--unixsocketperm", "700"});
    auto cache = makeCache(fastOptions("unix://" + socketPath));
    CHECK(cache->health().state == CacheHealthState::Ok);
    CHECK(roundTrips(*cache, "k"));
}

TEST_CASE("tiered cache: Redis down keeps the memory layer serving")
{
    RedisServerProcess server;
    auto memory = makeMemoryCache({});
    REQUIRE(memory);
    auto tiered = makeTieredCache(std::move(*memory), makeCache(fastOptions(server.url())));
    REQUIRE(tiered);
    Cache &cache = **tiered;
    cache.put("k", entry("v"), kNow);
    server.kill9();
    auto hit = cache.get("k", kNow);
    REQUIRE(hit);
    CHECK(hit->value == "v");
    cache.put("k2", entry("w"), kNow);  // Redis down: still stored in memory
    CHECK(cache.get("k2", kNow));
    CHECK(cache.health().state == CacheHealthState::Degraded);
    server.restart();
    CHECK(waitFor([&] { return cache.health().state == CacheHealthState::Ok; }, kRecovery));
}
