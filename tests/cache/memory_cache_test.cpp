#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/cache_key.h>

using namespace oidfed;
using namespace std::chrono_literals;

namespace {

constexpr UnixTime kNow = 1'700'000'000;

std::unique_ptr<Cache> memoryCache(MemoryCacheOptions options = {})
{
    auto cache = makeMemoryCache(options);
    REQUIRE(cache);
    return std::move(*cache);
}

CacheEntry entry(std::string value, UnixTime expiresAt, bool negative = false)
{
    return CacheEntry{std::move(value), expiresAt, negative, CacheOrigin::Local};
}

/// Bytes the cache charges for one entry of these sizes, learned from stats().
std::uint64_t chargeOf(std::size_t keyBytes, std::size_t valueBytes)
{
    auto cache = memoryCache();
    cache->put(std::string(keyBytes, 'k'), entry(std::string(valueBytes, 'v'), kNow + 60), kNow);
    return cache->stats().bytes;
}

} // namespace

TEST_CASE("memory cache: expiry is re-checked on every read (J04)")
{
    auto cache = memoryCache();
    cache->put("k", entry("value", kNow + 100), kNow);
    auto hit = cache->get("k", kNow + 99);
    REQUIRE(hit);
    CHECK(hit->value == "value");
    CHECK(hit->expiresAt == kNow + 100);
    CHECK_FALSE(hit->negative);
    CHECK(hit->origin == CacheOrigin::Local);
    CHECK_FALSE(cache->get("k", kNow + 100));  // expiresAt <= now is expired
    CHECK_FALSE(cache->get("k", kNow));        // and it was dropped
    const CacheStats s = cache->stats();
    CHECK(s.hits == 1);
    CHECK(s.misses == 2);
    CHECK(s.expired == 1);
    CHECK(s.stores == 1);
    CHECK(s.entries == 0);
    CHECK(s.bytes == 0);
}

TEST_CASE("memory cache: TTL clamps (maxTtl, negativeTtl; J05)")
{
    MemoryCacheOptions options;
    options.maxTtl = 3600s;
    options.negativeTtl = 60s;
    auto cache = memoryCache(options);

    cache->put("long", entry("v", kNow + 100'000), kNow);
    auto hit = cache->get("long", kNow);
    REQUIRE(hit);
    CHECK(hit->expiresAt == kNow + 3600);
    CHECK_FALSE(cache->get("long", kNow + 3600));

    cache->put("neg", entry("bad_signature", kNow + 5000, true), kNow);
    hit = cache->get("neg", kNow + 59);
    REQUIRE(hit);
    CHECK(hit->negative);
    CHECK(hit->value == "bad_signature");
    CHECK(hit->expiresAt == kNow + 60);
    CHECK_FALSE(cache->get("neg", kNow + 60));

    // A shorter own expiry wins over the clamps.
    cache->put("neg", entry("x", kNow + 10, true), kNow);
    CHECK(cache->get("neg", kNow)->expiresAt == kNow + 10);

    // negativeTtl 0: negative entries are never stored.
    options.negativeTtl = 0s;
    auto noNegative = memoryCache(options);
    noNegative->put("neg", entry("x", kNow + 10, true), kNow);
    CHECK_FALSE(noNegative->get("neg", kNow));
    CHECK(noNegative->stats().stores == 0);
}

TEST_CASE("memory cache: an expired put stores nothing and removes the old entry")
{
    auto cache = memoryCache();
    cache->put("k", entry("old", kNow + 100), kNow);
    cache->put("k", entry("new", kNow), kNow);
    CHECK_FALSE(cache->get("k", kNow));
    cache->put("k", entry("new", kNow - 1), kNow);
    CHECK(cache->stats().entries == 0);
    CHECK(cache->stats().stores == 1);
}

TEST_CASE("memory cache: replacing an entry updates value, flags and bytes")
{
    auto cache = memoryCache();
    cache->put("k", entry(std::string(1000, 'a'), kNow + 100), kNow);
    const auto before = cache->stats().bytes;
    cache->put("k", CacheEntry{"b", kNow + 50, true, CacheOrigin::Shared}, kNow);
    auto hit = cache->get("k", kNow);
    REQUIRE(hit);
    CHECK(hit->value == "b");
    CHECK(hit->negative);
    CHECK(hit->origin == CacheOrigin::Shared);
    CHECK(hit->expiresAt == kNow + 50);
    CHECK(cache->stats().bytes == before - 999);
    CHECK(cache->stats().entries == 1);
}

TEST_CASE("memory cache: LRU eviction by entry count")
{
    MemoryCacheOptions options;
    options.maxEntries = 3;
    options.shards = 1;
    auto cache = memoryCache(options);
    for (const char *k : {"a", "b", "c"})
        cache->put(k, entry(k, kNow + 60), kNow);
    REQUIRE(cache->get("a", kNow));  // a is now the most recently used
    cache->put("d", entry("d", kNow + 60), kNow);
    CHECK_FALSE(cache->get("b", kNow));  // b was the least recently used
    CHECK(cache->get("a", kNow));
    CHECK(cache->get("c", kNow));
    CHECK(cache->get("d", kNow));
    cache->put("e", entry("e", kNow + 60), kNow);  // a is now the least recently used
    CHECK_FALSE(cache->get("a", kNow));
    const CacheStats s = cache->stats();
    CHECK(s.evictions == 2);
    CHECK(s.entries == 3);
}

TEST_CASE("memory cache: LRU eviction by bytes")
{
    const std::uint64_t charge = chargeOf(1, 1500);
    MemoryCacheOptions options;
    options.shards = 1;
    options.maxBytes = static_cast<std::size_t>(3 * charge + charge / 2);  // room for three
    auto cache = memoryCache(options);
    for (const char *k : {"a", "b", "c"})
        cache->put(k, entry(std::string(1500, *k), kNow + 60), kNow);
    CHECK(cache->stats().entries == 3);
    CHECK(cache->stats().bytes == 3 * charge);
    REQUIRE(cache->get("a", kNow));
    cache->put("d", entry(std::string(1500, 'd'), kNow + 60), kNow);
    CHECK_FALSE(cache->get("b", kNow));
    CHECK(cache->get("a", kNow));
    CHECK(cache->stats().evictions == 1);

    // One large entry pushes out as many as it needs.
    cache->put("big", entry(std::string(3000, 'x'), kNow + 60), kNow);
    CHECK(cache->get("big", kNow));
    CHECK(cache->stats().bytes <= options.maxBytes);

    // An entry larger than the whole budget is not stored, and evicts nothing.
    const auto entries = cache->stats().entries;
    cache->put("huge", entry(std::string(options.maxBytes, 'x'), kNow + 60), kNow);
    CHECK_FALSE(cache->get("huge", kNow));
    CHECK(cache->stats().entries == entries);
}

TEST_CASE("memory cache: a flood of keys stored once does not evict entries in use (J12, segmented LRU)")
{
    MemoryCacheOptions options;
    options.maxEntries = 100;
    options.shards = 1;
    auto cache = memoryCache(options);
    // 50 entries in use: stored, then read.
    for (int i = 0; i < 50; ++i)
        cache->put("hot-" + std::to_string(i), entry("v", kNow + 600), kNow);
    for (int i = 0; i < 50; ++i)
        REQUIRE(cache->get("hot-" + std::to_string(i), kNow));
    // 10,000 keys stored once and never read again (unique subjects asked
    // for by one client, say) cycle through the cold segment only.
    for (int i = 0; i < 10000; ++i)
        cache->put("flood-" + std::to_string(i), entry("v", kNow + 600), kNow);
    int kept = 0;
    for (int i = 0; i < 50; ++i)
        kept += cache->get("hot-" + std::to_string(i), kNow) ? 1 : 0;
    CHECK(kept == 50);
    CHECK(cache->stats().entries == 100);
    CHECK(cache->get("flood-9999", kNow));   // the newest of the flood is there
    CHECK_FALSE(cache->get("flood-0", kNow));  // the oldest went first

    // The hot segment is bounded (80 %): when more entries are in use than
    // that, the least recently used of them go back to the cold segment and
    // can be evicted again.
    for (int i = 0; i < 100; ++i) {
        cache->put("busy-" + std::to_string(i), entry("v", kNow + 600), kNow);
        cache->get("busy-" + std::to_string(i), kNow);
    }
    CHECK(cache->stats().entries == 100);
    int busyKept = 0;
    for (int i = 0; i < 100; ++i)
        busyKept += cache->get("busy-" + std::to_string(i), kNow) ? 1 : 0;
    CHECK(busyKept >= 80);
}

TEST_CASE("memory cache: sharded totals stay within the bounds")
{
    MemoryCacheOptions options;
    options.maxEntries = 100;
    options.shards = 16;
    auto cache = memoryCache(options);
    for (int i = 0; i < 1000; ++i)
        cache->put("key" + std::to_string(i), entry("v", kNow + 60), kNow);
    CHECK(cache->stats().entries <= 100);
    CHECK(cache->stats().entries >= 80);  // every shard is filled to its share
    CHECK(cache->stats().evictions == 1000 - cache->stats().entries);
}

TEST_CASE("memory cache: binary keys, erase and purgePrefix")
{
    auto cache = memoryCache();
    const std::string nulKey("a\0b", 3);
    cache->put(nulKey, entry("nul", kNow + 60), kNow);
    cache->put("a", entry("plain", kNow + 60), kNow);
    CHECK(cache->get(nulKey, kNow)->value == "nul");
    CHECK(cache->get("a", kNow)->value == "plain");
    cache->erase(nulKey);
    CHECK_FALSE(cache->get(nulKey, kNow));
    CHECK(cache->get("a", kNow));

    const std::string leaf = "https://leaf.example";
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf, "https://ta1.example"}), entry("1", kNow + 60), kNow);
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf, "https://ta2.example"}), entry("2", kNow + 60), kNow);
    cache->put(cacheKey(CacheNamespace::Resolution, {leaf + "2", "https://ta1.example"}), entry("3", kNow + 60), kNow);
    auto removed = cache->purgePrefix(cacheKey(CacheNamespace::Resolution, {leaf}));
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(cache->get(cacheKey(CacheNamespace::Resolution, {leaf + "2", "https://ta1.example"}), kNow));
    removed = cache->purgePrefix("");
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(cache->stats().entries == 0);
    CHECK(cache->stats().bytes == 0);
}

TEST_CASE("memory cache: keys over the limit are never stored")
{
    auto cache = memoryCache();
    const std::string longKey(kMaxCacheKeyBytes + 1, 'k');
    cache->put(longKey, entry("v", kNow + 60), kNow);
    CHECK_FALSE(cache->get(longKey, kNow));
    CHECK(cache->stats().entries == 0);
}

TEST_CASE("memory cache: putIfAbsent stores once, until the entry expires, and is not clamped by maxTtl")
{
    MemoryCacheOptions options;
    options.maxTtl = 10s;
    options.negativeTtl = 0s;
    auto cache = memoryCache(options);
    auto first = cache->putIfAbsent("jti", entry("1", kNow + 600), kNow);
    REQUIRE(first);
    CHECK(*first);
    auto again = cache->putIfAbsent("jti", entry("2", kNow + 600), kNow + 1);
    REQUIRE(again);
    CHECK_FALSE(*again);
    auto held = cache->get("jti", kNow + 500);  // past maxTtl, within its own expiry
    REQUIRE(held);
    CHECK(held->value == "1");
    CHECK(held->expiresAt == kNow + 600);
    auto afterExpiry = cache->putIfAbsent("jti", entry("3", kNow + 1200), kNow + 600);
    REQUIRE(afterExpiry);
    CHECK(*afterExpiry);

    auto noLifetime = cache->putIfAbsent("other", entry("x", kNow), kNow);
    REQUIRE_FALSE(noLifetime);
    CHECK(noLifetime.error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(cache->get("other", kNow - 1));
}

TEST_CASE("memory cache: health is always ok")
{
    auto cache = memoryCache();
    CHECK(cache->health().state == CacheHealthState::Ok);
    CHECK(cache->health().detail.empty());
}

TEST_CASE("memory cache: options out of range are refused")
{
    auto refused = [](MemoryCacheOptions o) {
        auto r = makeMemoryCache(o);
        return !r && r.error().code == ErrorCode::InvalidArgument;
    };
    MemoryCacheOptions o;
    o.maxEntries = 0;
    CHECK(refused(o));
    o = {};
    o.maxBytes = 100;
    CHECK(refused(o));
    o = {};
    o.maxTtl = 0s;
    CHECK(refused(o));
    o = {};
    o.negativeTtl = -1s;
    CHECK(refused(o));
    o = {};
    o.negativeTtl = o.maxTtl + 1s;
    CHECK(refused(o));
    o = {};
    o.shards = 0;
    CHECK(refused(o));
    o = {};
    o.shards = 257;
    CHECK(refused(o));
    o = {};
    o.maxEntries = 4;
    o.shards = 8;
    CHECK(refused(o));
}

TEST_CASE("memory cache: concurrent get/put/erase from several threads")
{
    MemoryCacheOptions options;
    options.maxEntries = 500;
    auto cache = memoryCache(options);
    std::atomic<int> wrongValues{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            unsigned state = 12345u + static_cast<unsigned>(t);
            for (int i = 0; i < 20000; ++i) {
                state = state * 1103515245u + 12345u;
                const int k = static_cast<int>((state >> 8) % 2000);
                const std::string key = "key" + std::to_string(k);
                switch ((state >> 4) % 8) {
                case 0:
                    cache->erase(key);
                    break;
                case 1:
                case 2:
                    cache->put(key, entry("value-of-" + key, kNow + 60), kNow);
                    break;
                default:
                    if (auto hit = cache->get(key, kNow); hit && hit->value != "value-of-" + key)
                        wrongValues.fetch_add(1);
                }
            }
        });
    }
    for (auto &t : threads)
        t.join();
    CHECK(wrongValues.load() == 0);
    const CacheStats s = cache->stats();
    CHECK(s.entries <= 500);
    CHECK(s.hits + s.misses > 0);
    // The accounting adds up after the storm: purging everything empties it.
    auto removed = cache->purgePrefix("");
    REQUIRE(removed);
    CHECK(*removed == s.entries);
    CHECK(cache->stats().bytes == 0);
}
