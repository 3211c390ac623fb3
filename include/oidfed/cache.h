/// oidfed::Cache — a bounded, namespaced, TTL-respecting byte store.
///
/// The resolver keeps three kinds of values in a Cache: fetched statements
/// (the raw JWT), signature-verification results and resolved chains, plus
/// negative results (a failure and its reason). The cache knows nothing about
/// them: a value is opaque bytes with an absolute expiry and a `negative`
/// flag. Keys come from cacheKey() (cache_key.h), which makes them
/// unambiguous and versioned.
///
/// What every implementation guarantees:
/// - get() never returns an entry whose expiresAt <= now: expiry is checked
///   again on every read against the caller's `now`, whatever TTL the store
///   itself applied (threat J04).
/// - A stored value that does not decode (truncated, garbage, another schema
///   version) is a miss, and it is deleted (J07, Redis faults R9 and R13).
/// - A TTL never exceeds the configured maximum, and a negative entry never
///   outlives the configured negative TTL (J05).
/// - A failing backend never throws and never blocks beyond its configured
///   timeouts: get() becomes a miss and put() is dropped, both counted in
///   stats() (R1-R4).
///
/// What it does not do: judge the bytes. A value read from a shared store
/// (CacheOrigin::Shared) may have been written by anyone with access to that
/// store, so callers re-verify what they read back before trusting it (J01,
/// J06).
///
/// Thread safety: every Cache is safe to use from any number of threads at
/// once; all methods may be called concurrently on one object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <oidfed/cache_options.h>
#include <oidfed/clock.h>
#include <oidfed/result.h>

namespace oidfed {

/// Where the bytes of an entry come from: this process, or a store that other
/// processes (and anyone with access to it) can write.
enum class CacheOrigin : std::uint8_t {
    Local,   ///< written by this process into its in-process cache
    Shared,  ///< read from Redis (possibly via the in-process layer): re-verify before trusting
};

/// One cached value.
struct CacheEntry {
    /// Opaque bytes (binary-safe). At most the backend's maxValueBytes.
    std::string value;
    /// Absolute expiry (seconds since the epoch). On get() this is the expiry
    /// the cache applied: the one given to put(), lowered by the TTL clamps.
    UnixTime expiresAt = 0;
    /// A cached failure: value holds the caller's encoding of the reason.
    bool negative = false;
    /// Ignored by put() on the Redis cache. The memory cache stores it and
    /// reports it back, so that an entry copied from Redis into memory stays
    /// marked Shared.
    CacheOrigin origin = CacheOrigin::Local;
};

/// Counters since the cache was made. Every field is monotonic except
/// `entries` and `bytes`, which are current sizes.
struct CacheStats {
    std::uint64_t hits = 0;        ///< get() calls that returned an entry
    std::uint64_t misses = 0;      ///< get() calls that returned nothing, for any reason
    std::uint64_t stores = 0;      ///< put() calls whose entry was stored
    std::uint64_t evictions = 0;   ///< entries dropped to stay within maxEntries / maxBytes (memory)
    std::uint64_t expired = 0;     ///< entries found past their expiry on read and dropped
    std::uint64_t corrupt = 0;     ///< stored values that failed to decode; deleted (J07, R9, R13)
    std::uint64_t errors = 0;      ///< backend operations that failed (I/O, timeout, error reply)
    std::uint64_t timeouts = 0;    ///< the subset of `errors` that were timeouts (R3, R4)
    std::uint64_t skipped = 0;     ///< operations not attempted because the circuit breaker was open
    std::uint64_t slow = 0;        ///< operations that succeeded more slowly than the latency objective (R4)
    std::uint64_t breakerOpenings = 0;  ///< times the circuit breaker opened (failures, timeouts or latency)
    std::uint64_t entries = 0;     ///< entries held now (memory cache; 0 for Redis)
    std::uint64_t bytes = 0;       ///< bytes accounted now, keys + values + per-entry overhead (memory)
};

enum class CacheHealthState : std::uint8_t {
    Ok,        ///< the backend answers
    Degraded,  ///< the backend is unreachable or failing; the cache acts as always-miss
};

/// For /readyz: a degraded cache is "degraded by design", not a failure of
/// the service, which keeps answering by resolving again.
struct CacheHealth {
    CacheHealthState state = CacheHealthState::Ok;
    /// Why it is degraded and when the next attempt is due; empty when Ok.
    /// Never contains a password.
    std::string detail;
};

/// Keys longer than this many bytes are never stored (get() misses, put() is
/// a no-op). cacheKey() callers hash long parts with cacheKeyDigest().
inline constexpr std::size_t kMaxCacheKeyBytes = 4096;

class Cache {
public:
    virtual ~Cache() = default;
    Cache(const Cache &) = delete;
    Cache &operator=(const Cache &) = delete;

    /// The entry stored under `key`, or nullopt when there is none, it has
    /// expired (expiresAt <= now; it is then dropped), it does not decode (it
    /// is then deleted), or the backend is unavailable. Never blocks longer
    /// than the backend's timeouts.
    virtual std::optional<CacheEntry> get(std::string_view key, UnixTime now) = 0;

    /// Stores `entry` under `key`, replacing any previous entry. Its lifetime
    /// is expiresAt - now, lowered to maxTtl, and for a negative entry to
    /// negativeTtl; the stored expiresAt is lowered to match. When that
    /// lifetime is not positive, nothing is stored and any existing entry
    /// under `key` is removed. A value or key over the size limits is not
    /// stored. Backend failures drop the write silently (counted in stats).
    virtual void put(std::string_view key, CacheEntry entry, UnixTime now) = 0;

    /// Stores `entry` under `key` only when no unexpired entry is there, in
    /// one atomic step for everyone sharing the store (Redis: one `SET key
    /// frame NX PX ttl`), and says which happened: true, stored (the first
    /// use of the key); false, an unexpired entry was there (it is left
    /// unchanged). For single-use markers, such as the jti of a Request
    /// Object (spec 12.1.1.1; ReplayStore). Unlike put(), the lifetime
    /// expiresAt - now is NOT lowered to maxTtl or negativeTtl: a marker
    /// must last as long as it says (the caller bounds expiresAt).
    /// Errors, with nothing stored: InvalidArgument when the lifetime is not
    /// positive or the key or value is over the size limits; Unavailable or
    /// Timeout when the backend cannot answer (a caller must not take that
    /// as a first use: fail closed). The memory cache's own LRU bound may
    /// still evict the entry before it expires; a caller that must never
    /// forget an unexpired marker bounds its entries itself
    /// (makeMemoryReplayStore()) or uses Redis.
    virtual Result<bool> putIfAbsent(std::string_view key, CacheEntry entry, UnixTime now) = 0;

    /// Removes the entry under `key`, if any. Best effort on a failing backend.
    virtual void erase(std::string_view key) = 0;

    /// Removes every entry whose key starts with `prefix` ("" = every entry
    /// of this cache's namespace) and returns how many were removed. For an
    /// admin purge (threat J10): cacheKey() with leading parts only yields the
    /// prefix of every key that extends them. Costs O(entries held).
    /// Errors: Unavailable or Timeout when the backend fails mid-way (some
    /// entries may have been removed).
    virtual Result<std::size_t> purgePrefix(std::string_view prefix) = 0;

    /// A snapshot of the counters. Cheap; never does I/O.
    virtual CacheStats stats() const = 0;

    /// Ok or Degraded, with the reason. The Redis cache sends at most one
    /// PING here when its circuit breaker is due for a retry, or when Redis
    /// has not replied for a second (at most one such PING per second), both
    /// bounded by its timeouts, so readiness follows Redis without traffic.
    virtual CacheHealth health() = 0;

protected:
    Cache() = default;
};

/// The in-process cache: an LRU bounded by entry count and by bytes, split
/// into shards with one mutex each, O(1) get and put.
/// Errors: InvalidArgument when an option is out of the range documented in
/// MemoryCacheOptions.
Result<std::unique_ptr<Cache>> makeMemoryCache(const MemoryCacheOptions &options = {});

/// The Redis cache (shared by replicas). Parses options.url, then opens one
/// connection; when Redis does not answer, the cache is still returned,
/// degraded, and retries by itself with backoff (R1).
/// Errors: InvalidArgument when the URL or an option is invalid (the message
/// never contains the password).
Result<std::unique_ptr<Cache>> makeRedisCache(const RedisCacheOptions &options);

/// Two layers: get() reads `near` first, then `far`, and copies a far hit
/// into near (with origin Shared); put(), erase() and purgePrefix() go to
/// both. putIfAbsent() answers false at once when near holds the key, and
/// otherwise asks far, whose answer (or error) it returns; an entry far
/// stored is put into near too. Health is far's. In stats(), hits and misses count tiered get()
/// calls (a hit in either layer is one hit); the other counters add up both
/// layers'. purgePrefix() purges near even when far fails. The product's
/// default when Redis is configured: near = memory cache, far = Redis cache.
/// A purge on another replica reaches this replica's near layer only when
/// its entries expire: near's maxTtl bounds that staleness.
/// Errors: InvalidArgument when either layer is null.
Result<std::unique_ptr<Cache>> makeTieredCache(std::unique_ptr<Cache> near, std::unique_ptr<Cache> far);

} // namespace oidfed
