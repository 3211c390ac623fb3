/// oidfed::ReplayStore — single use of a JWT's `jti` (spec 12.1.1.1: a
/// Request Object's jti is single use; RFC 7523 3: a client assertion's jti
/// too).
///
/// firstUse(scope, jti, expiresAt) records that the jti is used within
/// `scope` (e.g. this OP, the client, the kind of JWT) until expiresAt, the
/// JWT's own exp: after that the JWT is refused for its exp, so its jti
/// need not be remembered. It answers true for the first use and false for
/// every later one.
///
/// Two implementations:
///  - makeMemoryReplayStore(): in process, bounded by maxEntries. To make
///    room it drops expired jtis first (the earliest expiry first); when
///    every held jti is still unexpired it refuses the new one (Unavailable)
///    rather than forget one that could then be replayed. Only one process
///    sees it: with several replicas, use the shared store.
///  - makeCacheReplayStore(): over a Cache's atomic putIfAbsent (the Redis
///    cache: `SET key NX PX ttl`; or the tiered cache over it), so a jti used
///    at one replica is refused at every other. When Redis cannot answer it
///    fails closed: Unavailable (spec error temporarily_unavailable), never
///    "first use".
///
/// A jti is kept under a digest of (scope, jti), never as sent. Thread
/// safety: firstUse() may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/result.h>

namespace oidfed {

struct ReplayStoreOptions {
    /// The in-process store: most jtis held at once. When it is full of
    /// unexpired jtis, a new one is refused (Unavailable). About 150 bytes
    /// each. Range 1 .. 100,000,000. Default 100000.
    std::size_t maxEntries = 100000;
    /// Longest a jti is held: a JWT whose exp is later than now +
    /// maxLifetime is refused (InvalidArgument), so no marker has to outlive
    /// what the store can promise. Verifiers refuse such JWTs before asking
    /// (AutomaticRegistrationOptions::maxJwtLifetime). Range 1 s .. 1 day.
    /// Default 1 h.
    std::chrono::seconds maxLifetime{3600};
};

/// InvalidArgument naming the field in Error::claim when a field is out of
/// range.
Result<void> validateReplayStoreOptions(const ReplayStoreOptions &options);

class ReplayStore {
public:
    virtual ~ReplayStore() = default;
    ReplayStore(const ReplayStore &) = delete;
    ReplayStore &operator=(const ReplayStore &) = delete;

    /// true: the first use of `jti` in `scope`, now recorded until
    /// expiresAt; false: used before (a replay). Errors, with nothing
    /// recorded: InvalidArgument for an empty jti, expiresAt <= now, or
    /// expiresAt beyond now + maxLifetime; Unavailable when the in-process
    /// store is full of unexpired jtis, or the shared store cannot answer
    /// (Timeout when it did not answer in time).
    virtual Result<bool> firstUse(std::string_view scope, std::string_view jti, UnixTime expiresAt,
                                  UnixTime now) = 0;

protected:
    ReplayStore() = default;
};

/// The in-process store. Errors: InvalidArgument for options out of range.
Result<std::unique_ptr<ReplayStore>> makeMemoryReplayStore(const ReplayStoreOptions &options = {});

/// The shared store over `cache` (which must outlive it), in the cache's
/// namespace "jti". Errors: InvalidArgument for options out of range.
Result<std::unique_ptr<ReplayStore>> makeCacheReplayStore(Cache &cache, const ReplayStoreOptions &options = {});

} // namespace oidfed
