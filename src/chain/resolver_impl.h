// ResolverImpl: the Resolver behind Resolver::create(). resolver.cpp holds the
// orchestration (cache -> collect -> validate -> select -> store);
// resolver_support.cpp the pieces it calls: validation with trust mark
// issuers, the shared (replica) cache, and trust mark issuer keys.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/resolver.h>
#include <oidfed/trust_mark.h>

#include "chain/chain_cache.h"
#include "chain/resolution_budget.h"
#include "chain/statement_store.h"
#include "trust_mark/trust_mark_status_cache.h"
#include "chain/verification_memo.h"

namespace oidfed::detail {

/// Depth of trust-mark-issuer resolutions on this thread. An issuer's chain is
/// resolved to learn its keys (7.3); inside that, issuers of the issuer's own
/// marks are not followed (no recursion), and such partial results are not
/// cached.
extern thread_local int trustMarkIssuerDepth;

class ResolverImpl final : public Resolver {
public:
    ResolverImpl(const ResolverOptions &options, std::vector<TrustAnchor> anchors, Dependencies deps)
        : options_(options), anchors_(std::move(anchors)), deps_(deps),
          standardRegistry_(OperatorRegistry::standard()),
          registry_(deps.registry ? *deps.registry : standardRegistry_),
          store_(deps.fetcher, deps.cache, deps.clock,
                 detail::StatementStoreOptions{options.statementCacheMaxEntries, options.maxCacheTtl,
                                               options.clockSkew, statementOptions(options, registry_)}),
          chains_(options.cacheMaxEntries), memo_(2 * options.statementCacheMaxEntries),
          statuses_(options.trustMarks.statusCacheMaxEntries)
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
    /// What the first round of a fresh resolution leaves for the second.
    struct RoundNotes {
        bool first = true;
        /// URLs of statements on paths that failed with KeyNotFound or
        /// BadSignature and were not fetched in the first round (memory or
        /// shared cache): the ones a key rollover may have made stale (G04).
        std::vector<std::string> suspects;
        /// URLs that failed in the first round: not fetched again.
        std::map<std::string, Error> failedUrls;
    };
    /// One round of resolveFresh: collect, then validate every candidate.
    /// In the first round an anchor EC whose jwks differs from the pinned
    /// keys is also refetched once (G03).
    ResolveOutcome resolveRound(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                const ResolveRequest &request, UnixTime now, detail::ResolutionBudget &budget,
                                RoundNotes &notes);
    Result<std::shared_ptr<const TrustChain>> trustMarkIssuerChain(const EntityId &issuer, const TrustAnchor &anchor,
                                                                   std::optional<UnixTime> at, std::string_view rule);
    Result<JwkSet> trustMarkIssuerKeys(const EntityId &issuer, const TrustAnchor &anchor,
                                       std::optional<UnixTime> at);
    /// The status policy (TrustMarkVerificationOptions): ok for a type that
    /// is not status-checked, otherwise the issuer's (cached) answer must be
    /// "active".
    Result<void> trustMarkStatus(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now);
    Result<void> askTrustMarkStatus(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now);
    /// Whether the subject's EC carries a mark of a status-checked type: such
    /// a chain is cached for at most statusCacheTtl.
    bool carriesStatusCheckedMarks(const TrustChain &chain) const;
    /// min(chain exp, maxCacheTtl, and statusCacheTtl when it applies).
    UnixTime cacheUntil(const TrustChain &chain, UnixTime now) const;
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
    detail::TrustMarkStatusCache statuses_;
};

} // namespace oidfed::detail
