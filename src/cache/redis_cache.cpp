// The Redis Cache (hiredis 0.14, blocking connections).
//
// Design:
// - Every operation runs one command through run(): the circuit breaker
//   decides whether Redis may be tried at all; a connection is borrowed from
//   a bounded pool; the command and its reply are bounded by the command
//   timeout and by a byte limit. Any failure is counted, recorded for
//   health(), reported to the breaker, and turns into a miss or a dropped
//   write: nothing here throws on a Redis fault and nothing waits longer
//   than the configured timeouts.
// - Keys are options.keyPrefix + the caller's key, sent as binary-safe
//   arguments (J08). Values are framed by value_codec (version, expiry,
//   negative flag, length) and written with one `SET key frame PX ttl`, so
//   a value and its TTL arrive together or not at all (J09).
// - get() decodes the frame and re-checks its expiry against the caller's
//   `now`, whatever TTL Redis still has (J04, R10). A value that does not
//   decode is deleted and counted as corrupt (J07, R9, R13).
// - Error replies that leave the connection usable (OOM on SET with
//   noeviction, R6; READONLY from a replica named by the URL) are counted as
//   errors but do not open the breaker: Redis is answering. With Sentinel,
//   READONLY means that the master this connection reached was demoted: it
//   is a failure (the connection is dropped, the breaker opens, the master
//   is found again).
// - With Sentinel (redis_master.h), every failure makes the next connection
//   ask the Sentinels where the master is, and a new connection is used only
//   after ROLE says master: a failover is followed by the breaker's probe,
//   without a restart, and a replica is never written to. A SentinelWatch
//   thread subscribed to +switch-master makes that probe happen as soon as
//   the Sentinels announce the new master. Transport failures, timeouts and
//   the error replies that mean "this client cannot be served" (NOAUTH,
//   max clients, LOADING ...) open it (R1-R4, R11, R12).
// - A reply slower than breakerSlowThreshold is used, and reported to the
//   breaker as slow: breakerSlowCommands of them in a row open it (R4).
#include <oidfed/cache.h>

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <hiredis/hiredis.h>

#include "cache/cache_ttl.h"
#include "cache/circuit_breaker.h"
#include "cache/redis_connection.h"
#include "cache/redis_master.h"
#include "cache/redis_pool.h"
#include "cache/redis_url.h"
#include "cache/sentinel_watch.h"
#include "cache/value_codec.h"

namespace oidfed {

namespace {

using cache::CircuitBreaker;
using cache::RedisEndpoint;
using cache::RedisPool;
using cache::RedisReplyPtr;
using SteadyClock = std::chrono::steady_clock;

/// RESP framing around a bulk string reply ("$<len>\r\n...\r\n").
constexpr std::size_t kRespOverheadBytes = 64;
/// Keys asked for per SCAN page, and the reply bound of one page.
constexpr std::string_view kScanCount = "256";
constexpr std::size_t kScanReplyBytes = std::size_t{8} << 20;
constexpr std::size_t kSmallReplyBytes = 4096;
/// health() with a closed breaker and no reply from Redis for this long
/// sends one PING (at most one per period over all callers): without it a
/// Redis that died while nothing needed it (every read answered by the
/// in-process layers) would be reported Ok until the next cache miss.
constexpr std::chrono::seconds kIdleHealthCheck{1};


/// A Redis glob pattern matching exactly the keys that start with `prefix`.
std::string globPrefix(std::string_view prefix)
{
    std::string pattern;
    pattern.reserve(prefix.size() + 8);
    for (char c : prefix) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    pattern += '*';
    return pattern;
}

std::string_view replyText(const redisReply &reply)
{
    return reply.str ? std::string_view(reply.str, reply.len) : std::string_view();
}

class RedisCache final : public Cache {
public:
    RedisCache(const RedisCacheOptions &options, std::unique_ptr<cache::RedisMasterSource> source)
        : options_(options),
          source_(std::move(source)),
          pool_(*source_, timeouts(options), options.poolSize),
          breaker_(options.breakerInitialBackoff, options.breakerMaxBackoff,
                   options.breakerSlowThreshold.count() == 0 ? 0 : options.breakerSlowCommands)
    {
    }

    static cache::RedisTimeouts timeouts(const RedisCacheOptions &options)
    {
        return {options.connectTimeout, options.commandTimeout};
    }

    /// With Sentinel: follow +switch-master from now on.
    void watchSentinels()
    {
        if (source_->viaSentinel())
            watch_ = std::make_unique<cache::SentinelWatch>(source_->sentinels(), source_->masterName(),
                                                            timeouts(options_), [this] { masterSwitched(); });
    }

    /// One PING, so that health() is right from the start (R1).
    void connectNow()
    {
        const std::array<std::string_view, 1> ping = {"PING"};
        (void)run(ping, kSmallReplyBytes);
    }

    std::optional<CacheEntry> get(std::string_view key, UnixTime now) override
    {
        if (key.size() > kMaxCacheKeyBytes)
            return miss();
        const std::string fullKey = options_.keyPrefix + std::string(key);
        const std::array<std::string_view, 2> args = {"GET", fullKey};
        auto reply = run(args, options_.maxValueBytes + cache::kValueHeaderBytes + kRespOverheadBytes);
        if (!reply) {
            if (reply.error().code == ErrorCode::LimitExceeded) {  // an oversized value: J07
                corrupt_.fetch_add(1, std::memory_order_relaxed);
                deleteKey(fullKey);
            }
            return miss();
        }
        if ((*reply)->type != REDIS_REPLY_STRING)
            return miss();  // nil, or an error reply (already counted)
        auto entry = cache::decodeCacheValue(replyText(**reply), options_.maxValueBytes);
        if (!entry) {
            corrupt_.fetch_add(1, std::memory_order_relaxed);
            deleteKey(fullKey);
            return miss();
        }
        if (entry->expiresAt <= now) {
            expired_.fetch_add(1, std::memory_order_relaxed);
            deleteKey(fullKey);
            return miss();
        }
        hits_.fetch_add(1, std::memory_order_relaxed);
        return std::move(*entry);
    }

    void put(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        if (key.size() > kMaxCacheKeyBytes || entry.value.size() > options_.maxValueBytes)
            return;
        std::optional<UnixTime> expiry =
            cache::clampedExpiry(entry.expiresAt, entry.negative, now, options_.maxTtl, options_.negativeTtl);
        const std::string fullKey = options_.keyPrefix + std::string(key);
        if (!expiry) {
            deleteKey(fullKey);
            return;
        }
        const std::string ttlMs = std::to_string((*expiry - now) * 1000);
        entry.expiresAt = *expiry;
        const std::string frame = cache::encodeCacheValue(entry);
        const std::array<std::string_view, 5> args = {"SET", fullKey, frame, "PX", ttlMs};
        auto reply = run(args, kSmallReplyBytes);
        if (reply && (*reply)->type == REDIS_REPLY_STATUS)
            stores_.fetch_add(1, std::memory_order_relaxed);
    }

    // One `SET key frame NX PX ttl`: atomic for every replica. An error
    // reply (OOM, READONLY) or no reply at all stores nothing and is an
    // error, never "absent".
    Result<bool> putIfAbsent(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        if (key.size() > kMaxCacheKeyBytes || entry.value.size() > options_.maxValueBytes ||
            entry.expiresAt <= now)
            return fail(ErrorCode::InvalidArgument, "putIfAbsent: a key or value over the size limits, or no "
                                                    "lifetime left");
        const std::string fullKey = options_.keyPrefix + std::string(key);
        const std::string ttlMs = std::to_string((entry.expiresAt - now) * 1000);
        entry.negative = false;
        const std::string frame = cache::encodeCacheValue(entry);
        const std::array<std::string_view, 6> args = {"SET", fullKey, frame, "NX", "PX", ttlMs};
        OIDFED_TRY(RedisReplyPtr reply, run(args, kSmallReplyBytes));
        if (reply->type == REDIS_REPLY_STATUS) {
            stores_.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
        if (reply->type == REDIS_REPLY_NIL)
            return false;
        return fail(ErrorCode::Unavailable, "redis " + source_->describe() +
                                                " refused SET NX: " + std::string(replyText(*reply).substr(0, 160)));
    }

    void erase(std::string_view key) override
    {
        if (key.size() <= kMaxCacheKeyBytes)
            deleteKey(options_.keyPrefix + std::string(key));
    }

    Result<std::size_t> purgePrefix(std::string_view prefix) override
    {
        const std::string pattern = globPrefix(options_.keyPrefix + std::string(prefix));
        std::string cursor = "0";
        std::size_t removed = 0;
        do {
            const std::array<std::string_view, 6> scan = {"SCAN", cursor, "MATCH", pattern, "COUNT", kScanCount};
            auto page = run(scan, kScanReplyBytes);
            if (!page || (*page)->type != REDIS_REPLY_ARRAY || (*page)->elements != 2 ||
                (*page)->element[0]->type != REDIS_REPLY_STRING || (*page)->element[1]->type != REDIS_REPLY_ARRAY)
                return purgeFailed(removed, page);
            cursor.assign(replyText(*(*page)->element[0]));
            const redisReply &keys = *(*page)->element[1];
            if (keys.elements == 0)
                continue;
            std::vector<std::string_view> unlink = {"UNLINK"};
            for (std::size_t i = 0; i < keys.elements; ++i)
                if (keys.element[i]->type == REDIS_REPLY_STRING)
                    unlink.push_back(replyText(*keys.element[i]));
            auto gone = run(unlink, kSmallReplyBytes);
            if (!gone || (*gone)->type != REDIS_REPLY_INTEGER)
                return purgeFailed(removed, gone);
            removed += static_cast<std::size_t>((*gone)->integer);
        } while (cursor != "0");
        return removed;
    }

    CacheStats stats() const override
    {
        CacheStats s;
        s.hits = hits_.load(std::memory_order_relaxed);
        s.misses = misses_.load(std::memory_order_relaxed);
        s.stores = stores_.load(std::memory_order_relaxed);
        s.expired = expired_.load(std::memory_order_relaxed);
        s.corrupt = corrupt_.load(std::memory_order_relaxed);
        s.errors = errors_.load(std::memory_order_relaxed);
        s.timeouts = timeouts_.load(std::memory_order_relaxed);
        s.skipped = skipped_.load(std::memory_order_relaxed);
        s.slow = slow_.load(std::memory_order_relaxed);
        s.breakerOpenings = breaker_.snapshot(SteadyClock::now()).openings;
        return s;
    }

    CacheHealth health() override
    {
        const auto now = SteadyClock::now();
        auto snap = breaker_.snapshot(now);
        const bool probeDue = snap.state == CircuitBreaker::State::Open && snap.retryIn == SteadyClock::duration::zero();
        const bool idleCheckDue = snap.state == CircuitBreaker::State::Closed && claimIdleCheck(now);
        if (probeDue || idleCheckDue) {
            const std::array<std::string_view, 1> ping = {"PING"};
            (void)run(ping, kSmallReplyBytes);  // bounded by the timeouts
            snap = breaker_.snapshot(SteadyClock::now());
        }
        if (snap.state == CircuitBreaker::State::Closed)
            return {};
        const auto retryMs = std::chrono::duration_cast<std::chrono::milliseconds>(snap.retryIn).count();
        std::lock_guard lock(lastErrorMutex_);
        return {CacheHealthState::Degraded, "redis " + source_->describe() + " unavailable (" + lastError_ +
                                                "); next attempt in " + std::to_string(retryMs) + " ms"};
    }

private:
    /// The Sentinels announced a new master: nothing opened to the old one
    /// is used again, and an open breaker probes the new one at once.
    void masterSwitched()
    {
        source_->forget();
        pool_.discardAll();
        breaker_.probeNow(SteadyClock::now());
    }

    /// True for the one caller that is to check an idle Redis now: nothing
    /// has replied for kIdleHealthCheck and no other caller checked within
    /// it.
    bool claimIdleCheck(SteadyClock::time_point now)
    {
        const auto period = std::chrono::duration_cast<SteadyClock::duration>(kIdleHealthCheck).count();
        const auto ticks = now.time_since_epoch().count();
        if (ticks - lastReply_.load(std::memory_order_relaxed) < period)
            return false;
        auto checked = lastIdleCheck_.load(std::memory_order_relaxed);
        return ticks - checked >= period && lastIdleCheck_.compare_exchange_strong(checked, ticks);
    }

    std::nullopt_t miss()
    {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }

    void deleteKey(const std::string &fullKey)
    {
        const std::array<std::string_view, 2> args = {"DEL", fullKey};
        (void)run(args, kSmallReplyBytes);
    }

    Unexpected purgeFailed(std::size_t removed, const Result<RedisReplyPtr> &reply)
    {
        std::string why = reply ? "unexpected reply" : reply.error().message;
        ErrorCode code = reply ? ErrorCode::Unavailable
                               : (reply.error().code == ErrorCode::Timeout ? ErrorCode::Timeout : ErrorCode::Unavailable);
        return fail(code, "redis purge stopped after removing " + std::to_string(removed) + " keys: " + why);
    }

    /// Runs one command under the breaker with a pooled connection. Returns
    /// the reply, error replies included (counted as errors); or the failure,
    /// already counted and reported to the breaker.
    Result<RedisReplyPtr> run(std::span<const std::string_view> args, std::size_t maxReplyBytes)
    {
        const auto start = SteadyClock::now();
        auto permit = breaker_.tryAcquire(start);
        if (!permit) {
            skipped_.fetch_add(1, std::memory_order_relaxed);
            return fail(ErrorCode::Unavailable, "redis unavailable: circuit breaker open");
        }
        auto lease = pool_.acquire(start + options_.commandTimeout);
        if (!lease) {
            if (lease.error().code == ErrorCode::LimitExceeded) {  // all connections busy: not Redis's fault
                breaker_.abandon(*permit);
                errors_.fetch_add(1, std::memory_order_relaxed);
                return Unexpected{std::move(lease).error()};
            }
            return failed(*permit, std::move(lease).error());
        }
        const auto sent = SteadyClock::now();
        auto reply = lease->connection->command(args, maxReplyBytes);
        const auto replied = SteadyClock::now();
        if (!reply) {
            pool_.release(std::move(*lease), false);
            if (reply.error().code == ErrorCode::LimitExceeded) {  // Redis answered, with too much
                breaker_.abandon(*permit);
                errors_.fetch_add(1, std::memory_order_relaxed);
                return reply;
            }
            return failed(*permit, std::move(reply).error());
        }
        if (source_->viaSentinel() && (*reply)->type == REDIS_REPLY_ERROR &&
            replyText(**reply).starts_with("READONLY")) {  // the master we reached was demoted
            pool_.release(std::move(*lease), false);
            return failed(*permit, Error(ErrorCode::Unavailable,
                                         "redis: READONLY: the master was demoted to a replica; asking the sentinels"));
        }
        pool_.release(std::move(*lease), true);
        if (options_.breakerSlowThreshold.count() > 0 && replied - sent > options_.breakerSlowThreshold) {
            slow_.fetch_add(1, std::memory_order_relaxed);
            if (breaker_.recordSlowSuccess(*permit, replied))
                noteError(std::to_string(options_.breakerSlowCommands) + " commands in a row slower than " +
                          std::to_string(options_.breakerSlowThreshold.count()) + " ms (breakerSlowThreshold)");
        } else {
            breaker_.recordSuccess(*permit);
        }
        lastReply_.store(replied.time_since_epoch().count(), std::memory_order_relaxed);
        if ((*reply)->type == REDIS_REPLY_ERROR) {
            errors_.fetch_add(1, std::memory_order_relaxed);
            noteError(std::string(args[0]) + ": " + std::string(replyText(**reply).substr(0, 160)));
        }
        return reply;
    }

    Unexpected failed(const CircuitBreaker::Permit &permit, Error error)
    {
        errors_.fetch_add(1, std::memory_order_relaxed);
        if (error.code == ErrorCode::Timeout)
            timeouts_.fetch_add(1, std::memory_order_relaxed);
        noteError(error.message);
        source_->forget();  // with Sentinel: the master may have moved
        if (breaker_.recordFailure(permit, SteadyClock::now()))
            pool_.discardAll();
        return Unexpected{std::move(error)};
    }

    void noteError(std::string message)
    {
        std::lock_guard lock(lastErrorMutex_);
        lastError_ = std::move(message);
    }

    const RedisCacheOptions options_;
    /// Where connections go (the URL, or the master the Sentinels name).
    const std::unique_ptr<cache::RedisMasterSource> source_;
    RedisPool pool_;
    CircuitBreaker breaker_;

    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
    std::atomic<std::uint64_t> stores_{0};
    std::atomic<std::uint64_t> expired_{0};
    std::atomic<std::uint64_t> corrupt_{0};
    std::atomic<std::uint64_t> errors_{0};
    std::atomic<std::uint64_t> timeouts_{0};
    std::atomic<std::uint64_t> skipped_{0};
    std::atomic<std::uint64_t> slow_{0};
    /// Steady-clock ticks of the last reply from Redis, and of the last
    /// idle check health() made.
    std::atomic<SteadyClock::rep> lastReply_{0};
    std::atomic<SteadyClock::rep> lastIdleCheck_{0};

    mutable std::mutex lastErrorMutex_;
    // guarded by lastErrorMutex_: the latest failure, for health().
    std::string lastError_;

    /// Last: its thread calls masterSwitched() until it is destroyed, first.
    std::unique_ptr<cache::SentinelWatch> watch_;
};

/// The URL's fixed endpoint, or the Sentinels (options already validated).
Result<std::unique_ptr<cache::RedisMasterSource>> makeMasterSource(const RedisCacheOptions &options)
{
    if (!options.sentinel) {
        OIDFED_TRY(RedisEndpoint endpoint, cache::parseRedisUrl(options.url));
        return std::make_unique<cache::RedisMasterSource>(std::move(endpoint));
    }
    const RedisSentinelOptions &s = *options.sentinel;
    std::vector<RedisEndpoint> sentinels;
    for (const std::string &address : s.addresses) {
        OIDFED_TRY(RedisEndpoint sentinel, cache::parseRedisAddress(address, cache::kDefaultSentinelPort));
        sentinel.user = s.user;
        sentinel.password = s.password;
        sentinels.push_back(std::move(sentinel));
    }
    RedisEndpoint master;
    master.user = s.masterUser;
    master.password = s.masterPassword;
    master.db = static_cast<int>(s.db);  // validated: 0..kMaxRedisDb
    master.requireMaster = true;
    return std::make_unique<cache::RedisMasterSource>(std::move(sentinels), s.masterName, std::move(master),
                                                      RedisCache::timeouts(options));
}

} // namespace

Result<std::unique_ptr<Cache>> makeRedisCache(const RedisCacheOptions &options)
{
    OIDFED_TRY_VOID(validateRedisCacheOptions(options));
    OIDFED_TRY(std::unique_ptr<cache::RedisMasterSource> source, makeMasterSource(options));
    auto cache = std::make_unique<RedisCache>(options, std::move(source));
    cache->connectNow();
    cache->watchSentinels();
    return std::unique_ptr<Cache>(std::move(cache));
}

} // namespace oidfed
