/// Where the Redis cache opens its connections (private header): one fixed
/// address (RedisCacheOptions::url), or the master that the Sentinels name
/// (RedisCacheOptions::sentinel).
///
/// With Sentinel, the master's address is asked of the Sentinels with
/// SENTINEL get-master-addr-by-name and kept until forget(): the cache
/// forgets it whenever a Redis call fails (a failover shows as refused or
/// reset connections, or as READONLY from a demoted master), so the next
/// connection is opened wherever the Sentinels say the master is now. The
/// endpoint handed out then requires ROLE master (RedisConnection::open), so
/// a replica is never written to, even when a Sentinel is behind.
///
/// Thread safety: all methods may be called concurrently; one caller at a
/// time asks the Sentinels, the others wait for its answer.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/result.h>

#include "cache/redis_connection.h"
#include "cache/redis_url.h"

namespace oidfed::cache {

class RedisMasterSource {
public:
    /// Always `endpoint` (the URL form).
    explicit RedisMasterSource(RedisEndpoint endpoint);

    /// The master named `masterName` by `sentinels` (TCP endpoints with the
    /// Sentinels' credentials), reached with `master`'s credentials and db.
    /// REQUIRES: sentinels is not empty.
    RedisMasterSource(std::vector<RedisEndpoint> sentinels, std::string masterName, RedisEndpoint master,
                      RedisTimeouts timeouts);

    RedisMasterSource(const RedisMasterSource &) = delete;
    RedisMasterSource &operator=(const RedisMasterSource &) = delete;

    /// The endpoint for a new connection. With Sentinel, when no master is
    /// known (at first, after forget()), the Sentinels are asked in turn,
    /// starting with the last one that answered, each within the connect
    /// and command timeouts. Errors (Sentinel only): Unavailable or Timeout
    /// when no Sentinel answered with an address; the message names the
    /// last Sentinel's failure, never a password.
    Result<RedisEndpoint> current();

    /// The master may have moved: the next current() asks the Sentinels.
    /// Does nothing for a fixed endpoint.
    void forget();

    bool viaSentinel() const { return !sentinels_.empty(); }
    const std::vector<RedisEndpoint> &sentinels() const { return sentinels_; }
    const std::string &masterName() const { return masterName_; }

    /// For messages and health, without credentials: the URL, or
    /// "master NAME via sentinel HOST:PORT,... (at HOST:PORT)".
    std::string describe() const;

private:
    /// The master's address as one Sentinel says.
    Result<RedisEndpoint> ask(const RedisEndpoint &sentinel) const;

    const std::vector<RedisEndpoint> sentinels_;
    const std::string masterName_;
    const RedisEndpoint master_;  ///< the fixed endpoint, or the credentials and db for the master
    const RedisTimeouts timeouts_;

    /// Held while the Sentinels are asked, so that one caller asks at a time.
    std::mutex askMutex_;
    mutable std::mutex mutex_;
    // guarded by mutex_: the master last found; empty until found or after forget().
    std::optional<RedisEndpoint> known_;
    // guarded by mutex_: the Sentinel asked first (the last one that answered).
    std::size_t preferred_ = 0;
};

} // namespace oidfed::cache
