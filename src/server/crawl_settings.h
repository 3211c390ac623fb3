// entities[].resolver.crawl: a resolver entity that keeps the federations
// under its trust anchors warm (src/server/crawler.h), publishes the entity
// collection endpoint and a health report from the crawl, and answers
// anonymous resolve requests from its caches (spec 18.1). Documented member
// by member in docs/configuration.md; the ranges are validateCrawlSettings()'s.
#pragma once

#include <chrono>
#include <cstddef>

#include <oidfed/result.h>

namespace oidfed::server {

struct CrawlSettings {
    /// Time between the starts of two crawls. Range 1 s..1 day. Keep it
    /// below the lifetime of the federation's statements less the resolver's
    /// refresh_ahead_seconds, so that every chain is refreshed before it expires.
    std::chrono::seconds interval{300};
    /// Entities per crawl and anchor, the anchor included. Range 1..10,000,000.
    std::size_t maxEntities = 100000;
    /// Levels below the anchor. Range 1..64.
    std::size_t maxDepth = 8;
    /// Ids taken from one list endpoint. Range 1..10,000,000.
    std::size_t maxListSize = 100000;
    /// Resolutions at once. Range 1..256.
    std::size_t concurrency = 8;
    /// A statement, Entity Configuration or trust mark expiring within this
    /// is a health finding. Range 0..365 days.
    std::chrono::seconds expiryWarning{7 * 24 * 3600};
    /// The most entries of one entity collection page. Range 1..10,000.
    std::size_t collectionPageLimit = 100;
    /// Anonymous resolve requests may still resolve on demand (the global
    /// resolve_endpoint.on_demand). Off (default): they are answered from
    /// the caches the crawl keeps warm; callers authenticated with the trust
    /// API's spec 8.8 client authentication still resolve on demand.
    bool anonymousOnDemand = false;
    /// How long the leader's lock in the shared cache lasts without renewal
    /// (when a shared cache is configured). Range 1 s..1 day.
    std::chrono::seconds leaderLease{60};
};

Result<void> validateCrawlSettings(const CrawlSettings &settings);

} // namespace oidfed::server
