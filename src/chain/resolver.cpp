// The resolver only orchestrates (ANCHORS 2.8): cache lookup -> collect ->
// validate every candidate -> select -> store. No I/O of its own.

#include <oidfed/resolver.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>

#include <oidfed/cache_key.h>

#include "chain/chain_graph.h"
#include "chain/collector.h"
#include "chain/key_mismatch.h"
#include "chain/resolution_budget.h"
#include "chain/resolver_impl.h"

namespace oidfed {

namespace detail {

namespace {

// A failure a key rollover can cause: the key the statement is signed with
// is not (or no longer) the one its verifier holds.
bool isKeyFailure(ErrorCode code)
{
    return code == ErrorCode::KeyNotFound || code == ErrorCode::BadSignature;
}

std::set<std::string> thumbprints(const JwkSet &keys)
{
    std::set<std::string> out;
    for (const Jwk &key : keys.keys())
        out.insert(key.thumbprint());
    return out;
}

// "kid K (thumbprint T)" for each key of `keys` whose thumbprint is not in
// `other`, joined with ", ".
std::string keysNotIn(const JwkSet &keys, const std::set<std::string> &other)
{
    std::string out;
    for (const Jwk &key : keys.keys())
        if (!other.count(key.thumbprint()))
            out += (out.empty() ? "" : ", ") + std::string("kid ") + key.kid() + " (thumbprint " + key.thumbprint() + ")";
    return out;
}

// Threat G03: the anchor's Entity Configuration publishes keys other than
// the pinned ones. A cached EC (memory or shared cache) is refetched once,
// rate-limited, when `mayRefetch`; if the keys still differ, an alarm goes
// into `alarms` (a failed refetch into `problems`). The pinned keys stay in
// use either way: the validator still requires the EC to verify with one of
// them. Public kids and thumbprints only are reported, nothing secret.
void checkAnchorKeys(StatementStore &store, VerificationMemo &memo, Collection &collection,
                     const std::vector<const TrustAnchor *> &anchors, ResolutionBudget &budget, bool mayRefetch,
                     UnixTime now, std::vector<Error> &problems, std::vector<ResolveAlarm> &alarms)
{
    for (const TrustAnchor *anchor : anchors) {
        const std::string id = anchor->entityId.str();
        auto ec = collection.configurations.find(id);
        if (ec == collection.configurations.end())
            continue;
        const std::set<std::string> pinned = thumbprints(anchor->jwks);
        if (thumbprints(ec->second->jwks()) == pinned)
            continue;
        auto origin = collection.origins.find(ec->second.get());
        if (mayRefetch && origin != collection.origins.end() && origin->second.source != StatementSource::Network &&
            !budget.expired() && store.forceRefetch(origin->second.url) && budget.takeFetches(1) == 1) {
            const std::string url = origin->second.url;
            std::vector<StatementSource> sources;
            auto fresh = store.getAll({StatementRequest{url, id, id}}, budget.timeLeft(), &sources);
            if (fresh[0] && memo.verify(**fresh[0], (*fresh[0])->jwks(), now)) {
                collection.origins.erase(origin);
                collection.origins[fresh[0]->get()] = StatementOrigin{url, sources[0]};
                ec->second = std::move(fresh[0]).value();
            } else if (!fresh[0]) {
                problems.push_back(std::move(fresh[0]).error());
            }
            if (thumbprints(ec->second->jwks()) == pinned)
                continue;
        }
        const std::set<std::string> published = thumbprints(ec->second->jwks());
        const std::string added = keysNotIn(ec->second->jwks(), pinned);
        const std::string dropped = keysNotIn(anchor->jwks, published);
        std::string message = chainStatementName(*ec->second, &anchor->entityId) + " publishes keys that differ from " +
                              pinName(*anchor) + ":";
        if (!added.empty())
            message += " not pinned: " + added + ";";
        if (!dropped.empty())
            message += " pinned but no longer published: " + dropped + ";";
        message += " the pinned keys stay in use. Likely cause: the trust anchor is adding or rotating a key: confirm "
                   "the keys with the anchor's operator out of band, then refresh the pin (an oidfed trust anchor's "
                   "operator prints it with `oidfed keys pin --dir KEYS_DIR --entity-id " +
                   id + "`)";
        alarms.push_back(ResolveAlarm{ResolveAlarm::Kind::AnchorKeyMismatch,
                                      Error(ErrorCode::InvalidKey, std::move(message))
                                          .withRule("11.3 trust anchor keys (G03)")
                                          .withClaim("jwks")
                                          .withEntity(id)});
    }
}

bool sameProblem(const Error &a, const Error &b)
{
    return a.code == b.code && a.rule == b.rule && a.entityId == b.entityId;
}

bool sameAlarm(const ResolveAlarm &a, const ResolveAlarm &b)
{
    return a.kind == b.kind && a.detail.entityId == b.detail.entityId;
}

// `earlier` items that `later` does not have (by `same`), then `later`.
template <typename T, typename Same>
std::vector<T> mergeRounds(const std::vector<T> &earlier, std::vector<T> later, Same same)
{
    std::vector<T> out;
    for (const T &item : earlier)
        if (std::none_of(later.begin(), later.end(), [&](const T &l) { return same(item, l); }))
            out.push_back(item);
    out.insert(out.end(), std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
    return out;
}

} // namespace

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

ResolveOutcome ResolverImpl::resolveIn(const ResolveRequest &request, ResolveScope scope)
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
            // Close to expiry: resolve again (and keep the new chain), and
            // keep serving the cached chain if that fails.
            ResolveOutcome fresh = resolveFresh(*subject, *anchors, request, scope, now);
            if (fresh.chain) {
                if (scope == ResolveScope::Subject)
                    remember(key, *fresh.chain, now);
                return fresh;
            }
            outcome.report.source = "cache";
            outcome.chain = hit->chain;
            return outcome;
        }
        if (auto shared = sharedChain(key, *anchors, request, scope, now)) {
            // Validated one level deep in TrustMarkIssuer scope: not kept.
            if (scope == ResolveScope::Subject)
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
    outcome = resolveFresh(*subject, *anchors, request, scope, now);
    if (!request.at && scope == ResolveScope::Subject) {
        if (outcome.chain)
            remember(key, *outcome.chain, now);
        else if (options_.negativeTtl.count() > 0)
            chains_.putFailure(key, outcome.chain.error(), now + options_.negativeTtl.count(), now);
    }
    return outcome;
}

void ResolverImpl::remember(const std::string &key, const std::shared_ptr<const TrustChain> &chain, UnixTime now)
{
    UnixTime until = cacheUntil(*chain, now);
    chains_.putChain(key, chain, until, now);
    shareChain(key, *chain, until, now);
}

// Key rollover (threats G04, C05, U12): when no candidate validates and a
// path failed on a key (kid not found, bad signature), the statements of the
// failed paths that were not fetched in this resolution (memory, shared
// cache) may be stale copies from before the rollover. They are refetched
// once, bypassing both caches, each URL at most once per refetchInterval
// (StatementStore::forceRefetch), and collection and validation run once
// more with what is left of the budget. Never more than one retry; what is
// refetched is verified like anything else.
ResolveOutcome ResolverImpl::resolveFresh(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                          const ResolveRequest &request, ResolveScope scope, UnixTime now,
                                          const Presented *presented)
{
    detail::ResolutionBudget budget(options_.maxFetchesPerResolution, options_.resolveDeadline);
    RoundNotes notes;
    ResolveOutcome first = resolveRound(subject, anchors, request, scope, now, budget, notes, presented);
    if (first.chain || notes.suspects.empty())
        return first;

    std::size_t forced = 0;
    for (const std::string &url : notes.suspects)
        if (store_.forceRefetch(url))
            ++forced;
    const Error &failure = first.chain.error();
    if (forced == 0) {
        first.report.problems.push_back(
            Error(ErrorCode::LimitExceeded,
                  "after a key failure, no cached statement was refetched: each was refetched less than " +
                      std::to_string(store_.refetchInterval().count()) + " s ago (rate limit)")
                .withRule("G04 refetch rate limit")
                .withEntity(failure.entityId));
        return first;
    }
    notes.first = false;
    ResolveOutcome second = resolveRound(subject, anchors, request, scope, now, budget, notes, presented);
    // What the first round found and the retry did not meet again, then the
    // retry's own: one entry per (code, rule, entity), one alarm per (kind, entity).
    second.report.problems = mergeRounds(first.report.problems, std::move(second.report.problems), sameProblem);
    second.report.alarms = mergeRounds(first.report.alarms, std::move(second.report.alarms), sameAlarm);
    second.report.problems.push_back(Error(failure.code, "refetched " + std::to_string(forced) +
                                                             " cached statement(s) after a key failure (" +
                                                             failure.message + ") and validated again")
                                         .withRule("G04 key rollover")
                                         .withEntity(failure.entityId));
    return second;  // its candidates are those of the retry, the ones that count
}

ResolveOutcome ResolverImpl::resolveRound(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                          const ResolveRequest &request, ResolveScope scope, UnixTime now,
                                          detail::ResolutionBudget &budget, RoundNotes &notes,
                                          const Presented *presented)
{
    ResolveOutcome outcome;
    outcome.report.source = "network";
    detail::Collector collector(store_, options_, memo_, now, notes.first ? nullptr : &notes.failedUrls);
    auto collected = collector.collect(subject, anchors, budget, presented ? presented->configuration : nullptr);
    outcome.report.fetches = budget.fetchesUsed();
    if (!collected) {
        outcome.chain = Unexpected{std::move(collected).error()};
        return outcome;
    }
    for (const auto &problem : collected->problems) {
        Error error = problem.error;
        if (error.entityId.empty())
            error.entityId = problem.entityId;  // the report names the entity concerned
        outcome.report.problems.push_back(std::move(error));
    }
    if (!collected->budget)
        outcome.report.problems.push_back(collected->budget.error());
    if (notes.first)
        notes.failedUrls = collected->failedUrls;
    checkAnchorKeys(store_, memo_, *collected, anchors, budget, notes.first, now, outcome.report.problems,
                    outcome.report.alarms);
    outcome.report.fetches = budget.fetchesUsed();

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
            if (presented && !presented->immediateSuperior.empty() &&
                (path.size() < 2 || path[1] != presented->immediateSuperior))
                continue;  // not through the Immediate Superior asked for
            ++tried;
            // [subject EC, SS about each entity by the next, anchor EC when known]
            std::vector<const EntityStatement *> statements{collected->configurations.at(path[0]).get()};
            for (std::size_t i = 0; i + 1 < path.size(); ++i)
                statements.push_back(collected->subordinates.at({path[i + 1], path[i]}).get());
            if (path.size() > 1)
                if (auto ec = collected->configurations.find(anchor.entityId.str()); ec != collected->configurations.end())
                    statements.push_back(ec->second.get());
            auto chain = validateStatements(statements, anchor, request, scope, now);

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
                if (notes.first && isKeyFailure(chain.error().code))
                    for (const EntityStatement *statement : statements)
                        if (auto origin = collected->origins.find(statement);
                            origin != collected->origins.end() && origin->second.source != StatementSource::Network &&
                            std::find(notes.suspects.begin(), notes.suspects.end(), origin->second.url) ==
                                notes.suspects.end())
                            notes.suspects.push_back(origin->second.url);
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

std::string_view resolveAlarmKindName(ResolveAlarm::Kind kind) noexcept
{
    switch (kind) {
    case ResolveAlarm::Kind::AnchorKeyMismatch:
        return "anchor_key_mismatch";
    }
    return "anchor_key_mismatch";
}

Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions &options, std::vector<TrustAnchor> anchors,
                                                   Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateResolverOptions(options));
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "a resolver needs at least one trust anchor");
    return std::unique_ptr<Resolver>(new detail::ResolverImpl(options, std::move(anchors), dependencies));
}

} // namespace oidfed
