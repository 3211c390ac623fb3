// Crawler: the periodic work of every resolver entity with
// "resolver.crawl" (crawl_settings.h). For each of its trust anchors it
// crawls the federation (crawl::crawlFederation, through the server's own
// resolver, so that every chain lands in its caches: in-process and Redis)
// and stores the result in the CrawlState the collection endpoint, the
// health report and /metrics read.
//
// Replicas sharing a Redis elect one leader per crawling entity: a lock in
// the shared cache (CacheNamespace::Crawl) held for interval + leader_lease
// and renewed at each cycle, so a dead leader is replaced within that time.
// The leader crawls and shares what it found (the entity ids and the health
// report, in the shared cache); the others follow: they rebuild the
// collection from the shared chain cache alone (resolve with cacheOnly: each
// chain re-verified on read against its exp and the anchor's keys; an
// entity whose chain is not there is left out) and serve the leader's health
// report. Without a shared cache, or when it fails, every replica crawls.
//
// Not thread-safe but for stop(): one thread calls runDue() (serve's crawler
// thread).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>

#include "server/crawl_settings.h"
#include "server/crawl_state.h"
#include "server/service_snapshot.h"

namespace oidfed::server {

class Crawler {
public:
    struct Dependencies {
        Fetcher &fetcher;           ///< the resolvers' (hosted URLs answered in process)
        const Clock &clock;
        Cache *sharedCache = nullptr;  ///< Redis, when configured: leader election and sharing
        CrawlState &state;
    };

    /// `statements`: how crawled statements are parsed (the resolvers').
    Crawler(Dependencies dependencies, StatementOptions statements);

    /// Crawls (or follows) what is due in `snapshot` and returns the time
    /// until the next check (a few seconds: a reload may add a crawling
    /// entity, or rebuild a resolver, whose empty caches are crawled again
    /// at once).
    std::chrono::seconds runDue(const ServiceSnapshot &snapshot);

    /// Makes a crawl in progress stop at its next entity (shutdown); runDue()
    /// crawls nothing afterwards. Thread-safe.
    void stop() noexcept { stopping_ = true; }

    /// This replica's id in the leader lock (random, per process).
    const std::string &replicaId() const noexcept { return replicaId_; }

private:
    bool leads(const std::string &crawler, const CrawlSettings &settings, UnixTime now);
    void crawlHere(const EntitySlot &slot, const CrawlSettings &settings);
    void follow(const EntitySlot &slot, const CrawlSettings &settings);
    void share(const std::string &crawler, const crawl::CrawlReport &report, const CrawlSettings &settings);

    Dependencies deps_;
    StatementOptions statements_;
    std::atomic<bool> stopping_{false};
    std::string replicaId_;
    std::map<std::string, UnixTime, std::less<>> nextDue_;       ///< per crawling entity
    std::map<std::string, UnixTime, std::less<>> followedUntil_; ///< crawler + anchor -> finished_at followed
    /// crawler + anchor -> the lists of its last crawl here (crawl::PreviousLists).
    std::map<std::string, crawl::PreviousLists, std::less<>> previousLists_;
    /// The resolver each entity was last crawled with: a reload builds a new
    /// one (with empty in-process caches), which is crawled at once.
    std::map<std::string, std::weak_ptr<ResolveEndpoint>, std::less<>> crawledWith_;
};

} // namespace oidfed::server
