// StatementStore: where the collector gets Entity Statements. It fetches
// through the Fetcher, parses and scrubs each statement once, and keeps the
// parsed statement in memory until its exp (capped), so statements shared by
// many subjects (an intermediate's Entity Configuration, the anchor's
// statement about it) are fetched and parsed once for all of them. Concurrent
// requests for one URL share a single fetch (single flight). An optional
// shared Cache (Redis) holds the raw JWTs for other replicas; what comes from
// it is parsed again like anything fetched, and trusted no more.
//
// Parsed statements are still unverified: verification happens in the
// validator. Thread-safe.
//
// The parsed statements are kept in a segmented LRU (LruMap): a statement
// read again, such as an intermediate's Entity Configuration, moves to the
// hot segment, so the one-time statements of many distinct leaves (their
// Entity Configurations and the statements about them) are evicted first
// and never push out the shared ones.
//
// Key rollover (threats G03, G04, U12): forceRefetch() drops a statement
// from memory and makes the next get of its URL skip the shared cache too,
// so that a stale copy (an intermediate's old jwks) can be replaced by the
// publisher's current one. Each URL may be forced at most once per
// refetchInterval, remembered in a bounded map: random kids cannot turn the
// resolver into a fetch amplifier.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "core/lru_map.h"

namespace oidfed::detail {

using StatementPtr = std::shared_ptr<const EntityStatement>;

/// What the caller expects the statement at a URL to be (the scrub rules of
/// the collector: the right issuer and subject, the right kind).
struct StatementRequest {
    std::string url;
    std::string issuer;   ///< expected iss
    std::string subject;  ///< expected sub (== issuer for an Entity Configuration)
};

struct StatementStoreOptions {
    std::size_t maxEntries = 10000;                   ///< parsed statements kept in memory
    std::chrono::seconds maxTtl{86400};               ///< cap on the time a statement is kept
    std::chrono::seconds clockSkew{60};               ///< an already-expired statement is not kept
    StatementOptions statements{};
    /// A URL is refetched by force (forceRefetch) at most once per interval.
    std::chrono::seconds refetchInterval{60};
    /// URLs whose last forced refetch is remembered; the least recently
    /// forced are forgotten first.
    std::size_t refetchMemory = 4096;
};

/// Where getAll() found a statement.
enum class StatementSource {
    Memory,       ///< parsed earlier, kept in this process
    SharedCache,  ///< raw JWT from the shared cache (another replica fetched it)
    Network,      ///< fetched now (by this call or a concurrent one)
};

struct StatementStoreStats {
    std::size_t hits = 0;
    std::size_t fetches = 0;
    std::size_t sharedHits = 0;  ///< served from the shared cache
    std::size_t waits = 0;       ///< joined a fetch already in flight
    std::size_t forcedRefetches = 0;  ///< forceRefetch() calls that were granted
};

class StatementStore {
public:
    StatementStore(Fetcher &fetcher, Cache *shared, const Clock &clock, StatementStoreOptions options);
    StatementStore(const StatementStore &) = delete;
    StatementStore &operator=(const StatementStore &) = delete;

    /// Returns one result per request, in order. Requests not in memory are
    /// fetched concurrently with `timeout` (the caller's remaining budget).
    /// Errors: the Fetcher's, the parser's, or InvalidClaim when iss/sub or
    /// the statement kind differ from the request (scrubbing, ANCHORS 2.8).
    /// When `sources` is given it receives, per request, where the
    /// statement came from (meaningful for successful results only).
    std::vector<Result<StatementPtr>> getAll(const std::vector<StatementRequest> &requests,
                                             std::chrono::milliseconds timeout,
                                             std::vector<StatementSource> *sources = nullptr);

    /// Forgets the statement at `url` and makes the next get fetch it from
    /// the network, bypassing the shared cache (whose entry that fetch then
    /// replaces). Returns false, and changes nothing, when `url` was already
    /// forced less than refetchInterval ago (rate limit).
    bool forceRefetch(const std::string &url);

    /// Whether a request would be answered without fetching.
    bool contains(const std::string &url);

    StatementStoreStats stats() const;
    std::chrono::seconds refetchInterval() const { return options_.refetchInterval; }

private:
    struct Entry {
        StatementPtr statement;
        UnixTime keepUntil;
    };
    struct Flight {
        bool done = false;
        Result<StatementPtr> result{Unexpected{Error(ErrorCode::Internal, "pending")}};
    };

    Result<StatementPtr> parseAndScrub(const StatementRequest &request, const std::string &jwt) const;
    /// `use`: whether the lookup counts as a use (moves it to the hot segment).
    StatementPtr lookup(const std::string &url, UnixTime now, bool use);  // REQUIRES: mutex_ held
    void remember(const std::string &url, StatementPtr statement, UnixTime now);  // REQUIRES: mutex_ held

    Fetcher &fetcher_;
    Cache *shared_;
    const Clock &clock_;
    StatementStoreOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable flightDone_;  // signalled under mutex_
    // Guarded by mutex_.
    LruMap<std::string, Entry> entries_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
    StatementStoreStats stats_;
    struct Forced {
        UnixTime at;
        bool bypassShared;  ///< the next get skips the shared cache
    };
    LruMap<std::string, Forced> forced_;
};

} // namespace oidfed::detail
