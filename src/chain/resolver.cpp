// The resolver only orchestrates (ANCHORS 2.8): cache lookup -> collect ->
// validate every candidate -> select -> store. No I/O of its own.

#include <oidfed/resolver.h>

#include <algorithm>

#include <oidfed/cache_key.h>

#include "chain/chain_graph.h"
#include "chain/collector.h"
#include "chain/resolution_budget.h"
#include "chain/resolver_impl.h"

namespace oidfed {

namespace detail {

Result<std::vector<const TrustAnchor *>> ResolverImpl::selectAnchors(const ResolveRequest &request) const
{
    std::vector<const TrustAnchor *> selected;
    if (request.trustAnchors.empty()) {
        for (const TrustAnchor &anchor : anchors_)
            selected.push_back(&anchor);
        return selected;
    }
    for (const std::string &wanted : request.trustAnchors) {
        auto it = std::find_if(anchors_.begin(), anchors_.end(),
                               [&](const TrustAnchor &a) { return a.entityId.str() == wanted; });
        if (it == anchors_.end())
            return fail(Error(ErrorCode::NoTrustAnchor, "trust anchor " + wanted + " is not configured (no pinned keys)")
                            .withClaim("trust_anchor")
                            .withEntity(wanted));
        if (std::find(selected.begin(), selected.end(), &*it) == selected.end())
            selected.push_back(&*it);
    }
    return selected;
}

// (subject, anchors in order with their pinned key fingerprints, entity
// types as a set): nothing validated under other keys is ever reused (J02).
std::string ResolverImpl::cacheKeyFor(const ResolveRequest &request,
                                      const std::vector<const TrustAnchor *> &anchors) const
{
    std::string anchorPart;
    for (const TrustAnchor *anchor : anchors)
        anchorPart += cacheKey(CacheNamespace::Resolution, {anchor->entityId.str(), anchor->keysFingerprint()});
    return cacheKey(CacheNamespace::Resolution,
                    {request.subject, cacheKeyDigest(anchorPart), cacheKeySetPart(request.entityTypes)});
}

ResolveOutcome ResolverImpl::resolve(const ResolveRequest &request)
{
    ResolveOutcome outcome;
    auto subject = EntityId::parse(request.subject, options_.statements.entityIds);
    if (!subject) {
        outcome.chain = Unexpected{Error(ErrorCode::InvalidArgument, subject.error().message).withClaim("sub")};
        return outcome;
    }
    auto anchors = selectAnchors(request);
    if (!anchors) {
        outcome.chain = Unexpected{std::move(anchors).error()};
        return outcome;
    }
    const bool useCache = !request.at && !request.explain;
    const UnixTime now = request.at.value_or(deps_.clock.now());
    const std::string key = cacheKeyFor(request, *anchors);

    if (useCache) {
        if (auto hit = chains_.get(key, now)) {
            bool refreshDue =
                !request.cacheOnly && hit->chain && hit->expiresAt - now <= options_.refreshAhead.count();
            if (!refreshDue) {
                outcome.report.source = hit->chain ? "cache" : "negative-cache";
                if (hit->chain)
                    outcome.chain = hit->chain;
                else
                    outcome.chain = Unexpected{*hit->failure};
                return outcome;
            }
            // Close to expiry: resolve again, and keep serving the cached
            // chain if that fails.
            ResolveOutcome fresh = resolveFresh(*subject, *anchors, request, now);
            if (fresh.chain)
                return fresh;
            outcome.report.source = "cache";
            outcome.chain = hit->chain;
            return outcome;
        }
        if (auto shared = sharedChain(key, *anchors, request, now)) {
            chains_.putChain(key, shared, cacheUntil(*shared, now), now);
            outcome.report.source = "shared-cache";
            outcome.chain = std::move(shared);
            return outcome;
        }
    }
    if (request.cacheOnly) {
        outcome.report.source = "miss";
        outcome.chain = Unexpected{Error(ErrorCode::NotFound, "no cached resolution for " + subject->str() +
                                                                  " and resolution on demand is off")
                                       .withClaim("sub")};
        return outcome;
    }
    outcome = resolveFresh(*subject, *anchors, request, now);
    if (!request.at && trustMarkIssuerDepth == 0) {
        if (outcome.chain) {
            const auto &chain = *outcome.chain;
            UnixTime until = cacheUntil(*chain, now);
            chains_.putChain(key, chain, until, now);
            shareChain(key, *chain, until, now);
        } else if (options_.negativeTtl.count() > 0) {
            chains_.putFailure(key, outcome.chain.error(), now + options_.negativeTtl.count(), now);
        }
    }
    return outcome;
}

ResolveOutcome ResolverImpl::resolveFresh(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                          const ResolveRequest &request, UnixTime now)
{
    ResolveOutcome outcome;
    outcome.report.source = "network";
    detail::ResolutionBudget budget(options_.maxFetchesPerResolution, options_.resolveDeadline);
    detail::Collector collector(store_, options_, memo_, now);
    auto collected = collector.collect(subject, anchors, budget);
    outcome.report.fetches = budget.fetchesUsed();
    if (!collected) {
        outcome.chain = Unexpected{std::move(collected).error()};
        return outcome;
    }
    for (const auto &problem : collected->problems)
        outcome.report.problems.push_back(problem.error);
    if (!collected->budget)
        outcome.report.problems.push_back(collected->budget.error());

    detail::ChainGraph graph;
    for (const auto &[link, statement] : collected->subordinates)
        graph.addEdge(link.second, link.first);
    if (request.explain)
        outcome.report.topologyDot = graph.toDot();

    struct Valid {
        std::size_t anchorRank;
        std::shared_ptr<const TrustChain> chain;
    };
    std::optional<Valid> best;
    std::optional<Error> firstFailure;
    std::size_t tried = 0;
    for (std::size_t rank = 0; rank < anchors.size(); ++rank) {
        const TrustAnchor &anchor = *anchors[rank];
        std::vector<std::vector<std::string>> paths;
        if (subject == anchor.entityId)
            paths.push_back({subject.str()});
        else
            paths = graph.paths(subject.str(), anchor.entityId.str(), options_.maxChainDepth,
                                options_.maxCandidatePaths - std::min(tried, options_.maxCandidatePaths));
        for (const auto &path : paths) {
            ++tried;
            // [subject EC, SS about each entity by the next, anchor EC when known]
            std::vector<const EntityStatement *> statements{collected->configurations.at(path[0]).get()};
            for (std::size_t i = 0; i + 1 < path.size(); ++i)
                statements.push_back(collected->subordinates.at({path[i + 1], path[i]}).get());
            if (path.size() > 1)
                if (auto ec = collected->configurations.find(anchor.entityId.str()); ec != collected->configurations.end())
                    statements.push_back(ec->second.get());
            auto chain = validateStatements(statements, anchor, request, now);

            CandidateVerdict verdict{anchor.entityId.str(), path, chain.has_value(), 0, std::nullopt};
            if (chain) {
                verdict.expiresAt = chain->expiresAt();
                auto shared = std::make_shared<const TrustChain>(std::move(chain).value());
                // Preference: anchor order, then fewer hops, then later expiry.
                bool better = !best || rank < best->anchorRank ||
                              (rank == best->anchorRank &&
                               (shared->path().size() < best->chain->path().size() ||
                                (shared->path().size() == best->chain->path().size() &&
                                 shared->expiresAt() > best->chain->expiresAt())));
                if (better)
                    best = Valid{rank, std::move(shared)};
            } else {
                verdict.error = chain.error();
                if (!firstFailure)
                    firstFailure = chain.error();
            }
            outcome.report.candidates.push_back(std::move(verdict));
        }
        if (best && !request.explain)
            break;  // a valid chain under a more preferred anchor wins outright
    }

    if (best) {
        outcome.chain = best->chain;
    } else if (firstFailure) {
        Error error = *firstFailure;
        error.message = "no valid trust chain: " + error.message;
        outcome.chain = Unexpected{std::move(error)};
    } else if (!collected->budget) {
        outcome.chain = Unexpected{collected->budget.error()};
    } else {
        std::string names;
        for (const TrustAnchor *anchor : anchors)
            names += (names.empty() ? "" : ", ") + anchor->entityId.str();
        outcome.chain = Unexpected{Error(ErrorCode::NoTrustAnchor, "no path from " + subject.str() +
                                                                       " reaches a requested trust anchor (" + names + ")")
                                       .withRule("10.1 collection")
                                       .withEntity(subject.str())};
    }
    return outcome;
}

} // namespace detail

Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions &options, std::vector<TrustAnchor> anchors,
                                                   Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateResolverOptions(options));
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "a resolver needs at least one trust anchor");
    return std::unique_ptr<Resolver>(new detail::ResolverImpl(options, std::move(anchors), dependencies));
}

} // namespace oidfed
