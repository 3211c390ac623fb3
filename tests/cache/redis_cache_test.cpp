// The Redis cache against the shared redis-server of the test run
// ($OIDFED_TEST_REDIS): round trips, TTLs, binary-safe keys, and values
// planted behind the cache's back (threats J04, J07, J08, R9, R10, R13).
// Every test uses its own key prefix, so runs never see each other's keys.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/cache_key.h>

#include "cache/value_codec.h"
#include "redis_test_server.h"

using namespace oidfed;
using namespace std::chrono_literals;

namespace {

constexpr UnixTime kNow = 1'700'000'000;

std::string sharedUrl()
{
    return std::getenv("OIDFED_TEST_REDIS");
}

/// A key prefix no other test or run uses.
std::string uniquePrefix(std::string_view tag)
{
    static std::atomic<int> counter{0};
    std::random_device rd;
    return "oidfed-test:" + std::string(tag) + ":" + std::to_string(rd()) + ":" + std::to_string(counter++) + ":";
}

RedisCacheOptions options(std::string prefix)
{
    RedisCacheOptions o;
    o.url = sharedUrl();
    o.keyPrefix = std::move(prefix);
    o.connectTimeout = 500ms;  // the machine is shared; the fault suite checks tight timeouts
    o.commandTimeout = 500ms;
    return o;
}

std::unique_ptr<Cache> redisCache(const RedisCacheOptions &o)
{
    auto cache = makeRedisCache(o);
    REQUIRE(cache);
    REQUIRE((*cache)->health().state == CacheHealthState::Ok);
    return std::move(*cache);
}

CacheEntry entry(std::string value, UnixTime expiresAt, bool negative = false)
{
    return CacheEntry{std::move(value), expiresAt, negative, CacheOrigin::Local};
}

} // namespace

TEST_CASE("redis cache: round trip of binary values, flags and expiry")
{
    const auto o = options(uniquePrefix("roundtrip"));
    auto cache = redisCache(o);
    const std::string value("eyJ\0\r\n\xff binary", 14);
    cache->put("k", entry(value, kNow + 100), kNow);
    auto hit = cache->get("k", kNow + 1);
    REQUIRE(hit);
    CHECK(hit->value == value);
    CHECK(hit->expiresAt == kNow + 100);
    CHECK_FALSE(hit->negative);
    CHECK(hit->origin == CacheOrigin::Shared);

    cache->put("neg", entry("no_valid_chain", kNow + 30, true), kNow);
    hit = cache->get("neg", kNow);
    REQUIRE(hit);
    CHECK(hit->negative);
    CHECK(hit->value == "no_valid_chain");

    CHECK_FALSE(cache->get("absent", kNow));
    cache->erase("k");
    CHECK_FALSE(cache->get("k", kNow));

    const CacheStats s = cache->stats();
    CHECK(s.hits == 2);
    CHECK(s.misses == 2);
    CHECK(s.stores == 2);
    CHECK(s.errors == 0);
    CHECK(s.skipped == 0);
}

TEST_CASE("redis cache: TTLs are clamped, and Redis holds the same TTL (J04, J05)")
{
    auto o = options(uniquePrefix("ttl"));
    o.maxTtl = 3600s;
    o.negativeTtl = 60s;
    auto cache = redisCache(o);
    test::AdminConnection admin(sharedUrl());

    cache->put("long", entry("v", kNow + 100'000), kNow);
    auto hit = cache->get("long", kNow);
    REQUIRE(hit);
    CHECK(hit->expiresAt == kNow + 3600);
    const long long pttl = std::stoll(admin.command({"PTTL", o.keyPrefix + "long"}).text);
    CHECK(pttl > 3'500'000);
    CHECK(pttl <= 3'600'000);

    cache->put("neg", entry("x", kNow + 100'000, true), kNow);
    CHECK(cache->get("neg", kNow)->expiresAt == kNow + 60);
    CHECK(std::stoll(admin.command({"PTTL", o.keyPrefix + "neg"}).text) <= 60'000);

    // Already expired: nothing stored, the old value removed.
    cache->put("long", entry("v", kNow), kNow);
    CHECK(admin.command({"EXISTS", o.keyPrefix + "long"}).text == "0");
}

TEST_CASE("redis cache: keys are binary-safe; nothing is injected (J08)")
{
    const auto o = options(uniquePrefix("j08"));
    auto cache = redisCache(o);
    test::AdminConnection admin(sharedUrl());
    const std::vector<std::string> keys = {
        "with space",
        "crlf\r\nSET injected 1\r\n",
        std::string("nul\0inside", 10),
        std::string("nul\0other", 9),
        "*3\r\n$3\r\nSET\r\n$8\r\ninjected\r\n$1\r\n1\r\n",
        "%s %b %d",
        "glob*?[x]",
        std::string("\xff\xfe", 2),
    };
    for (std::size_t i = 0; i < keys.size(); ++i)
        cache->put(keys[i], entry("value" + std::to_string(i), kNow + 60), kNow);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        CAPTURE(i);
        auto hit = cache->get(keys[i], kNow);
        REQUIRE(hit);
        CHECK(hit->value == "value" + std::to_string(i));
    }
    CHECK(admin.command({"EXISTS", "injected"}).text == "0");
    CHECK(admin.command({"EXISTS", o.keyPrefix + "injected"}).text == "0");
    CHECK(admin.command({"EXISTS", o.keyPrefix + std::string("nul\0inside", 10)}).text == "1");
    CHECK(cache->purgePrefix("").value() == keys.size());
}

TEST_CASE("redis cache: garbage, truncated and oversized values are a miss and are deleted (R9, J07)")
{
    auto o = options(uniquePrefix("r9"));
    o.maxValueBytes = 1024;
    auto cache = redisCache(o);
    test::AdminConnection admin(sharedUrl());
    const std::string good = cache::encodeCacheValue(entry("valid", kNow + 60));
    const std::vector<std::pair<std::string, std::string>> planted = {
        {"garbage", "garbage"},
        {"empty", ""},
        {"truncated", good.substr(0, good.size() - 1)},
        {"padded", good + "x"},
        {"oversized", std::string(4096, 'x')},
        {"header-only", good.substr(0, cache::kValueHeaderBytes)},
    };
    for (const auto &item : planted) {
        const auto &key = item.first;  // not a structured binding: clang < 16 cannot capture one
        const auto &value = item.second;
        CAPTURE(key);
        REQUIRE(admin.command({"SET", o.keyPrefix + key, value, "EX", "3600"}).text == "OK");
        CHECK_FALSE(cache->get(key, kNow));
        CHECK(admin.command({"EXISTS", o.keyPrefix + key}).text == "0");
    }
    // A list where a string belongs is a miss too (an error reply).
    REQUIRE(admin.command({"RPUSH", o.keyPrefix + "list", "x"}).text == "1");
    CHECK_FALSE(cache->get("list", kNow));

    const CacheStats s = cache->stats();
    CHECK(s.corrupt == planted.size());
    CHECK(s.hits == 0);
    // Redis answered every time: the breaker stayed closed.
    CHECK(s.skipped == 0);
    CHECK(cache->health().state == CacheHealthState::Ok);
    // And the cache still works.
    cache->put("after", entry("ok", kNow + 60), kNow);
    CHECK(cache->get("after", kNow));
    admin.command({"DEL", o.keyPrefix + "list"});
}

TEST_CASE("redis cache: an expired embedded expiry under a live Redis TTL is a miss (R10, J04)")
{
    const auto o = options(uniquePrefix("r10"));
    auto cache = redisCache(o);
    test::AdminConnection admin(sharedUrl());

    cache->put("chain", entry("v", kNow + 60), kNow);  // Redis TTL: 60 s of real time
    CHECK(cache->get("chain", kNow + 59));
    CHECK_FALSE(cache->get("chain", kNow + 60));
    CHECK(admin.command({"EXISTS", o.keyPrefix + "chain"}).text == "0");

    // Planted with a long Redis TTL but an embedded expiry in the past.
    const std::string stale = cache::encodeCacheValue(entry("old chain", kNow - 1));
    admin.command({"SET", o.keyPrefix + "stale", stale, "EX", "3600"});
    CHECK_FALSE(cache->get("stale", kNow));
    CHECK(cache->stats().expired == 2);
}

TEST_CASE("redis cache: other schema versions and other prefixes are never read (R13)")
{
    const auto o = options(uniquePrefix("r13"));
    auto cache = redisCache(o);
    test::AdminConnection admin(sharedUrl());

    std::string future = cache::encodeCacheValue(entry("v2 value", kNow + 60));
    future[3] = static_cast<char>(cache::kValueFormatVersion + 1);
    admin.command({"SET", o.keyPrefix + "k", future, "EX", "3600"});
    CHECK_FALSE(cache->get("k", kNow));
    CHECK(admin.command({"EXISTS", o.keyPrefix + "k"}).text == "0");

    // Another deployment (another keyPrefix) on the same Redis.
    auto other = redisCache(options(uniquePrefix("r13-other")));
    other->put("k", entry("theirs", kNow + 60), kNow);
    CHECK_FALSE(cache->get("k", kNow));
    CHECK(other->get("k", kNow));
    CHECK(other->purgePrefix("").value() == 1);

    // Keys of another key schema version live under other names.
    CHECK(cacheKey(CacheNamespace::Statement, {"x"}).starts_with("v1:"));
}

TEST_CASE("redis cache: purgePrefix removes exactly the matching keys, glob characters included (J10)")
{
    const std::string prefix = uniquePrefix("purge[1]*?\\");
    auto cache = redisCache(options(prefix));
    test::AdminConnection admin(sharedUrl());
    const std::string leaf = "https://leaf.example";
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf, "ta1"}), entry("1", kNow + 60), kNow);
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf, "ta2"}), entry("2", kNow + 60), kNow);
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf + "x", "ta1"}), entry("3", kNow + 60), kNow);
    cache->put(cacheKey(CacheNamespace::Statement, {leaf}), entry("4", kNow + 60), kNow);
    // A key that the prefix, used as an unescaped glob, would match.
    const std::size_t glob = prefix.find("[1]*?\\");
    REQUIRE(glob != std::string::npos);
    const std::string lookalike = prefix.substr(0, glob) + "1ab" + prefix.substr(glob + 6) + "x";
    admin.command({"SET", lookalike, "keep", "EX", "60"});

    auto removed = cache->purgePrefix(cacheKey(CacheNamespace::Resolution, {leaf}));
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(cache->get(cacheKey(CacheNamespace::Resolution, {leaf + "x", "ta1"}), kNow));
    removed = cache->purgePrefix("");
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(admin.command({"EXISTS", lookalike}).text == "1");
    admin.command({"DEL", lookalike});
}

TEST_CASE("redis cache: concurrent use through the pool")
{
    auto o = options(uniquePrefix("concurrent"));
    o.poolSize = 3;
    auto cache = redisCache(o);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 150; ++i) {
                const std::string key = "k" + std::to_string((t * 7 + i) % 40);
                if (i % 3 == 0)
                    cache->put(key, entry("v-" + key, kNow + 60), kNow);
                else if (auto hit = cache->get(key, kNow); hit && hit->value != "v-" + key)
                    ++wrong;
            }
        });
    for (auto &t : threads)
        t.join();
    CHECK(wrong.load() == 0);
    CHECK(cache->stats().skipped == 0);
    (void)cache->purgePrefix("");
}

TEST_CASE("redis cache: tiered over Redis shares entries between replicas")
{
    const auto o = options(uniquePrefix("tiered"));
    auto replica = [&] {
        auto memory = makeMemoryCache({});
        REQUIRE(memory);
        auto tiered = makeTieredCache(std::move(*memory), redisCache(o));
        REQUIRE(tiered);
        return std::move(*tiered);
    };
    auto a = replica();
    auto b = replica();
    a->put("chain", entry("resolved", kNow + 60), kNow);
    auto local = a->get("chain", kNow);
    REQUIRE(local);
    CHECK(local->origin == CacheOrigin::Local);  // a's own write, from its memory layer
    auto shared = b->get("chain", kNow);
    REQUIRE(shared);
    CHECK(shared->value == "resolved");
    CHECK(shared->origin == CacheOrigin::Shared);
    CHECK(b->health().state == CacheHealthState::Ok);
    (void)a->purgePrefix("");
}

TEST_CASE("redis cache: putIfAbsent is one SET NX PX, seen by every replica, its TTL not clamped")
{
    auto o = options(uniquePrefix("nx"));
    o.maxTtl = 60s;
    auto replicaA = redisCache(o);
    auto replicaB = redisCache(o);
    test::AdminConnection admin(sharedUrl());

    auto first = replicaA->putIfAbsent("jti", entry("a", kNow + 600), kNow);
    REQUIRE(first);
    CHECK(*first);
    auto second = replicaB->putIfAbsent("jti", entry("b", kNow + 600), kNow);
    REQUIRE(second);
    CHECK_FALSE(*second);
    auto held = replicaB->get("jti", kNow);
    REQUIRE(held);
    CHECK(held->value == "a");
    const long long pttl = std::stoll(admin.command({"PTTL", o.keyPrefix + "jti"}).text);
    CHECK(pttl > 500'000);  // the marker's own 600 s, not maxTtl's 60 s
    CHECK(pttl <= 600'000);

    // Many replicas racing for one key: exactly one wins.
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            auto won = replicaA->putIfAbsent("race", entry("r", kNow + 60), kNow);
            if (won && *won)
                ++winners;
        });
    for (auto &t : threads)
        t.join();
    CHECK(winners.load() == 1);
}

TEST_CASE("redis cache: bad URLs and options are refused without echoing secrets")
{
    RedisCacheOptions o;
    o.url = "redis://:topsecret@127.0.0.1:notaport";
    auto r = makeRedisCache(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().message.find("topsecret") == std::string::npos);

    o = RedisCacheOptions{};
    o.url = sharedUrl();
    o.keyPrefix = "";
    CHECK_FALSE(makeRedisCache(o));
    o.keyPrefix = "x:";
    o.poolSize = 0;
    CHECK_FALSE(makeRedisCache(o));
    o.poolSize = 4;
    o.breakerInitialBackoff = 10s;
    o.breakerMaxBackoff = 1s;
    CHECK_FALSE(makeRedisCache(o));
    o.breakerInitialBackoff = 100ms;
    o.commandTimeout = 0ms;
    CHECK_FALSE(makeRedisCache(o));
    o.commandTimeout = 100ms;
    o.maxValueBytes = 10;
    CHECK_FALSE(makeRedisCache(o));
}
