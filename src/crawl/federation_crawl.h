// A crawl: every entity of a federation under one trust anchor, discovered
// top down through the list endpoints (spec 8.2) and each resolved through
// a Resolver (so its chain lands in the resolver's caches: in-process, and
// Redis when the resolver has it), with the health findings of what was
// seen. What `oidfed monitor` prints, what `oidfed serve`'s crawler keeps
// warm, and what the entity collection endpoint answers from.
//
// Each entity is fetched once: the resolver fetches its Entity
// Configuration and the statements above it (and verifies each signature
// once, or not at all when its chain is still cached), and the crawl reads
// the list endpoint from the verified Entity Configuration the chain starts
// with. Only an entity without a valid chain has its Entity Configuration
// fetched again, to go on below it (an intermediate whose own chain broke
// still has subordinates to report). Nothing unverified enters a chain.
//
// Bounded: at most maxEntities entities, maxDepth levels, maxListSize ids
// from one list endpoint (the rest is cut, `truncated` says so). Fetches go
// through the Fetcher (with its own limits, per-host caps and SSRF guard).
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/json.h>
#include <oidfed/resolver.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_chain.h>

#include "crawl/health_finding.h"

namespace oidfed::crawl {

struct CrawlOptions {
    std::size_t maxEntities = 100000;  ///< entities crawled, the anchor included
    std::size_t maxDepth = 8;          ///< levels below the anchor
    std::size_t maxListSize = 100000;  ///< ids taken from one list endpoint
    std::size_t concurrency = 16;      ///< resolutions at once
    /// A statement, Entity Configuration or trust mark that expires within
    /// this many seconds is a finding (warning).
    std::int64_t expiryWarningSeconds = 7 * 24 * 3600;
    /// How the crawl parses what it reads (the resolver's, e.g. allowHttp).
    StatementOptions statements{};
    /// When set and true, the crawl stops at the next entity (a server
    /// shutting down); what it found so far is reported, `truncated` set.
    const std::atomic<bool> *stop = nullptr;
};

/// One entity as the crawl saw it.
struct CrawledEntity {
    std::string entityId;
    std::size_t depth = 0;                       ///< 0: the anchor
    std::vector<std::string> superiors{};        ///< the crawled authorities that list it
    std::vector<std::string> entityTypes{};      ///< from its Entity Configuration (when read)
    std::vector<std::string> authorityHints{};   ///< from its Entity Configuration (when read)
    bool authority = false;                      ///< publishes a list endpoint
    UnixTime configurationExpiresAt = 0;         ///< 0: not read
    /// Its chain under the anchor (verified; also in the resolver's caches),
    /// or why there is none.
    std::shared_ptr<const TrustChain> chain{};
    std::optional<Error> error{};
    std::optional<Error> listError{};            ///< its list endpoint failed (the crawl stopped below it)
};

struct CrawlReport {
    std::string trustAnchor;
    UnixTime startedAt = 0;
    UnixTime finishedAt = 0;                ///< set by the caller (the crawl reads no clock)
    std::vector<CrawledEntity> entities{};  ///< in the order discovered (the anchor first)
    std::vector<Finding> findings{};        ///< grouped by entity, in the order of entities
    bool truncated = false;                 ///< a bound stopped the crawl
    std::size_t listFetches = 0;            ///< list endpoint requests made
    std::size_t resolutions = 0;            ///< resolutions asked of the resolver
    std::size_t networkResolutions = 0;     ///< of those, the ones that went to the network
    /// The ids each authority listed, as fetched (or, when its list endpoint
    /// failed, as carried over from the previous crawl): what the next crawl
    /// falls back on.
    std::map<std::string, std::vector<std::string>, std::less<>> lists{};
};

/// The lists of a previous crawl, for an authority whose list endpoint fails.
using PreviousLists = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Crawls the federation under `anchor` (which the resolver must have
/// among its trust anchors). `now` is the time findings are judged at.
/// `previous`: the lists of the previous crawl of the same anchor, or
/// nullptr; an authority whose list endpoint fails is then crawled below as
/// its previous list said (the failure is still a finding), so that an
/// upstream that is briefly down does not empty the crawl.
CrawlReport crawlFederation(const TrustAnchor &anchor, Resolver &resolver, Fetcher &fetcher,
                            const CrawlOptions &options, UnixTime now, const PreviousLists *previous = nullptr);

/// Resolves each of `ids` under `anchor`, up to `concurrency` at once (the
/// calling thread is one of them), from the caches only when `cacheOnly`.
/// Once `stop` is set and true, the remaining ones fail (Unavailable).
std::vector<ResolveOutcome> resolveEach(Resolver &resolver, const std::vector<std::string> &ids,
                                        const std::string &anchor, std::size_t concurrency, bool cacheOnly = false,
                                        const std::atomic<bool> *stop = nullptr);

/// The report as JSON: {"trust_anchor", "started_at", "finished_at",
/// "truncated", "counts": {"entities", "valid", "invalid", "findings":
/// {kind: n}}, "entities": [{"entity_id", "depth", "superiors",
/// "entity_types", "authority", "verdict", "chain_expires_at"?, "error"?,
/// "list_error"?}],
/// "findings": [findingToJson...]}.
Json crawlReportToJson(const CrawlReport &report);

/// Number of findings per kind, indexed by FindingKind.
std::vector<std::size_t> countFindings(const CrawlReport &report);

} // namespace oidfed::crawl
