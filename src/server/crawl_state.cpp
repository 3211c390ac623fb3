#include "server/crawl_state.h"

namespace oidfed::server {

Json crawlHealthJson(const crawl::CrawlReport &report)
{
    Json full = crawl::crawlReportToJson(report);
    Json health = Json::object();
    for (auto &[name, value] : full.asObject())
        if (name != "entities")
            health.set(name, std::move(value));
    return health;
}

std::shared_ptr<const ServedCrawl> servedCrawl(const std::string &crawler, const crawl::CrawlReport &report)
{
    auto served = std::make_shared<ServedCrawl>();
    served->crawler = crawler;
    served->trustAnchor = report.trustAnchor;
    served->startedAt = report.startedAt;
    served->finishedAt = report.finishedAt;
    served->collection = crawl::EntityCollection::fromReport(report);
    served->health = crawlHealthJson(report);
    served->health.set("leader", true);
    served->findingCounts = crawl::countFindings(report);
    served->entities = report.entities.size();
    served->valid = served->collection.size();
    return served;
}

void CrawlState::store(std::shared_ptr<const ServedCrawl> crawl)
{
    std::lock_guard lock(mutex_);
    crawls_[{crawl->crawler, crawl->trustAnchor}] = std::move(crawl);
}

std::shared_ptr<const ServedCrawl> CrawlState::latest(std::string_view crawler, std::string_view trustAnchor) const
{
    std::lock_guard lock(mutex_);
    auto it = crawls_.find(std::pair<std::string, std::string>(crawler, trustAnchor));
    return it == crawls_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const ServedCrawl>> CrawlState::latestOf(std::string_view crawler) const
{
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<const ServedCrawl>> out;
    for (const auto &[key, crawl] : crawls_)
        if (key.first == crawler)
            out.push_back(crawl);
    return out;
}

std::vector<std::shared_ptr<const ServedCrawl>> CrawlState::all() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<const ServedCrawl>> out;
    for (const auto &[key, crawl] : crawls_)
        out.push_back(crawl);
    return out;
}

void CrawlState::setLeader(const std::string &crawler, bool leader)
{
    std::lock_guard lock(mutex_);
    leader_[crawler] = leader;
}

std::vector<GaugeFamily> CrawlState::gauges() const
{
    std::lock_guard lock(mutex_);
    GaugeFamily findings{.name = "oidfed_crawl_findings",
                         .help = "Health findings of the latest crawl, by crawling entity, trust anchor and kind "
                                 "(docs/crawler.md)."};
    GaugeFamily entities{.name = "oidfed_crawl_entities",
                         .help = "Entities found by the latest crawl, by crawling entity, trust anchor and verdict."};
    GaugeFamily finished{.name = "oidfed_crawl_last_finished_timestamp_seconds",
                         .help = "When the latest crawl (or, on a follower, the leader's crawl it follows) finished."};
    GaugeFamily duration{.name = "oidfed_crawl_duration_seconds", .help = "How long the latest crawl took."};
    GaugeFamily leader{.name = "oidfed_crawl_leader",
                       .help = "1 when this replica crawled in its last cycle, 0 when it followed another one."};
    for (const auto &[key, crawl] : crawls_) {
        const auto &[entity, anchor] = key;
        for (std::size_t k = 0; k < crawl->findingCounts.size(); ++k)
            findings.series.push_back(
                {{{"entity", entity},
                  {"trust_anchor", anchor},
                  {"kind", std::string(crawl::findingKindName(crawl::findingKindAt(k)))}},
                 static_cast<double>(crawl->findingCounts[k])});
        entities.series.push_back(
            {{{"entity", entity}, {"trust_anchor", anchor}, {"verdict", "valid"}}, static_cast<double>(crawl->valid)});
        entities.series.push_back({{{"entity", entity}, {"trust_anchor", anchor}, {"verdict", "invalid"}},
                                   static_cast<double>(crawl->entities - crawl->valid)});
        finished.series.push_back(
            {{{"entity", entity}, {"trust_anchor", anchor}}, static_cast<double>(crawl->finishedAt)});
        duration.series.push_back({{{"entity", entity}, {"trust_anchor", anchor}},
                                   static_cast<double>(crawl->finishedAt - crawl->startedAt)});
    }
    for (const auto &[entity, leads] : leader_)
        leader.series.push_back({{{"entity", entity}}, leads ? 1.0 : 0.0});
    return {findings, entities, finished, duration, leader};
}

} // namespace oidfed::server
