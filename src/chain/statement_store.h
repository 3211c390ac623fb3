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
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
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
};

struct StatementStoreStats {
    std::size_t hits = 0;
    std::size_t fetches = 0;
    std::size_t sharedHits = 0;  ///< served from the shared cache
    std::size_t waits = 0;       ///< joined a fetch already in flight
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
    std::vector<Result<StatementPtr>> getAll(const std::vector<StatementRequest> &requests,
                                             std::chrono::milliseconds timeout);

    /// Whether a request would be answered without fetching.
    bool contains(const std::string &url);

    StatementStoreStats stats() const;

private:
    struct Entry {
        StatementPtr statement;
        UnixTime keepUntil;
        std::list<std::string>::iterator lru;
    };
    struct Flight {
        bool done = false;
        Result<StatementPtr> result{Unexpected{Error(ErrorCode::Internal, "pending")}};
    };

    Result<StatementPtr> parseAndScrub(const StatementRequest &request, const std::string &jwt) const;
    StatementPtr lookup(const std::string &url, UnixTime now);   // REQUIRES: mutex_ held
    void remember(const std::string &url, StatementPtr statement, UnixTime now);  // REQUIRES: mutex_ held

    Fetcher &fetcher_;
    Cache *shared_;
    const Clock &clock_;
    StatementStoreOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable flightDone_;  // signalled under mutex_
    // Guarded by mutex_.
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
    StatementStoreStats stats_;
};

} // namespace oidfed::detail
