/// oidfed::Resolver — "may I trust entity X under trust anchor T, and with
/// what metadata?" (spec 10).
///
/// resolve() runs four steps, each in its own module: look the answer up in
/// the cache; collect the statements between the subject and the requested
/// trust anchors (the only I/O, through the Fetcher); validate every
/// candidate path (pure, src/chain/validator); store and return the chosen
/// chain. Only verified chains are returned or cached; a failure is cached
/// only as a failure, for ResolverOptions::negativeTtl, with its reason.
///
/// Thread safety: resolve() may be called from any number of threads at once;
/// they share fetched statements (each fetched and parsed once) and results.
/// The Fetcher, Clock, Cache and OperatorRegistry passed to create() must
/// outlive the Resolver.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/operator_registry.h>
#include <oidfed/resolver_options.h>
#include <oidfed/result.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

struct ResolveRequest {
    std::string subject{};                  ///< Entity Identifier of the entity to trust
    std::vector<std::string> trustAnchors{};  ///< preferred anchors, in order; empty: every configured one
    std::vector<std::string> entityTypes{};   ///< restrict the metadata to these types; empty: all
    std::optional<UnixTime> at{};             ///< validate as of this time (no cache); default: the Clock
    bool explain = false;                   ///< fill ResolveOutcome::report fully
    /// Answer from the caches only (spec 18.1: a resolve endpoint need not
    /// resolve on demand). A miss is NotFound with report.source "miss";
    /// nothing is fetched, and a chain close to expiry is not refreshed.
    bool cacheOnly = false;
};

/// The verdict on one candidate path, for --explain.
struct CandidateVerdict {
    std::string trustAnchor;
    std::vector<std::string> path;  ///< subject first
    bool valid = false;
    UnixTime expiresAt = 0;         ///< when valid
    std::optional<Error> error;     ///< why not, when invalid
};

/// How a resolution went. Always filled in part (source, counters); fully
/// when ResolveRequest::explain is set.
struct ResolveReport {
    std::string source;                       ///< "cache", "shared-cache", "network", "negative-cache" or "miss"
    /// Statements this resolution needed that were not in its process's
    /// memory: fetched over HTTP, read from the shared cache, or joined
    /// while another resolution fetched them. What maxFetchesPerResolution
    /// counts; not the HTTP requests alone.
    std::size_t fetches = 0;
    std::vector<CandidateVerdict> candidates; ///< every path tried, in the order tried
    /// Unreachable entities, ignored hints, budget; a refetch after a key
    /// failure (or its refusal by the rate limit, threat G04); an "ALARM"
    /// when a trust anchor's EC publishes keys other than the pinned ones (G03).
    std::vector<Error> problems;
    std::string topologyDot;                  ///< the discovered graph (Graphviz), with explain
};

struct ResolveOutcome {
    Result<std::shared_ptr<const TrustChain>> chain{Unexpected{Error(ErrorCode::Internal, "not resolved")}};
    ResolveReport report;
};

class Resolver {
public:
    /// What a Resolver borrows. Everything must outlive it.
    struct Dependencies {
        Fetcher &fetcher;
        const Clock &clock;
        Cache *cache = nullptr;                    ///< shared cache (e.g. Redis); nullptr: in-process only
        const OperatorRegistry *registry = nullptr; ///< nullptr: the standard operators
    };

    /// Errors: InvalidArgument for out-of-range options or no trust anchor.
    static Result<std::unique_ptr<Resolver>> create(const ResolverOptions &options, std::vector<TrustAnchor> anchors,
                                                    Dependencies dependencies);

    virtual ~Resolver() = default;
    Resolver(const Resolver &) = delete;
    Resolver &operator=(const Resolver &) = delete;

    /// Resolves a chain per the request. Errors in outcome.chain:
    /// InvalidArgument (bad subject, unknown requested anchor), the subject's
    /// own fetch error (Unavailable, Timeout, NotFound, ...), NoTrustAnchor
    /// (no path reaches a requested anchor), NoValidChain (paths exist but
    /// none validates; the error of the best candidate is given), Timeout /
    /// LimitExceeded when the budget ran out first.
    virtual ResolveOutcome resolve(const ResolveRequest &request) = 0;

    virtual const std::vector<TrustAnchor> &trustAnchors() const = 0;

protected:
    Resolver() = default;
};

} // namespace oidfed
