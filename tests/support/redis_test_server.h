// Helpers for the Redis suites: a redis-server child process that a test can
// kill, stop and restart, an admin connection for seeding and inspecting
// Redis behind the cache's back, and a bounded wait.
#pragma once

#include "background_process.h"  // freeLoopbackPort()

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "cache/redis_ptr.h"

namespace oidfed::test {

/// The redis-server program: $OIDFED_REDIS_SERVER, else the first
/// `redis-server` on $PATH; empty when there is none.
std::string redisServerBinary();

/// A redis-server on 127.0.0.1 owned by the test: no persistence, killed
/// with the test (SIGKILL on destruction, and PR_SET_PDEATHSIG should the
/// test itself die).
class RedisServerProcess {
public:
    /// Starts it on `port` (0: a free port) with `extraArgs` appended to its
    /// command line, and waits (at most 5 s) until it answers PING. Throws
    /// std::runtime_error when it does not.
    explicit RedisServerProcess(std::vector<std::string> extraArgs = {}, int port = 0);
    ~RedisServerProcess();
    RedisServerProcess(const RedisServerProcess &) = delete;
    RedisServerProcess &operator=(const RedisServerProcess &) = delete;

    int port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

    void kill9();      ///< SIGKILL and reap; the port is free again
    void pause();      ///< SIGSTOP: connections hang, nothing is refused (R3)
    void resume();     ///< SIGCONT
    void restart();    ///< start again on the same port (after kill9), empty

private:
    void start();

    std::vector<std::string> extraArgs_;
    int port_ = 0;
    pid_t pid_ = -1;
};

/// The redis-sentinel program: $OIDFED_REDIS_SENTINEL, else the first
/// `redis-sentinel` on $PATH; empty when there is none.
std::string redisSentinelBinary();

/// A Redis master, one replica and three Sentinels on free loopback ports,
/// owned by the test (SIGKILL on destruction; the Sentinels' files in a
/// directory of the caller's). The Sentinels monitor the master as
/// kMasterName with quorum 2, down-after-milliseconds 1000 and
/// failover-timeout 3000, so that a failover finishes in a few seconds.
class RedisSentinelGroup {
public:
    static constexpr const char *kMasterName = "oidfed";

    /// Starts everything and waits (at most 15 s) until every Sentinel knows
    /// the replica and the two other Sentinels. Throws std::runtime_error
    /// when that does not happen. A non-empty `masterPassword` is every Redis
    /// node's requirepass (and masterauth, and the Sentinels' auth-pass); a
    /// non-empty `sentinelPassword` the Sentinels' own requirepass.
    explicit RedisSentinelGroup(const std::string &directory, const std::string &masterPassword = {},
                                const std::string &sentinelPassword = {});
    ~RedisSentinelGroup();
    RedisSentinelGroup(const RedisSentinelGroup &) = delete;
    RedisSentinelGroup &operator=(const RedisSentinelGroup &) = delete;

    /// "127.0.0.1:PORT" of each Sentinel.
    std::vector<std::string> sentinelAddresses() const;
    /// The master's port as the first Sentinel that answers says; 0 when
    /// none does.
    int masterPort();
    int initialMasterPort() const { return master_.port(); }
    int replicaPort() const { return replica_.port(); }
    RedisServerProcess &initialMaster() { return master_; }
    RedisServerProcess &replica() { return replica_; }

    /// redis:// URLs with the passwords, for AdminConnection.
    std::string nodeUrl(int port) const;
    std::string sentinelUrl(int port) const;

private:
    std::string masterPassword_;
    std::string sentinelPassword_;
    RedisServerProcess master_;
    RedisServerProcess replica_;
    std::vector<int> sentinelPorts_;
    std::vector<pid_t> sentinelPids_;
};

/// A reply as text: the string, status or error text, an integer in decimal,
/// "(nil)", or for an array its elements joined with '\n'.
struct AdminReply {
    int type = 0;  ///< REDIS_REPLY_*
    std::string text;
};

/// A plain hiredis connection used by tests to act on Redis directly.
class AdminConnection {
public:
    /// Connects to a redis:// or unix:// URL (1 s timeout). Throws
    /// std::runtime_error when it cannot.
    explicit AdminConnection(const std::string &url);

    /// One command, binary-safe. Throws std::runtime_error on I/O failure.
    AdminReply command(const std::vector<std::string> &args);

private:
    cache::RedisContextPtr context_;
};

/// Polls `condition` every 10 ms until it is true or `limit` has passed;
/// returns its last value. Every wait in the Redis tests is bounded by it.
bool waitFor(const std::function<bool()> &condition, std::chrono::milliseconds limit);

} // namespace oidfed::test
