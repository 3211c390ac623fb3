/// Follows Sentinel's +switch-master announcements (private header).
///
/// A thread of its own keeps one connection SUBSCRIBEd to +switch-master on
/// one of the Sentinels (the next one when it fails, after kRetry), and
/// calls `onSwitch` when the Sentinels announce that the master named
/// `masterName` moved. The Redis cache then forgets the old master and lets
/// its breaker probe at once, so a failover is followed as soon as the
/// Sentinels finish it rather than at the breaker's next probe. Without the
/// watch (every Sentinel unreachable) the failover is still followed, by the
/// breaker's probes.
///
/// Thread safety: construct and destroy from one thread; `onSwitch` runs on
/// the watch's thread and must be thread-safe. The destructor stops the
/// thread within about kPollInterval plus one connect or command timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/redis_connection.h"
#include "cache/redis_url.h"

namespace oidfed::cache {

class SentinelWatch {
public:
    /// How often the thread looks at its stop flag while waiting for a message.
    static constexpr std::chrono::milliseconds kPollInterval{100};
    /// Wait before subscribing again after a Sentinel failed.
    static constexpr std::chrono::milliseconds kRetry{1000};

    /// Starts the thread. REQUIRES: sentinels is not empty.
    SentinelWatch(std::vector<RedisEndpoint> sentinels, std::string masterName, RedisTimeouts timeouts,
                  std::function<void()> onSwitch);
    ~SentinelWatch();
    SentinelWatch(const SentinelWatch &) = delete;
    SentinelWatch &operator=(const SentinelWatch &) = delete;

private:
    void run();
    /// Subscribes on one Sentinel and handles its messages until it fails
    /// or the watch stops.
    void watch(const RedisEndpoint &sentinel);
    bool stopping() const { return stop_.load(std::memory_order_relaxed); }

    const std::vector<RedisEndpoint> sentinels_;
    const std::string masterName_;
    const RedisTimeouts timeouts_;
    const std::function<void()> onSwitch_;

    std::atomic<bool> stop_{false};
    std::mutex mutex_;                 // for wake_
    std::condition_variable wake_;     // signalled by the destructor
    std::thread thread_;               // last: started when everything else is ready
};

} // namespace oidfed::cache
