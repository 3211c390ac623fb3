// TrustMarkStatusChecker: the resolver's trust mark status policy
// (TrustMarkVerificationOptions, spec 8.3 and 8.4). For a mark of a
// status-checked type that passed 7.3, it asks the issuer's
// federation_trust_mark_status_endpoint (a form POST of the mark, through
// the Fetcher it holds) and keeps the mark only when the signed answer,
// verified with the issuer's keys, is "active". Answers, and failures to get
// one, are kept in its own TrustMarkStatusCache for statusCacheTtl (threat
// I10: one POST per mark and anchor per TTL, not one per resolution).
//
// Besides the collector's statement store, this is the only place where
// resolution does I/O. It resolves nothing itself: the issuer's chain under
// the same anchor (for its endpoint and keys) comes from the caller, the
// resolver, which resolves it one level deep (ResolveScope::TrustMarkIssuer).
//
// Thread-safe; the Fetcher must outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/resolver_options.h>
#include <oidfed/result.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_chain.h>

#include "trust_mark/trust_mark_status_cache.h"

namespace oidfed::detail {

class TrustMarkStatusChecker {
public:
    /// The chain of a trust mark issuer under the anchor the mark is judged
    /// under, or why it has none (the error is passed on).
    using IssuerChain = std::function<Result<std::shared_ptr<const TrustChain>>(const EntityId &issuer)>;

    /// `options` as validated by validateResolverOptions(); `clockSkew` is
    /// the leeway on the answer's iat; `statements` the parsing limits.
    TrustMarkStatusChecker(const TrustMarkVerificationOptions &options, Fetcher &fetcher, std::chrono::seconds clockSkew,
                           StatementOptions statements);

    /// Whether any type is status-checked.
    bool enabled() const noexcept { return !options_.statusCheckedTypes.empty(); }

    /// Whether the Entity Configuration at the front of `chain` carries a mark
    /// of a status-checked type (verified or not): such a chain is cached for
    /// at most statusCacheTtl, so that a revocation is seen within it.
    bool carriesCheckedMarks(const TrustChain &chain) const;

    /// How long an answer is reused.
    std::chrono::seconds cacheTtl() const noexcept { return options_.statusCacheTtl; }

    /// ok for a mark whose type is not status-checked. Otherwise the
    /// issuer's answer about `mark` (cached per mark and anchor with its
    /// pinned keys) must be "active". Errors, all with rule
    /// "8.4 trust mark status" or the verifier's "8.4.2" and the issuer as
    /// entity: NoTrustAnchor (the issuer has no chain, from `issuerChain`);
    /// NotFound (no usable federation_trust_mark_status_endpoint); the
    /// Fetcher's errors; the answer's verification errors
    /// (verifyTrustMarkStatusResponse); InvalidClaim with claim "status"
    /// when the answer is not "active".
    Result<void> check(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now,
                       const IssuerChain &issuerChain);

private:
    bool checks(std::string_view trustMarkType) const;
    Result<void> ask(const VerifiedTrustMark &mark, UnixTime now, const IssuerChain &issuerChain);

    const TrustMarkVerificationOptions options_;
    Fetcher &fetcher_;
    const std::chrono::seconds clockSkew_;
    const StatementOptions statements_;
    TrustMarkStatusCache cache_;
};

} // namespace oidfed::detail
