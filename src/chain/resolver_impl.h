// ResolverImpl: the Resolver behind Resolver::create(). resolver.cpp holds the
// orchestration (cache -> collect -> validate -> select -> store);
// resolver_support.cpp the pieces it calls: validation with trust mark
// issuers, the shared (replica) cache, and trust mark issuer chains. Its I/O
// is the statement store's (through the collector) and the trust mark
// status checker's; nothing here reads or writes thread state.
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
#include "trust_mark/trust_mark_status_checker.h"
#include "chain/verification_memo.h"

namespace oidfed::detail {

/// Why a resolution runs; passed down explicitly to everything that depends
/// on it.
enum class ResolveScope {
    /// A caller's resolution (Resolver::resolve): the subject's trust marks
    /// are verified, their issuers resolved in TrustMarkIssuer scope, the
    /// status policy applied, and the result cached (unless request.at).
    Subject,
    /// The chain of a trust mark issuer, to learn its keys (7.3) or its
    /// status endpoint (8.4), one level deep: the issuer's own marks are
    /// verified only when the anchor issued them (no further issuer is
    /// resolved, no status asked), and what is resolved afresh is not cached,
    /// being partial. A cached chain (from a Subject resolution) is used.
    TrustMarkIssuer,
};

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
          statusChecker_(options.trustMarks, deps.fetcher, options.clockSkew, statementOptions(options, registry_))
    {
        validation_.clockSkew = options.clockSkew;
        validation_.statements = statementOptions(options, registry_);
        validation_.registry = &registry_;
        validation_.trustMarkTypValues = options.trustMarks.typValues;
    }

    ResolveOutcome resolve(const ResolveRequest &request) override { return resolveIn(request, ResolveScope::Subject); }
    ResolveOutcome resolvePresented(const PresentedResolveRequest &request) override;
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

    /// A resolvePresented() subject: its Entity Configuration as presented
    /// (never fetched) and the Immediate Superior its chains must go through
    /// (empty: any).
    struct Presented {
        StatementPtr configuration;
        std::string immediateSuperior;
    };

    ResolveOutcome resolveIn(const ResolveRequest &request, ResolveScope scope);
    /// The presented path hint, validated as [presented EC, hint...]; the
    /// anchor is the one the hint ends at, among `anchors`.
    Result<TrustChain> validatePathHint(const PresentedResolveRequest &request, const Presented &presented,
                                        const std::vector<const TrustAnchor *> &anchors, const ResolveRequest &base,
                                        UnixTime now);
    Result<std::vector<const TrustAnchor *>> selectAnchors(const ResolveRequest &request) const;
    std::string cacheKeyFor(const ResolveRequest &request, const std::vector<const TrustAnchor *> &anchors) const;
    ResolveOutcome resolveFresh(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                                const ResolveRequest &request, ResolveScope scope, UnixTime now,
                                const Presented *presented = nullptr);
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
                                const ResolveRequest &request, ResolveScope scope, UnixTime now,
                                detail::ResolutionBudget &budget, RoundNotes &notes, const Presented *presented);
    Result<std::shared_ptr<const TrustChain>> trustMarkIssuerChain(const EntityId &issuer, const TrustAnchor &anchor,
                                                                   std::optional<UnixTime> at, std::string_view rule);
    Result<JwkSet> trustMarkIssuerKeys(const EntityId &issuer, const TrustAnchor &anchor,
                                       std::optional<UnixTime> at);
    /// min(chain exp, maxCacheTtl, and statusCacheTtl when it applies).
    UnixTime cacheUntil(const TrustChain &chain, UnixTime now) const;
    std::shared_ptr<const TrustChain> sharedChain(const std::string &key, const std::vector<const TrustAnchor *> &anchors,
                                                  const ResolveRequest &request, ResolveScope scope, UnixTime now);
    void shareChain(const std::string &key, const TrustChain &chain, UnixTime until, UnixTime now);
    /// Keeps a chain resolved afresh in Subject scope: in process and, when
    /// configured, in the shared cache, until cacheUntil().
    void remember(const std::string &key, const std::shared_ptr<const TrustChain> &chain, UnixTime now);
    Result<TrustChain> validateStatements(const std::vector<const EntityStatement *> &statements,
                                          const TrustAnchor &anchor, const ResolveRequest &request, ResolveScope scope,
                                          UnixTime now);

    const ResolverOptions options_;
    const std::vector<TrustAnchor> anchors_;
    const Dependencies deps_;
    const OperatorRegistry standardRegistry_;
    const OperatorRegistry &registry_;
    ChainValidationOptions validation_;
    detail::StatementStore store_;
    detail::ChainCache chains_;
    detail::VerificationMemo memo_;
    detail::TrustMarkStatusChecker statusChecker_;
};

} // namespace oidfed::detail
