// Two caches as one: a near (in-process) layer in front of a far (shared)
// one. See makeTieredCache() in cache.h for the contract.
#include <oidfed/cache.h>

#include <atomic>
#include <utility>

namespace oidfed {

namespace {

class TieredCache final : public Cache {
public:
    TieredCache(std::unique_ptr<Cache> near, std::unique_ptr<Cache> far) : near_(std::move(near)), far_(std::move(far))
    {
    }

    std::optional<CacheEntry> get(std::string_view key, UnixTime now) override
    {
        if (auto entry = near_->get(key, now)) {
            hits_.fetch_add(1, std::memory_order_relaxed);
            return entry;
        }
        auto entry = far_->get(key, now);
        if (!entry) {
            misses_.fetch_add(1, std::memory_order_relaxed);
            return entry;
        }
        hits_.fetch_add(1, std::memory_order_relaxed);
        entry->origin = CacheOrigin::Shared;  // came from the shared store: stays marked so in near
        near_->put(key, *entry, now);
        return entry;
    }

    void put(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        near_->put(key, entry, now);
        far_->put(key, std::move(entry), now);
    }

    Result<bool> putIfAbsent(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        if (near_->get(key, now))
            return false;  // seen by this replica
        OIDFED_TRY(bool stored, far_->putIfAbsent(key, entry, now));
        if (stored)
            near_->put(key, std::move(entry), now);
        return stored;
    }

    void erase(std::string_view key) override
    {
        near_->erase(key);
        far_->erase(key);
    }

    Result<std::size_t> purgePrefix(std::string_view prefix) override
    {
        auto nearRemoved = near_->purgePrefix(prefix);
        auto farRemoved = far_->purgePrefix(prefix);
        if (!farRemoved)
            return farRemoved;
        return (nearRemoved ? *nearRemoved : 0) + *farRemoved;
    }

    CacheStats stats() const override
    {
        const CacheStats n = near_->stats();
        const CacheStats f = far_->stats();
        CacheStats s;
        s.hits = hits_.load(std::memory_order_relaxed);
        s.misses = misses_.load(std::memory_order_relaxed);
        s.stores = n.stores + f.stores;
        s.evictions = n.evictions + f.evictions;
        s.expired = n.expired + f.expired;
        s.corrupt = n.corrupt + f.corrupt;
        s.errors = n.errors + f.errors;
        s.timeouts = n.timeouts + f.timeouts;
        s.skipped = n.skipped + f.skipped;
        s.entries = n.entries + f.entries;
        s.bytes = n.bytes + f.bytes;
        return s;
    }

    CacheHealth health() override { return far_->health(); }

private:
    const std::unique_ptr<Cache> near_;
    const std::unique_ptr<Cache> far_;
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
};

} // namespace

Result<std::unique_ptr<Cache>> makeTieredCache(std::unique_ptr<Cache> near, std::unique_ptr<Cache> far)
{
    if (!near || !far)
        return fail(ErrorCode::InvalidArgument, "tiered cache: both layers are required");
    return std::unique_ptr<Cache>(std::make_unique<TieredCache>(std::move(near), std::move(far)));
}

} // namespace oidfed
