// Measures what the memory cache really allocates per entry, by counting
// every byte requested from operator new in this program, and checks it
// against what the cache accounts for (MemoryCacheOptions::maxBytes) and
// against the product's budget of 8 KiB resident per cached resolution
// (PRODUCT.md section 5).
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include <oidfed/cache.h>
#include <oidfed/cache_key.h>

#include "cache/memory_cache_layout.h"

namespace {

std::atomic<long long> gLiveBytes{0};

/// Each block carries its size in a 16-byte header, so delete knows it.
constexpr std::size_t kHeader = 16;

void *countedAlloc(std::size_t n)
{
    void *p = std::malloc(n + kHeader);
    if (!p)
        throw std::bad_alloc();
    *static_cast<std::size_t *>(p) = n;
    gLiveBytes.fetch_add(static_cast<long long>(n), std::memory_order_relaxed);
    return static_cast<char *>(p) + kHeader;
}

void countedFree(void *p) noexcept
{
    if (!p)
        return;
    char *block = static_cast<char *>(p) - kHeader;
    gLiveBytes.fetch_sub(static_cast<long long>(*reinterpret_cast<std::size_t *>(block)), std::memory_order_relaxed);
    std::free(block);
}

} // namespace

void *operator new(std::size_t n)
{
    return countedAlloc(n);
}
void *operator new[](std::size_t n)
{
    return countedAlloc(n);
}
void operator delete(void *p) noexcept
{
    countedFree(p);
}
void operator delete[](void *p) noexcept
{
    countedFree(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    countedFree(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    countedFree(p);
}

using namespace oidfed;

TEST_CASE("memory cache: per-entry overhead, measured")
{
    constexpr int kEntries = 20000;
    constexpr UnixTime kNow = 1'700'000'000;
    // A resolution-shaped entry: the key of (leaf, anchor set, anchor key
    // digest, entity types), and a value of a three-statement chain plus
    // resolved metadata, about 5.5 KiB.
    const std::string value(5632, 'j');
    MemoryCacheOptions options;
    options.maxEntries = 2 * kEntries;  // room in every shard: nothing is evicted
    options.maxBytes = std::size_t{1} << 30;
    auto made = makeMemoryCache(options);
    REQUIRE(made);
    std::unique_ptr<Cache> cache = std::move(*made);

    std::size_t keyBytes = 0;
    std::vector<std::string> keys;
    keys.reserve(kEntries);
    for (int i = 0; i < kEntries; ++i) {
        const std::string leaf = "https://leaf" + std::to_string(i) + ".federation.example.org";
        keys.push_back(cacheKey(CacheNamespace::Resolution,
                                {leaf, cacheKeySetPart({"https://ta.federation.example.org"}),
                                 cacheKeyDigest("jwks"), cacheKeySetPart({"openid_relying_party"})}));
        keyBytes += keys.back().size();
    }
    const long long before = gLiveBytes.load();
    for (int i = 0; i < kEntries; ++i)
        cache->put(keys[static_cast<std::size_t>(i)], CacheEntry{value, kNow + 3600, false, CacheOrigin::Local}, kNow);
    const long long allocated = gLiveBytes.load() - before;

    const CacheStats s = cache->stats();
    REQUIRE(s.entries == kEntries);
    const double payloadPerEntry = static_cast<double>(keyBytes) / kEntries + static_cast<double>(value.size());
    const double allocatedPerEntry = static_cast<double>(allocated) / kEntries;
    const double accountedPerEntry = static_cast<double>(s.bytes) / kEntries;
    const double overheadPerEntry = allocatedPerEntry - payloadPerEntry;
    std::printf("per entry: key+value %.0f B, allocated %.0f B (overhead %.0f B), accounted %.0f B "
                "(overhead constant %zu B)\n",
                payloadPerEntry, allocatedPerEntry, overheadPerEntry, accountedPerEntry, cache::kEntryOverheadBytes);

    // What the cache charges covers what it really asked for, heap headers
    // aside (they are in the constant, not in operator new's count).
    CHECK(accountedPerEntry >= allocatedPerEntry);
    // The bookkeeping stays small: node, bucket, NULs.
    CHECK(overheadPerEntry <= 160);
    CHECK(cache::kEntryOverheadBytes <= 224);
    // A resolution-sized entry, all counted, fits the 8 KiB budget.
    CHECK(accountedPerEntry <= 8192);
}
