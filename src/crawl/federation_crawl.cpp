#include "crawl/federation_crawl.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include <oidfed/error_json.h>

#include "chain/federation_list.h"

namespace oidfed::crawl {

namespace {

bool isUnreachable(const Error &error, const std::string &entityId)
{
    const bool fetchFailure = error.code == ErrorCode::Unavailable || error.code == ErrorCode::Timeout ||
                              error.code == ErrorCode::NotFound;
    return fetchFailure && (error.entityId.empty() || error.entityId == entityId);
}

bool isPolicyError(const Error &error)
{
    return error.code == ErrorCode::PolicyConflict || error.code == ErrorCode::PolicyViolation ||
           error.code == ErrorCode::ConstraintViolation || error.code == ErrorCode::InvalidMetadata;
}

std::string days(std::int64_t seconds)
{
    if (seconds < 0)
        return "already";
    if (seconds < 3600)
        return "in " + std::to_string(seconds / 60) + " min";
    if (seconds < 2 * 86400)
        return "in " + std::to_string(seconds / 3600) + " h";
    return "in " + std::to_string(seconds / 86400) + " days";
}

std::set<std::string> kidsOf(const JwkSet &keys)
{
    std::set<std::string> kids;
    for (const Jwk &key : keys.keys())
        kids.insert(key.kid());
    return kids;
}

std::string joined(const std::vector<std::string> &items)
{
    std::string out;
    for (const std::string &item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

/// Reads the health of one crawled entity into `findings`.
class Judge {
public:
    Judge(const CrawlReport &report, const CrawlOptions &options, UnixTime now) : report_(report), options_(options), now_(now)
    {
        for (std::size_t i = 0; i < report.entities.size(); ++i)
            index_.emplace(report.entities[i].entityId, i);
    }

    void judge(const CrawledEntity &entity, const std::optional<EntityStatement> &configuration,
               std::vector<Finding> &findings)
    {
        out_ = &findings;
        if (entity.error)
            judgeError(entity);
        if (entity.listError)
            add({.kind = FindingKind::Unreachable, .severity = Severity::Error, .entityId = entity.entityId,
                 .message = "its list endpoint failed: " + entity.listError->message, .error = entity.listError});
        if (entity.configurationExpiresAt > 0)
            expiring(FindingKind::ConfigurationExpiring, entity.entityId, {}, entity.configurationExpiresAt,
                     "its Entity Configuration expires");
        if (entity.chain)
            judgeChain(entity, *entity.chain);
        if (configuration)
            judgeTrustMarks(entity, *configuration);
        judgeHints(entity);
    }

private:
    void add(Finding finding) { out_->push_back(std::move(finding)); }

    void expiring(FindingKind kind, const std::string &entityId, const std::string &related, UnixTime exp,
                  const std::string &what)
    {
        const std::int64_t left = exp - now_;
        if (left >= options_.expiryWarningSeconds)
            return;
        add({.kind = kind, .severity = Severity::Warning, .entityId = entityId, .related = related,
             .message = what + " " + days(left), .expiresAt = exp});
    }

    void judgeError(const CrawledEntity &entity)
    {
        const Error &error = *entity.error;
        FindingKind kind = isUnreachable(error, entity.entityId) ? FindingKind::Unreachable
                           : isPolicyError(error)                ? FindingKind::PolicyError
                                                                 : FindingKind::ChainInvalid;
        // The resolver's messages say what failed ("no valid trust chain:
        // ..."); only a fetch failure needs saying that it is one.
        std::string message = kind == FindingKind::Unreachable ? "unreachable: " + error.message : error.message;
        if (!error.rule.empty())
            message += " (" + error.rule + ")";
        add({.kind = kind, .severity = Severity::Error, .entityId = entity.entityId,
             .related = error.entityId == entity.entityId ? std::string() : error.entityId,
             .message = std::move(message), .error = error});
    }

    void judgeChain(const CrawledEntity &entity, const TrustChain &chain)
    {
        const std::vector<std::string> &statements = chain.statements();
        // The Subordinate Statements between the subject's Entity
        // Configuration and the anchor's: each judged once per crawl.
        for (std::size_t i = 1; i + 1 < statements.size(); ++i) {
            auto statement = EntityStatement::parse(statements[i], options_.statements);
            if (!statement)
                continue;
            const std::string key = statement->issuer().str() + '\n' + statement->subject().str();
            if (!judgedStatements_.insert(key).second)
                continue;
            expiring(FindingKind::StatementExpiring, statement->subject().str(), statement->issuer().str(),
                     statement->expiresAt(), "the Subordinate Statement of " + statement->issuer().str() + " expires");
        }
        for (const VerifiedTrustMark &mark : chain.trustMarks())
            if (mark.expiresAt > 0)
                expiring(FindingKind::TrustMarkExpiring, entity.entityId, mark.issuer, mark.expiresAt,
                         "its trust mark " + mark.trustMarkType + " expires");
        if (statements.size() >= 3)
            judgeKeys(entity, chain);
    }

    /// The keys the superior's statement vouches for against the keys the
    /// entity's own Entity Configuration publishes (10.2 verifies only the
    /// one that signed; the others are a rollover waiting to break).
    void judgeKeys(const CrawledEntity &entity, const TrustChain &chain)
    {
        auto superior = EntityStatement::parse(chain.statements()[1], options_.statements);
        if (!superior)
            return;
        const std::set<std::string> vouched = kidsOf(superior->jwks());
        const std::set<std::string> published = kidsOf(chain.subjectKeys());
        std::vector<std::string> onlyVouched, onlyPublished;
        std::set_difference(vouched.begin(), vouched.end(), published.begin(), published.end(),
                            std::back_inserter(onlyVouched));
        std::set_difference(published.begin(), published.end(), vouched.begin(), vouched.end(),
                            std::back_inserter(onlyPublished));
        if (onlyVouched.empty() && onlyPublished.empty())
            return;
        std::string message = "the keys of its Entity Configuration and of " + superior->issuer().str() +
                               "'s statement about it differ:";
        if (!onlyPublished.empty())
            message += " published but not vouched for: " + joined(onlyPublished) + ";";
        if (!onlyVouched.empty())
            message += " vouched for but not published: " + joined(onlyVouched) + ";";
        message.pop_back();
        add({.kind = FindingKind::KeyMismatch, .severity = Severity::Warning, .entityId = entity.entityId,
             .related = superior->issuer().str(), .message = std::move(message)});
    }

    void judgeTrustMarks(const CrawledEntity &entity, const EntityStatement &configuration)
    {
        const Json *marks = configuration.claim("trust_marks");
        if (!marks || !marks->isArray())
            return;
        std::set<std::string> verified;
        if (entity.chain)
            for (const VerifiedTrustMark &mark : entity.chain->trustMarks())
                verified.insert(mark.trustMarkType);
        for (const Json &mark : marks->asArray()) {
            const std::string *type = mark.findString("trust_mark_type");
            if (!type || verified.contains(*type) || !entity.chain)
                continue;
            add({.kind = FindingKind::TrustMarkInvalid, .severity = Severity::Warning, .entityId = entity.entityId,
                 .message = "its trust mark " + *type + " does not verify under " + report_.trustAnchor});
        }
    }

    void judgeHints(const CrawledEntity &entity)
    {
        if (entity.depth == 0 || entity.entityTypes.empty())
            return;  // the anchor, or an entity whose configuration was not read
        for (const std::string &superior : entity.superiors)
            if (std::find(entity.authorityHints.begin(), entity.authorityHints.end(), superior) ==
                entity.authorityHints.end())
                add({.kind = FindingKind::ListedWithoutHint, .severity = Severity::Warning,
                     .entityId = entity.entityId, .related = superior,
                     .message = superior + " lists it, but its authority_hints do not name " + superior});
        for (const std::string &hint : entity.authorityHints) {
            auto it = index_.find(hint);
            if (it == index_.end() || !report_.entities[it->second].authority)
                continue;  // outside this crawl: nothing to compare with
            if (std::find(entity.superiors.begin(), entity.superiors.end(), hint) == entity.superiors.end())
                add({.kind = FindingKind::HintNotListed, .severity = Severity::Warning, .entityId = entity.entityId,
                     .related = hint, .message = "its authority_hints name " + hint + ", whose list leaves it out"});
        }
    }

    const CrawlReport &report_;
    const CrawlOptions &options_;
    UnixTime now_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::set<std::string> judgedStatements_;
    std::vector<Finding> *out_ = nullptr;
};

} // namespace

std::vector<ResolveOutcome> resolveEach(Resolver &resolver, const std::vector<std::string> &ids,
                                        const std::string &anchor, std::size_t concurrency, bool cacheOnly,
                                        const std::atomic<bool> *stop)
{
    std::vector<ResolveOutcome> outcomes(ids.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < ids.size(); i = next++) {
            if (stop && stop->load())
                outcomes[i].chain = fail(ErrorCode::Unavailable, "the crawl was stopped");
            else
                outcomes[i] = resolver.resolve(
                    ResolveRequest{.subject = ids[i], .trustAnchors = {anchor}, .cacheOnly = cacheOnly});
        }
    };
    const std::size_t threads = std::min(std::max<std::size_t>(concurrency, 1), ids.size());
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &thread : pool)
        thread.join();
    return outcomes;
}

CrawlReport crawlFederation(const TrustAnchor &anchor, Resolver &resolver, Fetcher &fetcher,
                            const CrawlOptions &options, UnixTime now, const PreviousLists *previous)
{
    CrawlReport report{.trustAnchor = anchor.entityId.str(), .startedAt = now};
    std::map<std::string, std::size_t, std::less<>> index{{report.trustAnchor, 0}};
    std::vector<std::optional<EntityStatement>> configurations;
    std::vector<std::string> level{report.trustAnchor};
    report.entities.push_back(CrawledEntity{.entityId = report.trustAnchor});
    std::vector<std::size_t> levelIndex{0};

    for (std::size_t depth = 0; !level.empty(); ++depth) {
        if (options.stop && options.stop->load()) {
            report.truncated = true;
            break;
        }
        std::vector<ResolveOutcome> outcomes =
            resolveEach(resolver, level, report.trustAnchor, options.concurrency, false, options.stop);
        report.resolutions += level.size();
        configurations.resize(report.entities.size());

        // The Entity Configurations of the entities without a chain, fetched
        // again (in parallel) so that the crawl goes on below them.
        std::vector<FetchRequest> refetch;
        std::vector<std::size_t> refetchOf;
        for (std::size_t i = 0; i < level.size(); ++i) {
            CrawledEntity &entity = report.entities[levelIndex[i]];
            if (outcomes[i].report.source == "network")
                ++report.networkResolutions;
            if (outcomes[i].chain) {
                entity.chain = *outcomes[i].chain;
                // Verified by the resolver: the chain's first statement.
                auto parsed = EntityStatement::parse(entity.chain->statements().front(), options.statements);
                if (parsed)
                    configurations[levelIndex[i]] = std::move(*parsed);
            } else {
                entity.error = outcomes[i].chain.error();
                refetch.push_back(detail::entityConfigurationRequest(level[i]));
                refetchOf.push_back(i);
            }
        }
        if (!refetch.empty()) {
            std::vector<Result<FetchResponse>> answers = fetcher.fetchAll(refetch);
            for (std::size_t j = 0; j < refetch.size(); ++j) {
                const std::size_t i = refetchOf[j];
                auto checked = detail::checkedConfiguration(answers[j], level[i], depth == 0 ? &anchor.jwks : nullptr,
                                                            options.statements, now);
                if (checked)
                    configurations[levelIndex[i]] = std::move(*checked);
            }
        }

        // What each Entity Configuration says; the list endpoints of the
        // authorities, fetched in parallel.
        std::vector<FetchRequest> lists;
        std::vector<std::size_t> listOf;
        for (std::size_t i = 0; i < level.size(); ++i) {
            CrawledEntity &entity = report.entities[levelIndex[i]];
            const std::optional<EntityStatement> &configuration = configurations[levelIndex[i]];
            if (!configuration)
                continue;
            entity.entityTypes = configuration->entityTypes();
            for (const EntityId &hint : configuration->authorityHints())
                entity.authorityHints.push_back(hint.str());
            entity.configurationExpiresAt = configuration->expiresAt();
            const std::string *list = detail::federationEndpoint(*configuration, "federation_list_endpoint");
            entity.authority = list != nullptr;
            if (!list)
                continue;
            if (depth == options.maxDepth) {
                report.truncated = true;
                continue;
            }
            lists.push_back({.url = *list, .expectedMediaType = "application/json"});
            listOf.push_back(i);
        }
        std::vector<Result<FetchResponse>> answers = fetcher.fetchAll(lists);
        report.listFetches += lists.size();

        std::vector<std::string> next;
        std::vector<std::size_t> nextIndex;
        for (std::size_t j = 0; j < lists.size(); ++j) {
            const std::size_t i = listOf[j];
            bool cut = false;
            auto ids = detail::listedEntityIds(answers[j], lists[j].url, options.maxListSize, cut);
            report.truncated = report.truncated || cut;
            if (!ids) {
                // The authority's chain may be fine: its list is what failed.
                Error error = Error(ids.error()).withEntity(level[i]);
                auto known = previous ? previous->find(level[i]) : PreviousLists::const_iterator();
                if (!previous || known == previous->end()) {
                    report.entities[levelIndex[i]].listError = std::move(error);
                    continue;
                }
                // Briefly down, maybe: go on below it as the previous crawl did.
                error.message += " (the previous crawl's list of " + std::to_string(known->second.size()) +
                                 " entities is used)";
                report.entities[levelIndex[i]].listError = std::move(error);
                ids = known->second;
            }
            report.lists[level[i]] = *ids;
            for (const std::string &subject : *ids) {
                auto [it, added] = index.try_emplace(subject, report.entities.size());
                if (!added) {
                    std::vector<std::string> &superiors = report.entities[it->second].superiors;
                    if (std::find(superiors.begin(), superiors.end(), level[i]) == superiors.end())
                        superiors.push_back(level[i]);
                    continue;
                }
                if (report.entities.size() == options.maxEntities) {
                    index.erase(it);
                    report.truncated = true;
                    continue;
                }
                report.entities.push_back(
                    CrawledEntity{.entityId = subject, .depth = depth + 1, .superiors = {level[i]}});
                next.push_back(subject);
                nextIndex.push_back(report.entities.size() - 1);
            }
        }
        level = std::move(next);
        levelIndex = std::move(nextIndex);
    }
    configurations.resize(report.entities.size());

    Judge judge(report, options, now);
    std::vector<Finding> findings;
    for (std::size_t i = 0; i < report.entities.size(); ++i)
        judge.judge(report.entities[i], configurations[i], findings);
    report.findings = std::move(findings);
    return report;
}

std::vector<std::size_t> countFindings(const CrawlReport &report)
{
    std::vector<std::size_t> counts(kFindingKindCount, 0);
    for (const Finding &finding : report.findings)
        ++counts[static_cast<std::size_t>(finding.kind)];
    return counts;
}

Json crawlReportToJson(const CrawlReport &report)
{
    Json entities = Json::array();
    std::size_t valid = 0;
    for (const CrawledEntity &entity : report.entities) {
        Json entry = Json::object();
        entry.set("entity_id", entity.entityId);
        entry.set("depth", static_cast<std::int64_t>(entity.depth));
        Json superiors = Json::array();
        for (const std::string &superior : entity.superiors)
            superiors.push(superior);
        entry.set("superiors", std::move(superiors));
        Json types = Json::array();
        for (const std::string &type : entity.entityTypes)
            types.push(type);
        entry.set("entity_types", std::move(types));
        entry.set("authority", entity.authority);
        const bool ok = entity.chain && !entity.error;
        valid += ok ? 1 : 0;
        entry.set("verdict", ok ? "valid" : "invalid");
        if (entity.chain)
            entry.set("chain_expires_at", entity.chain->expiresAt());
        if (entity.error)
            entry.set("error", errorToJson(*entity.error));
        if (entity.listError)
            entry.set("list_error", errorToJson(*entity.listError));
        entities.push(std::move(entry));
    }
    Json byKind = Json::object();
    std::vector<std::size_t> counts = countFindings(report);
    for (std::size_t k = 0; k < kFindingKindCount; ++k)
        byKind.set(findingKindName(findingKindAt(k)), static_cast<std::int64_t>(counts[k]));
    Json findings = Json::array();
    for (const Finding &finding : report.findings)
        findings.push(findingToJson(finding));
    Json countsJson = Json::object();
    countsJson.set("entities", static_cast<std::int64_t>(report.entities.size()));
    countsJson.set("valid", static_cast<std::int64_t>(valid));
    countsJson.set("invalid", static_cast<std::int64_t>(report.entities.size() - valid));
    countsJson.set("findings", std::move(byKind));

    Json out = Json::object();
    out.set("trust_anchor", report.trustAnchor);
    out.set("started_at", report.startedAt);
    out.set("finished_at", report.finishedAt);
    out.set("truncated", report.truncated);
    out.set("counts", std::move(countsJson));
    out.set("entities", std::move(entities));
    out.set("findings", std::move(findings));
    return out;
}

} // namespace oidfed::crawl
