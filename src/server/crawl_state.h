// CrawlState: the latest crawl of each (crawling resolver entity, trust
// anchor), as the entity collection endpoint, the health report and
// /metrics serve it, kept across reloads (a reload rebuilds the resolver,
// not the crawl). Written by the crawler thread, read by every HTTP worker.
//
// Thread-safe. What it hands out is immutable and shared: a reader keeps the
// crawl it got while a newer one replaces it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawl/entity_collection.h"
#include "crawl/federation_crawl.h"
#include "server/metrics.h"

namespace oidfed::server {

/// One finished crawl, ready to serve.
struct ServedCrawl {
    std::string crawler;        ///< the hosted resolver entity that crawled (or followed the crawling replica)
    std::string trustAnchor;
    UnixTime startedAt = 0;
    UnixTime finishedAt = 0;
    bool leader = true;         ///< crawled here; false: followed the replica that leads (crawler.h)
    crawl::EntityCollection collection;
    /// The health report: crawlReportToJson without "entities", plus
    /// "leader"; also what the leader shares with the other replicas.
    Json health;
    std::vector<std::size_t> findingCounts;  ///< per crawl::FindingKind
    std::size_t entities = 0;
    std::size_t valid = 0;
};

/// The health report of `report` (see ServedCrawl::health).
Json crawlHealthJson(const crawl::CrawlReport &report);

/// A ServedCrawl from a crawl made here.
std::shared_ptr<const ServedCrawl> servedCrawl(const std::string &crawler, const crawl::CrawlReport &report);

class CrawlState {
public:
    void store(std::shared_ptr<const ServedCrawl> crawl);
    /// The latest crawl of `trustAnchor` by `crawler`, or nullptr.
    std::shared_ptr<const ServedCrawl> latest(std::string_view crawler, std::string_view trustAnchor) const;
    /// Every latest crawl of `crawler`, in anchor order.
    std::vector<std::shared_ptr<const ServedCrawl>> latestOf(std::string_view crawler) const;
    /// Every latest crawl, by crawler then anchor.
    std::vector<std::shared_ptr<const ServedCrawl>> all() const;

    /// oidfed_crawl_findings{entity,trust_anchor,kind},
    /// oidfed_crawl_entities{entity,trust_anchor,verdict},
    /// oidfed_crawl_last_finished_timestamp_seconds{entity,trust_anchor},
    /// oidfed_crawl_duration_seconds{entity,trust_anchor},
    /// oidfed_crawl_leader{entity}. Labels from bounded sets only (the
    /// configured entities and anchors, the fixed kinds).
    std::vector<GaugeFamily> gauges() const;

    /// Whether this replica led its last cycle, per crawler (for the gauge).
    void setLeader(const std::string &crawler, bool leader);

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::shared_ptr<const ServedCrawl>, std::less<>> crawls_;
    std::map<std::string, bool, std::less<>> leader_;
};

} // namespace oidfed::server
