#include <doctest/doctest.h>

#include <string>

#include <oidfed/cache.h>

using namespace oidfed;

namespace {

constexpr UnixTime kNow = 1'700'000'000;

std::unique_ptr<Cache> memoryCache()
{
    auto cache = makeMemoryCache({});
    REQUIRE(cache);
    return std::move(*cache);
}

/// A tiered cache over two in-process caches, with both layers reachable.
struct TwoMemoryLayers {
    Cache *nearLayer = nullptr;
    Cache *farLayer = nullptr;
    std::unique_ptr<Cache> tiered;

    TwoMemoryLayers()
    {
        auto nearOwned = memoryCache();
        auto farOwned = memoryCache();
        nearLayer = nearOwned.get();
        farLayer = farOwned.get();
        auto made = makeTieredCache(std::move(nearOwned), std::move(farOwned));
        REQUIRE(made);
        tiered = std::move(made).value();
    }
};

/// A far layer that is down: everything misses, health is degraded.
class DownCache final : public Cache {
public:
    std::optional<CacheEntry> get(std::string_view, UnixTime) override { return std::nullopt; }
    void put(std::string_view, CacheEntry, UnixTime) override { ++puts; }
    Result<bool> putIfAbsent(std::string_view, CacheEntry, UnixTime) override
    {
        return fail(ErrorCode::Unavailable, "down");
    }
    void erase(std::string_view) override {}
    Result<std::size_t> purgePrefix(std::string_view) override { return fail(ErrorCode::Unavailable, "down"); }
    CacheStats stats() const override
    {
        CacheStats s;
        s.errors = 7;
        return s;
    }
    CacheHealth health() override { return {CacheHealthState::Degraded, "down"}; }
    int puts = 0;
};

} // namespace

TEST_CASE("tiered cache: reads near first, fills near from far, writes both")
{
    TwoMemoryLayers layers;
    Cache *nearLayer = layers.nearLayer;
    Cache *farLayer = layers.farLayer;
    Cache &tiered = *layers.tiered;

    tiered.put("both", CacheEntry{"v", kNow + 60, false, CacheOrigin::Local}, kNow);
    CHECK(nearLayer->get("both", kNow));
    CHECK(farLayer->get("both", kNow));

    // Only in far (as if written by another replica): a hit, marked Shared,
    // then served from near.
    farLayer->put("far-only", CacheEntry{"w", kNow + 60, true, CacheOrigin::Local}, kNow);
    auto hit = tiered.get("far-only", kNow);
    REQUIRE(hit);
    CHECK(hit->value == "w");
    CHECK(hit->negative);
    CHECK(hit->origin == CacheOrigin::Shared);
    auto nearHit = nearLayer->get("far-only", kNow);
    REQUIRE(nearHit);
    CHECK(nearHit->origin == CacheOrigin::Shared);
    farLayer->erase("far-only");
    CHECK(tiered.get("far-only", kNow));

    tiered.erase("both");
    CHECK_FALSE(nearLayer->get("both", kNow));
    CHECK_FALSE(farLayer->get("both", kNow));
    CHECK_FALSE(tiered.get("both", kNow));

    const CacheStats s = tiered.stats();
    CHECK(s.hits == 2);
    CHECK(s.misses == 1);
    CHECK(tiered.health().state == CacheHealthState::Ok);

    tiered.put("p1", CacheEntry{"1", kNow + 60, false, CacheOrigin::Local}, kNow);
    auto purged = tiered.purgePrefix("p");
    REQUIRE(purged);
    CHECK(*purged == 2);  // one in each layer
}

TEST_CASE("tiered cache: a far layer that is down leaves the near layer working")
{
    auto farOwned = std::make_unique<DownCache>();
    DownCache *farLayer = farOwned.get();
    auto made = makeTieredCache(memoryCache(), std::move(farOwned));
    REQUIRE(made);
    Cache &tiered = **made;
    tiered.put("k", CacheEntry{"v", kNow + 60, false, CacheOrigin::Local}, kNow);
    CHECK(farLayer->puts == 1);
    auto hit = tiered.get("k", kNow);
    REQUIRE(hit);
    CHECK(hit->origin == CacheOrigin::Local);
    CHECK(tiered.health().state == CacheHealthState::Degraded);
    CHECK(tiered.stats().errors == 7);
    auto purged = tiered.purgePrefix("");
    CHECK_FALSE(purged);
    CHECK_FALSE(tiered.get("k", kNow));  // near was purged anyway
}

TEST_CASE("tiered cache: putIfAbsent asks far, answers from near when it holds the key, and fails when far is down")
{
    TwoMemoryLayers layers;
    Cache *nearLayer = layers.nearLayer;
    Cache *farLayer = layers.farLayer;
    Cache &tiered = *layers.tiered;

    auto first = tiered.putIfAbsent("jti", CacheEntry{"1", kNow + 60, false, CacheOrigin::Local}, kNow);
    REQUIRE(first);
    CHECK(*first);
    CHECK(nearLayer->get("jti", kNow));
    CHECK(farLayer->get("jti", kNow));
    auto again = tiered.putIfAbsent("jti", CacheEntry{"2", kNow + 60, false, CacheOrigin::Local}, kNow);
    REQUIRE(again);
    CHECK_FALSE(*again);

    // Used on another replica: only far knows.
    REQUIRE(*farLayer->putIfAbsent("elsewhere", CacheEntry{"r", kNow + 60, false, CacheOrigin::Local}, kNow));
    auto replayed = tiered.putIfAbsent("elsewhere", CacheEntry{"3", kNow + 60, false, CacheOrigin::Local}, kNow);
    REQUIRE(replayed);
    CHECK_FALSE(*replayed);

    auto down = makeTieredCache(memoryCache(), std::make_unique<DownCache>());
    REQUIRE(down);
    auto refused = (*down)->putIfAbsent("jti", CacheEntry{"1", kNow + 60, false, CacheOrigin::Local}, kNow);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::Unavailable);
}

TEST_CASE("tiered cache: both layers are required")
{
    CHECK_FALSE(makeTieredCache(nullptr, memoryCache()));
    CHECK_FALSE(makeTieredCache(memoryCache(), nullptr));
}
