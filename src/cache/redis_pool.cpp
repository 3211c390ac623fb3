#include "cache/redis_pool.h"

#include <utility>

namespace oidfed::cache {

RedisPool::RedisPool(RedisMasterSource &source, RedisTimeouts timeouts, std::size_t capacity)
    : source_(source), timeouts_(timeouts), capacity_(capacity)
{
}

Result<RedisPool::Lease> RedisPool::acquire(std::chrono::steady_clock::time_point deadline)
{
    std::vector<std::unique_ptr<RedisConnection>> dead;  // closed after the lock is released
    std::uint64_t generation = 0;
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            while (!idle_.empty()) {
                std::unique_ptr<RedisConnection> conn = std::move(idle_.back());
                idle_.pop_back();
                if (conn->looksAlive())
                    return Lease{std::move(conn), generation_};
                dead.push_back(std::move(conn));
                --open_;
            }
            if (open_ < capacity_)
                break;
            if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= capacity_)
                return fail(ErrorCode::LimitExceeded, "redis: every pooled connection is busy");
        }
        ++open_;  // reserve the slot; the connection is opened below, unlocked
        generation = generation_;
    }
    dead.clear();
    auto endpoint = source_.current();
    auto opened = endpoint ? RedisConnection::open(*endpoint, timeouts_)
                           : Result<std::unique_ptr<RedisConnection>>(Unexpected{std::move(endpoint).error()});
    if (!opened) {
        std::lock_guard lock(mutex_);
        --open_;
        returned_.notify_one();
        return Unexpected{std::move(opened).error()};
    }
    return Lease{std::move(*opened), generation};
}

void RedisPool::release(Lease lease, bool healthy)
{
    {
        std::lock_guard lock(mutex_);
        if (healthy && lease.generation == generation_ && idle_.size() < capacity_) {
            idle_.push_back(std::move(lease.connection));
        } else {
            --open_;
        }
        returned_.notify_one();
    }
    // lease.connection (when not kept) is closed here, outside the lock.
}

void RedisPool::discardAll()
{
    std::vector<std::unique_ptr<RedisConnection>> dead;
    {
        std::lock_guard lock(mutex_);
        ++generation_;
        open_ -= idle_.size();
        dead.swap(idle_);
        returned_.notify_all();
    }
}

} // namespace oidfed::cache
