#include "chain/collector.h"

#include <algorithm>
#include <set>

#include <oidfed/federation_urls.h>

#include "chain/key_mismatch.h"

namespace oidfed::detail {

namespace {

bool isAnchor(const std::vector<const TrustAnchor *> &anchors, const std::string &id)
{
    return std::any_of(anchors.begin(), anchors.end(), [&](const TrustAnchor *a) { return a->entityId.str() == id; });
}

// Fetches `requests` within the budget; requests beyond it get LimitExceeded.
// Where each statement obtained came from is recorded in `collection`, and
// so is every URL that failed. A URL in `knownFailures` fails again with its
// error, unfetched.
std::vector<Result<StatementPtr>> fetchWithinBudget(StatementStore &store, const std::vector<StatementRequest> &requests,
                                                    ResolutionBudget &budget, Collection &collection,
                                                    const std::map<std::string, Error> *knownFailures)
{
    std::vector<Result<StatementPtr>> results;
    if (budget.expired()) {
        for (std::size_t i = 0; i < requests.size(); ++i)
            results.emplace_back(Unexpected{budget.status().error()});
        return results;
    }
    // Statements already in memory cost nothing; the rest spend the budget.
    std::vector<StatementRequest> granted;
    std::vector<bool> refused(requests.size(), false);
    std::vector<const Error *> known(requests.size(), nullptr);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (knownFailures)
            if (auto it = knownFailures->find(requests[i].url); it != knownFailures->end()) {
                known[i] = &it->second;
                continue;
            }
        if (store.contains(requests[i].url) || budget.takeFetches(1) == 1)
            granted.push_back(requests[i]);
        else
            refused[i] = true;
    }
    std::vector<StatementSource> sources;
    std::vector<Result<StatementPtr>> fetched = store.getAll(granted, budget.timeLeft(), &sources);
    std::size_t next = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (known[i]) {
            results.emplace_back(Unexpected{*known[i]});
            continue;
        }
        if (refused[i]) {
            results.emplace_back(Unexpected{budget.status().error()});
            continue;
        }
        if (fetched[next])
            collection.origins[fetched[next]->get()] = StatementOrigin{requests[i].url, sources[next]};
        else
            collection.failedUrls.emplace(requests[i].url, fetched[next].error());
        results.push_back(std::move(fetched[next++]));
    }
    return results;
}

} // namespace

Result<void> Collector::checkSelfSignature(const EntityStatement &configuration)
{
    auto verified = memo_.verify(configuration, configuration.jwks(), now_);
    if (!verified)
        return fail(explainKeyMismatch(std::move(verified).error(), configuration, configuration.jwks(),
                                       {KeySource::Kind::Own}, nullptr)
                        .withRule("10.1 self-signature")
                        .withEntity(configuration.issuer().str()));
    return ok();
}

Result<Collection> Collector::collect(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                      ResolutionBudget &budget, StatementPtr presented)
{
    Collection collection;
    std::set<std::string> requestedUrls;  // never fetch a statement twice (10.1 step 5)

    auto ecRequest = [](const std::string &id) -> Result<StatementRequest> {
        OIDFED_TRY(std::string url, entityConfigurationUrl(id));
        return StatementRequest{std::move(url), id, id};
    };

    OIDFED_TRY(StatementRequest first, ecRequest(subject.str()));
    requestedUrls.insert(first.url);
    if (presented) {
        // 10.1 step 2: handed over, not fetched (and not kept in the store).
        OIDFED_TRY_VOID(checkSelfSignature(*presented));
        collection.configurations.emplace(subject.str(), std::move(presented));
    } else {
        auto subjectResult = fetchWithinBudget(store_, {first}, budget, collection, knownFailures_);
        if (!subjectResult[0])
            return fail(std::move(subjectResult[0]).error());
        OIDFED_TRY_VOID(checkSelfSignature(*subjectResult[0].value()));
        collection.configurations.emplace(subject.str(), std::move(subjectResult[0]).value());
    }

    std::vector<std::string> frontier{subject.str()};
    std::set<std::string> visited{subject.str()};
    for (std::size_t depth = 0; depth < options_.maxChainDepth && !frontier.empty(); ++depth) {
        // Which superiors does this level point at?
        std::vector<std::pair<std::string, std::string>> links;  // (superior, subordinate)
        std::vector<StatementRequest> ecRequests;
        for (const std::string &id : frontier) {
            if (isAnchor(anchors, id))
                continue;  // the requested anchors end every path; never climb above them
            const auto &hints = collection.configurations.at(id)->authorityHints();
            std::size_t followed = std::min(hints.size(), options_.maxAuthorityHintsPerEntity);
            if (followed < hints.size())
                collection.problems.push_back(
                    {id, Error(ErrorCode::LimitExceeded, "only the first " + std::to_string(followed) + " of " +
                                                             std::to_string(hints.size()) + " authority_hints are followed")
                             .withRule("maxAuthorityHintsPerEntity")
                             .withEntity(id)});
            for (std::size_t h = 0; h < followed; ++h) {
                const std::string &superior = hints[h].str();
                links.emplace_back(superior, id);
                if (collection.configurations.count(superior))
                    continue;
                auto request = ecRequest(superior);
                if (request && requestedUrls.insert(request->url).second)
                    ecRequests.push_back(std::move(request).value());
            }
        }
        if (links.empty())
            break;

        auto ecs = fetchWithinBudget(store_, ecRequests, budget, collection, knownFailures_);
        for (std::size_t i = 0; i < ecRequests.size(); ++i) {
            if (!ecs[i]) {
                collection.problems.push_back({ecRequests[i].issuer, std::move(ecs[i]).error()});
                continue;
            }
            if (auto verified = checkSelfSignature(*ecs[i].value()); !verified) {
                collection.problems.push_back({ecRequests[i].issuer, std::move(verified).error()});
                continue;
            }
            collection.configurations.emplace(ecRequests[i].issuer, std::move(ecs[i]).value());
        }

        // The superiors' statements about the entities below them.
        std::vector<StatementRequest> ssRequests;
        std::vector<std::pair<std::string, std::string>> ssLinks;
        for (const auto &[superior, subordinate] : links) {
            auto ec = collection.configurations.find(superior);
            if (ec == collection.configurations.end() || collection.subordinates.count({superior, subordinate}))
                continue;
            const Json *federation = nullptr;
            if (const Json *metadata = ec->second->claim("metadata"))
                federation = metadata->find("federation_entity");
            const std::string *endpoint = federation ? federation->findString("federation_fetch_endpoint") : nullptr;
            if (!endpoint) {
                collection.problems.push_back(
                    {superior, Error(ErrorCode::MissingClaim, superior + " publishes no federation_fetch_endpoint")
                                   .withRule("5.1.1 federation_fetch_endpoint")
                                   .withClaim("federation_fetch_endpoint")
                                   .withEntity(superior)});
                continue;
            }
            auto url = fetchEndpointUrl(*endpoint, subordinate);
            if (!url) {
                collection.problems.push_back({superior, std::move(url).error()});
                continue;
            }
            if (!requestedUrls.insert(*url).second)
                continue;
            ssRequests.push_back(StatementRequest{std::move(url).value(), superior, subordinate});
            ssLinks.emplace_back(superior, subordinate);
        }
        auto statements = fetchWithinBudget(store_, ssRequests, budget, collection, knownFailures_);
        std::vector<std::string> next;
        for (std::size_t i = 0; i < ssRequests.size(); ++i) {
            const auto &[superior, subordinate] = ssLinks[i];
            if (!statements[i]) {
                collection.problems.push_back({superior, std::move(statements[i]).error()});
                continue;
            }
            collection.subordinates.emplace(ssLinks[i], std::move(statements[i]).value());
            if (visited.insert(superior).second)
                next.push_back(superior);  // loops end here: a visited entity is not climbed twice
        }
        frontier = std::move(next);
    }
    collection.budget = budget.status();
    return collection;
}

} // namespace oidfed::detail
