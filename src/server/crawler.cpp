#include "server/crawler.h"

#include <algorithm>
#include <array>
#include <atomic>

#include <unistd.h>

#include <openssl/rand.h>

#include <oidfed/cache_key.h>

#include "server/server_log.h"

namespace oidfed::server {

namespace {

/// Entity ids per shared page: a page stays well below the shared cache's
/// largest value (1 MiB by default) for ids of a few hundred bytes.
constexpr std::size_t kIdsPerPage = 2000;
/// Findings in the shared health report at most (the leader serves all).
constexpr std::size_t kSharedFindings = 1000;

std::string randomId()
{
    std::array<unsigned char, 12> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return "replica-" + std::to_string(::getpid());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

std::string leaderKey(const std::string &crawler) { return cacheKey(CacheNamespace::Crawl, {"leader", crawler}); }

std::string headKey(const std::string &crawler, const std::string &anchor)
{
    return cacheKey(CacheNamespace::Crawl, {"report", crawler, anchor});
}

std::string pageKey(const std::string &crawler, const std::string &anchor, std::size_t page)
{
    return cacheKey(CacheNamespace::Crawl, {"ids", crawler, anchor, std::to_string(page)});
}

} // namespace

Crawler::Crawler(Dependencies dependencies, StatementOptions statements)
    : deps_(dependencies), statements_(std::move(statements)), replicaId_(randomId())
{
}

bool Crawler::leads(const std::string &crawler, const CrawlSettings &settings, UnixTime now)
{
    if (!deps_.sharedCache)
        return true;
    const CacheEntry lock{.value = replicaId_, .expiresAt = now + settings.interval.count() + settings.leaderLease.count()};
    Result<bool> taken = deps_.sharedCache->putIfAbsent(leaderKey(crawler), lock, now);
    if (!taken)
        return true;  // the shared cache fails: crawl here rather than not at all
    if (*taken)
        return true;
    std::optional<CacheEntry> held = deps_.sharedCache->get(leaderKey(crawler), now);
    if (!held)
        return true;  // expired between the two calls, or the cache failed
    if (held->value != replicaId_)
        return false;
    deps_.sharedCache->put(leaderKey(crawler), lock, now);  // renewed
    return true;
}

std::chrono::seconds Crawler::runDue(const ServiceSnapshot &snapshot)
{
    // Checked every few seconds: a reload may add a crawling entity, or
    // rebuild a resolver whose caches are then empty.
    UnixTime soonest = deps_.clock.now() + 2;
    for (const EntitySlot &slot : snapshot.slots) {
        if (stopping_)
            break;
        if (!slot.crawl || !slot.resolver)
            continue;
        const CrawlSettings &settings = *slot.crawl;
        const std::string &crawler = slot.entity->entityId().str();
        const UnixTime now = deps_.clock.now();
        auto due = nextDue_.find(crawler);
        auto with = crawledWith_.find(crawler);
        // The same endpoint object (control block), never one that merely
        // has the address of a destroyed one.
        const bool sameResolver = with != crawledWith_.end() && !with->second.expired() &&
                                  !with->second.owner_before(slot.resolver) && !slot.resolver.owner_before(with->second);
        if (due != nextDue_.end() && due->second > now && sameResolver) {
            soonest = std::min(soonest, due->second);
            continue;
        }
        const bool leader = leads(crawler, settings, now);
        deps_.state.setLeader(crawler, leader);
        UnixTime next = 0;
        if (leader) {
            crawlHere(slot, settings);
            next = now + settings.interval.count();
        } else {
            follow(slot, settings);
            next = deps_.clock.now() + std::max<std::int64_t>(5, settings.interval.count() / 4);
        }
        nextDue_[crawler] = next;
        crawledWith_[crawler] = slot.resolver;
        soonest = std::min(soonest, next);
    }
    return std::chrono::seconds(std::max<UnixTime>(1, soonest - deps_.clock.now()));
}

void Crawler::crawlHere(const EntitySlot &slot, const CrawlSettings &settings)
{
    const std::string &crawler = slot.entity->entityId().str();
    Resolver &resolver = slot.resolver->resolver();
    const crawl::CrawlOptions options{.maxEntities = settings.maxEntities,
                                      .maxDepth = settings.maxDepth,
                                      .maxListSize = settings.maxListSize,
                                      .concurrency = settings.concurrency,
                                      .expiryWarningSeconds = settings.expiryWarning.count(),
                                      .statements = statements_,
                                      .stop = &stopping_};
    for (const TrustAnchor &anchor : resolver.trustAnchors()) {
        const auto started = std::chrono::steady_clock::now();
        const std::string listsKey = crawler + '\n' + anchor.entityId.str();
        auto previous = previousLists_.find(listsKey);
        crawl::CrawlReport report =
            crawl::crawlFederation(anchor, resolver, deps_.fetcher, options, deps_.clock.now(),
                                   previous == previousLists_.end() ? nullptr : &previous->second);
        previousLists_[listsKey] = std::move(report.lists);
        report.finishedAt = deps_.clock.now();
        std::shared_ptr<const ServedCrawl> served = servedCrawl(crawler, report);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        logLine(LogLevel::Info, "crawl of " + anchor.entityId.str() + " by " + crawler + ": " +
                                    std::to_string(served->entities) + " entities, " + std::to_string(served->valid) +
                                    " valid, " + std::to_string(report.findings.size()) + " findings, " +
                                    std::to_string(report.networkResolutions) + " resolved from the network, in " +
                                    std::to_string(seconds) + " s");
        if (stopping_)
            return;  // cut short: keep serving the last complete crawl
        deps_.state.store(served);
        if (deps_.sharedCache)
            share(crawler, report, settings);
    }
}

void Crawler::share(const std::string &crawler, const crawl::CrawlReport &report, const CrawlSettings &settings)
{
    const UnixTime now = deps_.clock.now();
    const UnixTime until = now + 3 * settings.interval.count();
    std::vector<std::string> ids;
    for (const crawl::CrawledEntity &entity : report.entities)
        if (entity.chain && !entity.error)
            ids.push_back(entity.entityId);
    const std::size_t pages = (ids.size() + kIdsPerPage - 1) / kIdsPerPage;
    for (std::size_t page = 0; page < pages; ++page) {
        Json list = Json::array();
        for (std::size_t i = page * kIdsPerPage; i < std::min(ids.size(), (page + 1) * kIdsPerPage); ++i)
            list.push(ids[i]);
        deps_.sharedCache->put(pageKey(crawler, report.trustAnchor, page), {.value = list.dump(), .expiresAt = until},
                               now);
    }
    Json health = crawlHealthJson(report);
    if (Json *findings = health.find("findings"); findings && findings->asArray().size() > kSharedFindings) {
        findings->asArray().resize(kSharedFindings);
        health.set("findings_truncated", true);
    }
    Json head = Json::object();
    head.set("pages", static_cast<std::int64_t>(pages));
    head.set("entities", static_cast<std::int64_t>(report.entities.size()));
    head.set("health", std::move(health));
    // The head last: a follower that reads it finds every page it names.
    deps_.sharedCache->put(headKey(crawler, report.trustAnchor), {.value = head.dump(), .expiresAt = until}, now);
}

void Crawler::follow(const EntitySlot &slot, const CrawlSettings &settings)
{
    const std::string &crawler = slot.entity->entityId().str();
    Resolver &resolver = slot.resolver->resolver();
    for (const TrustAnchor &anchor : resolver.trustAnchors()) {
        const std::string &anchorId = anchor.entityId.str();
        const UnixTime now = deps_.clock.now();
        std::optional<CacheEntry> headEntry = deps_.sharedCache->get(headKey(crawler, anchorId), now);
        if (!headEntry)
            continue;  // nothing shared (yet): keep what is served
        auto head = parseJson(headEntry->value);
        if (!head || !head->isObject() || !head->find("health") || !head->find("health")->isObject())
            continue;
        const Json &health = *head->find("health");
        const Json *finished = health.find("finished_at");
        const UnixTime finishedAt = finished && finished->isInt() ? finished->asInt() : 0;
        const std::string followKey = crawler + '\n' + anchorId;
        if (auto seen = followedUntil_.find(followKey); seen != followedUntil_.end() && seen->second == finishedAt)
            continue;  // that crawl is followed already
        const Json *pages = head->find("pages");
        std::vector<std::string> ids;
        bool complete = pages && pages->isInt();
        for (std::int64_t page = 0; complete && page < pages->asInt(); ++page) {
            std::optional<CacheEntry> entry =
                deps_.sharedCache->get(pageKey(crawler, anchorId, static_cast<std::size_t>(page)), now);
            auto list = entry ? parseJson(entry->value) : Result<Json>(fail(ErrorCode::NotFound, "missing page"));
            if (!list || !list->isArray()) {
                complete = false;
                break;
            }
            for (const Json &id : list->asArray())
                if (id.isString())
                    ids.push_back(id.asString());
        }
        if (!complete)
            continue;  // a page expired or was evicted: try again at the next poll

        crawl::CrawlReport report{.trustAnchor = anchorId, .startedAt = 0, .finishedAt = finishedAt};
        if (const Json *started = health.find("started_at"); started && started->isInt())
            report.startedAt = started->asInt();
        // The chains a follower may serve: from the caches only, each
        // re-verified on read.
        std::vector<ResolveOutcome> outcomes =
            crawl::resolveEach(resolver, ids, anchorId, settings.concurrency, true, &stopping_);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            crawl::CrawledEntity entity{.entityId = ids[i]};
            if (outcomes[i].chain)
                entity.chain = *outcomes[i].chain;
            else
                entity.error = outcomes[i].chain.error();
            report.entities.push_back(std::move(entity));
        }
        auto served = std::make_shared<ServedCrawl>(*servedCrawl(crawler, report));
        served->leader = false;
        served->health = health;
        served->health.set("leader", false);
        if (const Json *entities = head->find("entities"); entities && entities->isInt())
            served->entities = static_cast<std::size_t>(entities->asInt());
        served->findingCounts.assign(crawl::kFindingKindCount, 0);
        if (const Json *counts = health.find("counts"); counts && counts->find("findings"))
            for (std::size_t k = 0; k < crawl::kFindingKindCount; ++k)
                if (const Json *n = counts->find("findings")->find(crawl::findingKindName(crawl::findingKindAt(k)));
                    n && n->isInt())
                    served->findingCounts[k] = static_cast<std::size_t>(n->asInt());
        deps_.state.store(served);
        followedUntil_[followKey] = finishedAt;
        logLine(LogLevel::Info, "followed the crawl of " + anchorId + " by " + crawler + " on the leading replica: " +
                                    std::to_string(served->valid) + " of " + std::to_string(ids.size()) +
                                    " chains in the shared cache");
    }
}

} // namespace oidfed::server
