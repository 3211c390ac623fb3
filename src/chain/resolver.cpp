// The resolver only orchestrates (ANCHORS 2.8): cache lookup -> collect ->
// validate every candidate -> select -> store. No I/O of its own.

#include <oidfed/resolver.h>

#include <algorithm>
#include <optional>

#include <oidfed/cache_key.h>
#include <oidfed/trust_mark.h>

#include "chain/chain_cache.h"
#include "chain/chain_graph.h"
#include "chain/collector.h"
#include "chain/resolution_budget.h"
#include "chain/statement_store.h"
#include "chain/validator.h"
#include "chain/verification_memo.h"

namespace oidfed {

namespace {

using detail::StatementPtr;

// Depth of trust-mark-issuer resolutions on this thread. An issuer's chain is
// resolved to learn its keys (7.3); inside that, issuers of the issuer's own
// marks are not followed (no recursion), and such partial results are not
// cached.
thread_local int trustMarkIssuerDepth = 0;

class ResolverImpl final : public Resolver {
public:
    ResolverImpl(const ResolverOptions &options, std::vector<TrustAnchor> anchors, Dependencies deps)
        : options_(options), anchors_(std::move(anchors)), deps_(deps),
          standardRegistry_(OperatorRegistry::standard()),
          registry_(deps.registry ? *deps.registry : standardRegistry_),
          store_(deps.fetcher, deps.cache, deps.clock,
                 detail::StatementStoreOptions{options.statementCacheMaxEntries, options.maxCacheTtl,
                                               options.clockSkew, statementOptions(options, registry_)}),
          chains_(options.cacheMaxEntries), memo_(2 * options.statementCacheMaxEntries)
    {
        validation_.clockSkew = options.clockSkew;
        validation_.statements = statementOptions(options, registry_);
        validation_.registry = &registry_;
    }

    ResolveOutcome resolve(const ResolveRequest &request) override;
    const std::vector<TrustAnchor> &trustAnchors() const override { return anchors_; }

private:
    // Statements must understand the policy operators the registry knows.
    static StatementOptions statementOptions(const ResolverOptions &options, const OperatorRegistry &registry)
    {
        StatementOptions out = options.statements;
        for (const auto &op : registry.inApplicationOrder())
            if (!isStandardOperator(op->name()))
                out.understoodPolicyOperators.emplace_back(op->name());
        return out;
    }

    Result<std::vector<const TrustAnchor *>> selectAnchors(const ResolveRequest &request) const;
    std::string cacheKeyFor(const ResolveRequest &request, const std::vector<const TrustAnchor *> &anchors) const;
    ResolveOutcome resolveFresh(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                const ResolveRequest &request, UnixTime now);
    Result<JwkSet> trustMarkIssuerKeys(const EntityId &issuer, const TrustAnchor &anchor,
                                       std::optional<UnixTime> at);
    std::shared_ptr<const TrustChain> sharedChain(const std::string &key, const std::vector<const TrustAnchor *> &anchors,
                                                  const ResolveRequest &request, UnixTime now);
    void shareChain(const std::string &key, const TrustChain &chain, UnixTime until, UnixTime now);
    Result<TrustChain> validateStatements(const std::vector<const EntityStatement *> &statements,
                                          const TrustAnchor &anchor, const ResolveRequest &request, UnixTime now);

    const ResolverOptions options_;
    const std::vector<TrustAnchor> anchors_;
    const Dependencies deps_;
    const OperatorRegistry standardRegistry_;
    const OperatorRegistry &registry_;
    ChainValidationOptions validation_;
    detail::StatementStore store_;
    detail::ChainCache chains_;
    detail::VerificationMemo memo_;
};

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
            bool refreshDue = hit->chain && hit->expiresAt - now <= options_.refreshAhead.count();
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
            chains_.putChain(key, shared, std::min<UnixTime>(shared->expiresAt(), now + options_.maxCacheTtl.count()), now);
            outcome.report.source = "shared-cache";
            outcome.chain = std::move(shared);
            return outcome;
        }
    }
    outcome = resolveFresh(*subject, *anchors, request, now);
    if (!request.at && trustMarkIssuerDepth == 0) {
        if (outcome.chain) {
            const auto &chain = *outcome.chain;
            UnixTime until = std::min<UnixTime>(chain->expiresAt(), now + options_.maxCacheTtl.count());
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
    detail::Collector collector(store_, options_);
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

// The validator, with the request's entity types and trust mark issuers
// resolved through this resolver.
Result<TrustChain> ResolverImpl::validateStatements(const std::vector<const EntityStatement *> &statements,
                                                   const TrustAnchor &anchor, const ResolveRequest &request,
                                                   UnixTime now)
{
    ChainValidationOptions validation = validation_;
    validation.entityTypes = request.entityTypes;
    TrustMarkIssuerKeys issuerKeys = [this, &anchor, &request](const EntityId &issuer) {
        return trustMarkIssuerKeys(issuer, anchor, request.at);
    };
    detail::ValidationContext context{anchor, now, validation, registry_,
                                      trustMarkIssuerDepth == 0 ? &issuerKeys : nullptr, &memo_};
    return detail::validateChain(statements, context);
}

// A chain another replica resolved, from the shared cache. Redis is not a
// trust boundary (threats J01, J06): the statements are parsed and the whole
// chain validated again, here and now; anything that fails is a miss, and
// the entry is dropped.
std::shared_ptr<const TrustChain> ResolverImpl::sharedChain(const std::string &key,
                                                            const std::vector<const TrustAnchor *> &anchors,
                                                            const ResolveRequest &request, UnixTime now)
{
    if (!deps_.cache)
        return nullptr;
    auto entry = deps_.cache->get(key, now);
    if (!entry || entry->negative)
        return nullptr;
    auto drop = [&] {
        deps_.cache->erase(key);
        return nullptr;
    };
    auto json = parseJson(entry->value);
    const std::string *anchorId = json ? json->findString("trust_anchor") : nullptr;
    const Json *jwts = json ? json->find("trust_chain") : nullptr;
    if (!anchorId || !jwts || !jwts->isArray() || jwts->size() == 0)
        return drop();
    auto anchor = std::find_if(anchors.begin(), anchors.end(),
                               [&](const TrustAnchor *a) { return a->entityId.str() == *anchorId; });
    if (anchor == anchors.end())
        return drop();
    std::vector<EntityStatement> parsed;
    for (const Json &jwt : jwts->asArray()) {
        auto statement = jwt.isString() ? EntityStatement::parse(jwt.asString(), validation_.statements)
                                        : Result<EntityStatement>(Unexpected{Error(ErrorCode::Malformed, "not a JWT")});
        if (!statement)
            return drop();
        parsed.push_back(std::move(statement).value());
    }
    std::vector<const EntityStatement *> pointers;
    for (const EntityStatement &statement : parsed)
        pointers.push_back(&statement);
    auto chain = validateStatements(pointers, **anchor, request, now);
    if (!chain || chain->subject().str() != request.subject)
        return drop();
    return std::make_shared<const TrustChain>(std::move(chain).value());
}

void ResolverImpl::shareChain(const std::string &key, const TrustChain &chain, UnixTime until, UnixTime now)
{
    if (!deps_.cache)
        return;
    Json value = Json::object();
    value.set("trust_anchor", chain.trustAnchor().str());
    Json jwts = Json::array();
    for (const std::string &jwt : chain.statements())
        jwts.push(jwt);
    value.set("trust_chain", std::move(jwts));
    deps_.cache->put(key, CacheEntry{value.dump(), until, false, CacheOrigin::Local}, now);
}

// The Federation Entity Keys of a trust mark issuer, trusted because the
// issuer itself has a valid chain to the same anchor (7.3).
Result<JwkSet> ResolverImpl::trustMarkIssuerKeys(const EntityId &issuer, const TrustAnchor &anchor,
                                                 std::optional<UnixTime> at)
{
    ++trustMarkIssuerDepth;
    struct Restore {
        ~Restore() { --trustMarkIssuerDepth; }
    } restore;
    ResolveRequest request;
    request.subject = issuer.str();
    request.trustAnchors = {anchor.entityId.str()};
    request.at = at;
    ResolveOutcome outcome = resolve(request);
    if (!outcome.chain)
        return fail(Error(ErrorCode::NoTrustAnchor, "trust mark issuer " + issuer.str() + " has no valid chain to " +
                                                        anchor.entityId.str() + ": " + outcome.chain.error().message)
                        .withRule("7.3 trust mark issuer")
                        .withEntity(issuer.str()));
    OIDFED_TRY(EntityStatement configuration,
               EntityStatement::parse((*outcome.chain)->statements().front(), validation_.statements));
    return configuration.jwks();
}

} // namespace

Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions &options, std::vector<TrustAnchor> anchors,
                                                   Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateResolverOptions(options));
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "a resolver needs at least one trust anchor");
    return std::unique_ptr<Resolver>(new ResolverImpl(options, std::move(anchors), dependencies));
}

} // namespace oidfed
