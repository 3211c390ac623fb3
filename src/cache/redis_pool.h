/// A small bounded pool of Redis connections (private header).
///
/// At most `capacity` connections exist at once (idle or lent out), so one
/// process never takes more than that of Redis's maxclients (R12). A caller
/// borrows a connection for one operation and gives it back; a connection
/// that failed is given back as broken and closed. Connections are opened
/// lazily, by the borrowing thread, outside the pool's lock, to wherever
/// the RedisMasterSource says (with Sentinel: the master as last found).
///
/// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <oidfed/result.h>

#include "cache/redis_connection.h"
#include "cache/redis_master.h"

namespace oidfed::cache {

class RedisPool {
public:
    /// A borrowed connection and the pool generation it belongs to.
    struct Lease {
        std::unique_ptr<RedisConnection> connection;
        std::uint64_t generation = 0;
    };

    /// `source` must outlive the pool.
    RedisPool(RedisMasterSource &source, RedisTimeouts timeouts, std::size_t capacity);
    RedisPool(const RedisPool &) = delete;
    RedisPool &operator=(const RedisPool &) = delete;

    /// An idle connection that still looks alive, or a new one when fewer
    /// than `capacity` exist; otherwise waits until `deadline` for one to be
    /// given back. Errors: LimitExceeded when the deadline passes with every
    /// connection lent out (not a Redis failure); the errors of
    /// RedisMasterSource::current() and RedisConnection::open() when a new
    /// connection cannot be opened.
    Result<Lease> acquire(std::chrono::steady_clock::time_point deadline);

    /// Gives a connection back: kept for reuse when `healthy` and it belongs
    /// to the current generation, closed otherwise.
    void release(Lease lease, bool healthy);

    /// Closes every idle connection and starts a new generation, so that
    /// connections lent out now are closed when they come back. Called when
    /// the circuit breaker opens: after an outage, nothing opened before it
    /// is reused.
    void discardAll();

private:
    RedisMasterSource &source_;
    const RedisTimeouts timeouts_;
    const std::size_t capacity_;

    std::mutex mutex_;
    std::condition_variable returned_;  // signalled on release; waits under mutex_
    // guarded by mutex_:
    std::vector<std::unique_ptr<RedisConnection>> idle_;
    // guarded by mutex_: connections that exist (idle, lent out, or being opened).
    std::size_t open_ = 0;
    // guarded by mutex_:
    std::uint64_t generation_ = 0;
};

} // namespace oidfed::cache
