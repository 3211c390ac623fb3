/// oidfed::MemoryCacheOptions and oidfed::RedisCacheOptions — every tunable
/// of the two Cache implementations (cache.h).
///
/// Plain structs with a default, a unit and the trade-off beside each field.
/// validateMemoryCacheOptions() and validateRedisCacheOptions() check the
/// ranges; the factories call them, then copy the options into the cache;
/// changing them afterwards has no effect on that cache. Plain values; share
/// freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/result.h>

namespace oidfed {

struct MemoryCacheOptions {
    /// Most entries held at once; the least recently used entry is evicted
    /// beyond it. Range: 1 .. 100,000,000. Default 10000 (cacheMaxEntries).
    std::size_t maxEntries = 10000;

    /// Most bytes held at once, counting keys, values and a fixed per-entry
    /// overhead (the bookkeeping of one entry, about 200 bytes on 64-bit
    /// Linux). The LRU entry is evicted beyond it. An entry larger than
    /// maxBytes / shards is never stored. Range: 4 KiB .. 1 TiB. Default
    /// 128 MiB, so that maxEntries is the bound that normally binds
    /// (10000 resolutions of ~8 KiB fit).
    std::size_t maxBytes = std::size_t{128} << 20;

    /// Longest lifetime of any entry, whatever its expiresAt. Bounds how
    /// long a purge elsewhere (another replica, a key rollover) can go
    /// unnoticed. Range: 1 s .. 365 days. Default 24 h (maxCacheTtl).
    std::chrono::seconds maxTtl{24 * 3600};

    /// Longest lifetime of a negative entry (a cached failure). Short, so a
    /// transient upstream failure is not remembered as a verdict (threat
    /// J05). 0 means negative entries are never stored. Range: 0 .. maxTtl.
    /// Default 60 s (negativeTtl).
    std::chrono::seconds negativeTtl{60};

    /// Independent LRU shards, each with its own mutex and an equal share of
    /// maxEntries and maxBytes; more shards mean less lock contention but
    /// an LRU order that holds only within a shard. Range: 1 .. 256, and at
    /// most maxEntries. Default 16.
    std::size_t shards = 16;
};

/// Redis behind Sentinel: the master's address is asked of the Sentinels
/// (SENTINEL get-master-addr-by-name) instead of being configured, every new
/// connection checks with ROLE that it reached a master, and a failover is
/// followed without a restart (the connections to the old master fail or
/// answer READONLY; the breaker opens; its probe asks the Sentinels again).
/// As for RedisCacheOptions::url, there is no TLS with hiredis 0.14: keep
/// the Sentinels and Redis on a private network, behind passwords or ACL
/// users.
struct RedisSentinelOptions {
    /// The Sentinels, each `host[:port]` (port 26379 by default; host a
    /// name, an IPv4 address or a bracketed IPv6 address). Asked in turn,
    /// starting with the last one that answered. 1 .. 16 entries.
    std::vector<std::string> addresses{};

    /// The name the Sentinels monitor the master under (`sentinel monitor
    /// <name> ...`). 1 .. 256 bytes, no spaces or control characters.
    std::string masterName{};

    /// Credentials for the master (and for a replica it fails over to):
    /// AUTH [masterUser] masterPassword after connecting. Empty password:
    /// no AUTH; a user needs a password.
    std::string masterUser{};
    std::string masterPassword{};

    /// The database SELECTed on the master. Range: 0 .. 1,000,000 (as the
    /// URL's /db).
    std::int64_t db = 0;

    /// Credentials for the Sentinels themselves (Sentinel's `requirepass`,
    /// or an ACL user of Sentinel); empty password: no AUTH. A user needs a
    /// password.
    std::string user{};
    std::string password{};
};

struct RedisCacheOptions {
    /// Where Redis is: `redis://[[user]:password@]host[:port][/db]` (port
    /// 6379 and db 0 by default; user and password percent-encoded; host a
    /// name, an IPv4 address or a bracketed IPv6 address), or
    /// `unix://[[user]:password@]/path/to/socket[?db=N]`. TLS (`rediss://`)
    /// is not supported by hiredis 0.14: keep Redis on a private network,
    /// behind a password or an ACL user. A host name is resolved by the
    /// system resolver at every new connection, outside connectTimeout:
    /// prefer an address or a name in /etc/hosts.
    /// Ignored when `sentinel` is set.
    std::string url = "redis://127.0.0.1:6379";

    /// Redis behind Sentinel instead of one address (url is then not used).
    std::optional<RedisSentinelOptions> sentinel{};

    /// Prepended to every key, so that several deployments (or a future
    /// schema) can share one Redis without seeing each other's entries.
    /// purgePrefix("") removes only keys under it. At most 256 bytes; must
    /// not be empty (an empty prefix would make a full purge a FLUSHDB).
    /// Default "oidfed:".
    std::string keyPrefix = "oidfed:";

    /// Time allowed to open a TCP or Unix-socket connection. Range: 1 ms ..
    /// 60 s. Default 100 ms.
    std::chrono::milliseconds connectTimeout{100};

    /// Deadline for one command: sending it and reading the whole reply.
    /// A slow or stopped Redis costs at most this per call before the
    /// breaker opens (R3, R4). Also the longest wait for a free pooled
    /// connection, so one call takes at most about connectTimeout +
    /// 2 x commandTimeout (plus one commandTimeout each for AUTH and SELECT
    /// when it opens a connection; with sentinel, one more for ROLE, and
    /// when the master is to be found again, up to connectTimeout +
    /// 2 x commandTimeout per Sentinel asked). Range: 1 ms .. 60 s. Default 100 ms.
    std::chrono::milliseconds commandTimeout{100};

    /// Most connections open at once; callers beyond it wait up to
    /// commandTimeout for one, then miss. Bounds what this process takes of
    /// Redis's maxclients (R12). Range: 1 .. 64. Default 4.
    std::size_t poolSize = 4;

    /// Circuit breaker: after a failure (connection refused or lost,
    /// timeout, authentication or "max clients" error), Redis is not tried
    /// for this long; every call is a miss or a dropped write. Then one call
    /// probes it; each failed probe doubles the wait, up to
    /// breakerMaxBackoff, and a successful one closes the breaker. Range:
    /// 1 ms .. breakerMaxBackoff. Default 100 ms.
    std::chrono::milliseconds breakerInitialBackoff{100};

    /// Longest wait between two probes. Range: breakerInitialBackoff ..
    /// 10 min. Default 5 s.
    std::chrono::milliseconds breakerMaxBackoff{5000};

    /// Latency objective of one command (threat R4): a command that succeeds
    /// but takes longer than this, from sending it to the end of its reply,
    /// is slow. breakerSlowCommands slow commands in a row, with no fast one
    /// between, open the breaker as a failure does, and a slow probe keeps it
    /// open: a Redis that answers too slowly is skipped like a dead one
    /// instead of slowing every request. The reply itself is still used. 0:
    /// latency never opens the breaker; nor does a threshold at or above
    /// commandTimeout (such a command fails first). Range: 0 .. 60 s.
    /// Default 50 ms.
    std::chrono::milliseconds breakerSlowThreshold{50};

    /// Slow commands in a row that open the breaker. Range: 1 .. 1000.
    /// Default 8.
    std::size_t breakerSlowCommands = 8;

    /// As MemoryCacheOptions::maxTtl; applied as the Redis key's TTL (PX).
    /// Default 24 h.
    std::chrono::seconds maxTtl{24 * 3600};

    /// As MemoryCacheOptions::negativeTtl. Default 60 s.
    std::chrono::seconds negativeTtl{60};

    /// Largest value stored or read back, in bytes. A longer value is not
    /// written, and a reply longer than this (plus framing) is refused while
    /// it is being read, never buffered whole (J07). Range: 1 KiB .. 64 MiB.
    /// Default 1 MiB.
    std::size_t maxValueBytes = std::size_t{1} << 20;
};

/// Range checks of every field. InvalidArgument naming the field in
/// Error::claim, message "<field>: must be ...".
Result<void> validateMemoryCacheOptions(const MemoryCacheOptions &options);

/// Range checks of every field but url (parsed by makeRedisCache(), whose
/// errors never repeat a password), sentinel's included ("sentinel.masterName";
/// every Sentinel address is parsed, and a refusal names it, never a
/// password). InvalidArgument naming the field in Error::claim, message
/// "<field>: must be ..." or "<field>: <why>".
Result<void> validateRedisCacheOptions(const RedisCacheOptions &options);

} // namespace oidfed
