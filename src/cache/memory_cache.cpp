// The in-process Cache: a sharded, segmented LRU bounded by entries and by
// bytes.
//
// Design:
// - The key space is split into `shards` independent LRUs by a hash of the
//   key; each shard has one mutex that guards everything in it, so threads
//   working on different shards never contend. Every operation locks exactly
//   one shard (purgePrefix and stats lock them one after the other).
// - A shard is an unordered_map from key to Slot plus two intrusive doubly
//   linked lists through the map's own nodes, newest first. The map is
//   node-based, so an element's address is stable until it is erased; the
//   list links are plain pointers to those elements. get and put are O(1):
//   one hash lookup and a few pointer updates.
// - The two lists are the segments of a segmented LRU (threat J12: a flood
//   of keys requested once must not evict the entries in real use). A new
//   entry goes to the cold segment; a hit on it moves it to the hot one,
//   which holds at most kHotShare of the shard's bounds (its least recently
//   used entries move back to the cold segment's newest end). Eviction takes
//   the cold segment's least recently used entry, and the hot segment's only
//   when the cold one is empty. So keys seen once only push each other out,
//   while an entry read twice stays until kHotShare of the cache is hotter.
// - Memory is accounted per entry as key bytes + value bytes +
//   kEntryOverheadBytes (the map node, the bucket slot, and allocator
//   headers). memory_overhead_test checks that this covers what is really
//   allocated.
// - Bounds are per shard: each holds its share of maxEntries and maxBytes,
//   so the totals never exceed the options.
#include <oidfed/cache.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache/cache_ttl.h"
#include "cache/memory_cache_layout.h"

namespace oidfed {

namespace {

using cache::Item;
using cache::kEntryOverheadBytes;
using cache::Slot;
using cache::SlotMap;

std::size_t entryCharge(std::size_t keyBytes, std::size_t valueBytes)
{
    return keyBytes + valueBytes + kEntryOverheadBytes;
}

/// Counters of one shard (the monotonic fields of CacheStats).
struct ShardCounters {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t stores = 0;
    std::uint64_t evictions = 0;
    std::uint64_t expired = 0;
};

/// The hot segment's part of a shard's bounds, as a fraction.
constexpr std::size_t kHotShareNumerator = 4;
constexpr std::size_t kHotShareDenominator = 5;

/// One LRU list: the most and the least recently used entries, and what the
/// entries in it count and are charged.
struct Segment {
    Item *newest = nullptr;
    Item *oldest = nullptr;
    std::size_t entries = 0;
    std::size_t bytes = 0;
};

struct Shard {
    std::mutex mutex;
    // guarded by mutex:
    SlotMap map;
    // guarded by mutex: entries read once (cold) and again (hot).
    Segment cold;
    Segment hot;
    // guarded by mutex: what all the entries are charged, in bytes.
    std::size_t bytes = 0;
    // guarded by mutex:
    ShardCounters counters;
    // This shard's share of the bounds: set before the cache is shared,
    // read-only afterwards.
    std::size_t maxEntries = 0;
    std::size_t maxBytes = 0;
    std::size_t maxHotEntries = 0;
    std::size_t maxHotBytes = 0;
};

// The helpers below REQUIRE: shard.mutex held by the caller.

std::size_t chargeOf(const Item *item)
{
    return entryCharge(item->first.size(), item->second.value.size());
}

Segment &segmentOf(Shard &shard, const Item *item)
{
    return item->second.hot ? shard.hot : shard.cold;
}

void unlink(Shard &shard, Item *item)
{
    Segment &segment = segmentOf(shard, item);
    Slot &slot = item->second;
    (slot.newer ? slot.newer->second.older : segment.newest) = slot.older;
    (slot.older ? slot.older->second.newer : segment.oldest) = slot.newer;
    slot.newer = slot.older = nullptr;
    --segment.entries;
    segment.bytes -= chargeOf(item);
}

void pushNewest(Shard &shard, Item *item, bool hot)
{
    Slot &slot = item->second;
    slot.hot = hot;
    Segment &segment = segmentOf(shard, item);
    slot.newer = nullptr;
    slot.older = segment.newest;
    if (segment.newest)
        segment.newest->second.newer = item;
    segment.newest = item;
    if (!segment.oldest)
        segment.oldest = item;
    ++segment.entries;
    segment.bytes += chargeOf(item);
}

void removeItem(Shard &shard, Item *item)
{
    unlink(shard, item);
    shard.bytes -= chargeOf(item);
    shard.map.erase(shard.map.find(item->first));
}

/// Moves the hot segment's least recently used entries, but `keep`, to the
/// cold one until the hot segment fits its share.
void coolDown(Shard &shard, const Item *keep)
{
    while ((shard.hot.entries > shard.maxHotEntries || shard.hot.bytes > shard.maxHotBytes) &&
           shard.hot.oldest && shard.hot.oldest != keep) {
        Item *item = shard.hot.oldest;
        unlink(shard, item);
        pushNewest(shard, item, false);
    }
}

class MemoryCache final : public Cache {
public:
    explicit MemoryCache(const MemoryCacheOptions &options) : options_(options), shards_(options.shards)
    {
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shards_[i] = std::make_unique<Shard>();
            shards_[i]->maxEntries = share(options.maxEntries, i);
            shards_[i]->maxBytes = share(options.maxBytes, i);
            shards_[i]->maxHotEntries =
                std::max<std::size_t>(1, shards_[i]->maxEntries * kHotShareNumerator / kHotShareDenominator);
            shards_[i]->maxHotBytes = shards_[i]->maxBytes / kHotShareDenominator * kHotShareNumerator;
        }
    }

    std::optional<CacheEntry> get(std::string_view key, UnixTime now) override
    {
        Shard &shard = shardFor(key);
        std::lock_guard lock(shard.mutex);
        auto it = key.size() <= kMaxCacheKeyBytes ? shard.map.find(key) : shard.map.end();
        if (it == shard.map.end()) {
            ++shard.counters.misses;
            return std::nullopt;
        }
        Item *item = &*it;
        if (item->second.expiresAt <= now) {
            removeItem(shard, item);
            ++shard.counters.expired;
            ++shard.counters.misses;
            return std::nullopt;
        }
        unlink(shard, item);
        pushNewest(shard, item, true);
        coolDown(shard, item);
        ++shard.counters.hits;
        const Slot &slot = item->second;
        return CacheEntry{slot.value, slot.expiresAt, slot.negative, slot.origin};
    }

    void put(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        if (key.size() > kMaxCacheKeyBytes)
            return;
        std::optional<UnixTime> expiry =
            cache::clampedExpiry(entry.expiresAt, entry.negative, now, options_.maxTtl, options_.negativeTtl);
        const std::size_t charge = entryCharge(key.size(), entry.value.size());
        Shard &shard = shardFor(key);
        std::lock_guard lock(shard.mutex);
        auto it = shard.map.find(key);
        if (!expiry || charge > shard.maxBytes) {
            if (it != shard.map.end())
                removeItem(shard, &*it);
            return;
        }
        storeLocked(shard, it, key, std::move(entry), *expiry);
    }

    Result<bool> putIfAbsent(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        const std::size_t charge = entryCharge(key.size(), entry.value.size());
        if (key.size() > kMaxCacheKeyBytes || entry.expiresAt <= now)
            return fail(ErrorCode::InvalidArgument, "putIfAbsent: a key over the size limit or no lifetime left");
        Shard &shard = shardFor(key);
        std::lock_guard lock(shard.mutex);
        if (charge > shard.maxBytes)
            return fail(ErrorCode::InvalidArgument, "putIfAbsent: an entry larger than a shard of the cache");
        auto it = shard.map.find(key);
        if (it != shard.map.end()) {
            if (it->second.expiresAt > now)
                return false;
            removeItem(shard, &*it);
            ++shard.counters.expired;
            it = shard.map.end();
        }
        entry.negative = false;
        const UnixTime expiry = entry.expiresAt;
        storeLocked(shard, it, key, std::move(entry), expiry);
        return true;
    }

    void erase(std::string_view key) override
    {
        Shard &shard = shardFor(key);
        std::lock_guard lock(shard.mutex);
        auto it = shard.map.find(key);
        if (it != shard.map.end())
            removeItem(shard, &*it);
    }

    Result<std::size_t> purgePrefix(std::string_view prefix) override
    {
        std::size_t removed = 0;
        for (auto &shard : shards_) {
            std::lock_guard lock(shard->mutex);
            for (Segment *segment : {&shard->cold, &shard->hot}) {
                for (Item *item = segment->oldest; item;) {
                    Item *next = item->second.newer;
                    if (std::string_view(item->first).starts_with(prefix)) {
                        removeItem(*shard, item);
                        ++removed;
                    }
                    item = next;
                }
            }
        }
        return removed;
    }

    CacheStats stats() const override
    {
        CacheStats total;
        for (const auto &shard : shards_) {
            std::lock_guard lock(shard->mutex);
            total.hits += shard->counters.hits;
            total.misses += shard->counters.misses;
            total.stores += shard->counters.stores;
            total.evictions += shard->counters.evictions;
            total.expired += shard->counters.expired;
            total.entries += shard->map.size();
            total.bytes += shard->bytes;
        }
        return total;
    }

    CacheHealth health() override { return {}; }

private:
    /// Stores or replaces (`it`: the key's current element or end()) with
    /// `expiry`, then evicts beyond the bounds. REQUIRES: shard.mutex held,
    /// the entry fits shard.maxBytes.
    void storeLocked(Shard &shard, SlotMap::iterator it, std::string_view key, CacheEntry entry, UnixTime expiry)
    {
        const std::size_t charge = entryCharge(key.size(), entry.value.size());
        Item *item = nullptr;
        bool hot = false;  // a replaced entry keeps its segment
        if (it != shard.map.end()) {
            item = &*it;
            hot = item->second.hot;
            unlink(shard, item);
            shard.bytes -= chargeOf(item);
        } else {
            item = &*shard.map.try_emplace(std::string(key)).first;
        }
        Slot &slot = item->second;
        slot.value = std::move(entry.value);
        slot.value.shrink_to_fit();
        slot.expiresAt = expiry;
        slot.negative = entry.negative;
        slot.origin = entry.origin;
        shard.bytes += charge;
        pushNewest(shard, item, hot);
        if (hot)
            coolDown(shard, item);
        ++shard.counters.stores;
        while (shard.map.size() > shard.maxEntries || shard.bytes > shard.maxBytes) {
            Item *victim = shard.cold.oldest != item ? shard.cold.oldest : nullptr;
            if (!victim)
                victim = shard.hot.oldest != item ? shard.hot.oldest : nullptr;
            if (!victim)
                break;
            removeItem(shard, victim);
            ++shard.counters.evictions;
        }
    }

    /// Shard i's part of `total`: an equal share, the remainder spread over
    /// the first shards, so the shares add up to `total` exactly.
    std::size_t share(std::size_t total, std::size_t i) const
    {
        return total / shards_.size() + (i < total % shards_.size() ? 1 : 0);
    }

    Shard &shardFor(std::string_view key) const
    {
        // The high bits pick the shard; the map uses the same hash modulo a
        // prime bucket count, so the two choices stay independent.
        const std::uint64_t h = std::hash<std::string_view>{}(key);
        return *shards_[(h >> 32) % shards_.size()];
    }

    const MemoryCacheOptions options_;
    /// Fixed after construction; each Shard guards itself.
    std::vector<std::unique_ptr<Shard>> shards_;
};

} // namespace

Result<std::unique_ptr<Cache>> makeMemoryCache(const MemoryCacheOptions &options)
{
    OIDFED_TRY_VOID(validateMemoryCacheOptions(options));
    return std::unique_ptr<Cache>(std::make_unique<MemoryCache>(options));
}

} // namespace oidfed
