/// oidfed::Resolver — "may I trust entity X under trust anchor T, and with
/// what metadata?" (spec 10).
///
/// resolve() runs four steps, each in its own module: look the answer up in
/// the cache; collect the statements between the subject and the requested
/// trust anchors (I/O, GETs through the Fetcher); validate every candidate
/// path (pure, src/chain/validator), the subject's trust marks included;
/// store and return the chosen chain. The only other I/O is the trust mark
/// status policy (TrustMarkVerificationOptions): a POST to an issuer's
/// status endpoint, through the same Fetcher. Only verified chains are returned or cached; a failure is cached
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
#include <string_view>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
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

/// Resolving an entity from the Entity Configuration it presented (an RP's
/// Explicit Registration request, 12.2.2 steps 3-5; 10.1 step 2: an EC
/// "handed over"), with the chain it presented as a path hint.
struct PresentedResolveRequest {
    /// The subject's Entity Configuration as presented, already parsed
    /// (any StatementContext; a registration request's EC carries aud).
    /// It is never fetched from the well-known URL, never stored as the
    /// subject's Entity Configuration in any cache, and its metadata is the
    /// one resolved (the subject may tailor it per receiver and may publish
    /// no well-known EC at all). Its self-signature is checked again.
    /// REQUIRES: an Entity Configuration (iss == sub).
    EntityStatement configuration;
    /// The path hint: the presented chain after its first statement, i.e.
    /// the Subordinate Statements from the subject's Immediate Superior up,
    /// optionally ending with the anchor's Entity Configuration. Empty: no
    /// hint. A hint is used only when every statement verifies from the
    /// pinned anchor keys down with `configuration` as its first statement;
    /// otherwise the statements are collected from the configuration's
    /// authority_hints (10.1), and the report says why the hint was not used.
    std::vector<std::string> pathHint{};
    std::vector<std::string> trustAnchors{};  ///< as ResolveRequest::trustAnchors
    std::vector<std::string> entityTypes{};   ///< as ResolveRequest::entityTypes
    /// Only chains whose first Subordinate Statement this entity issued
    /// (an RP rebuilding its chain through the authority hint an OP named,
    /// 12.2.5). Empty: any.
    std::string immediateSuperior{};
    std::optional<UnixTime> at{};             ///< as ResolveRequest::at
    bool explain = false;                     ///< as ResolveRequest::explain
};

/// What became of a presented path hint (resolvePresented()).
enum class PathHintUse {
    None,     ///< no hint presented, or not a presented resolution
    Used,     ///< the hint verified; nothing was collected
    Stale,    ///< a statement of the hint expired (or is not yet valid): collected instead
    Invalid,  ///< the hint did not verify (or leads to no requested anchor): collected instead
};

/// "none", "used", "stale", "invalid". Never empty.
std::string_view pathHintUseName(PathHintUse use) noexcept;

/// The verdict on one candidate path, for --explain.
struct CandidateVerdict {
    std::string trustAnchor;
    std::vector<std::string> path;  ///< subject first
    bool valid = false;
    UnixTime expiresAt = 0;         ///< when valid
    std::optional<Error> error;     ///< why not, when invalid
};

/// Something an operator must act on, though the resolution went on (and
/// may have produced a valid chain). Typed, so that tools and /metrics show
/// and count alarms without reading messages.
struct ResolveAlarm {
    enum class Kind {
        /// Threat G03: a trust anchor's Entity Configuration publishes a
        /// jwks other than the pinned keys, still after one refetch. The
        /// pinned keys stay in use. detail: InvalidKey, rule
        /// "11.3 trust anchor keys (G03)", claim "jwks", the anchor as entity.
        AnchorKeyMismatch,
    };
    Kind kind = Kind::AnchorKeyMismatch;
    Error detail{};  ///< what was found, naming the statement and the keys (public thumbprints only)
};

/// A stable lowercase name for JSON output and metric labels, e.g.
/// "anchor_key_mismatch". Never empty.
std::string_view resolveAlarmKindName(ResolveAlarm::Kind kind) noexcept;

/// How a resolution went. Always filled in part (source, counters); fully
/// when ResolveRequest::explain is set.
struct ResolveReport {
    std::string source;                       ///< "cache", "shared-cache", "network", "negative-cache", "miss" or "presented-hint"
    /// Statements this resolution needed that were not in its process's
    /// memory: fetched over HTTP, read from the shared cache, or joined
    /// while another resolution fetched them. What maxFetchesPerResolution
    /// counts; not the HTTP requests alone.
    std::size_t fetches = 0;
    std::vector<CandidateVerdict> candidates; ///< every path tried, in the order tried
    /// Unreachable entities, ignored hints, budget, each naming its entity;
    /// a refetch after a key failure (rule "G04 key rollover") or its
    /// refusal by the rate limit (LimitExceeded, "G04 refetch rate limit").
    /// When a key failure made the resolution run twice, a problem of the
    /// first round is kept only if the second has none with the same
    /// (code, rule, entity).
    std::vector<Error> problems;
    /// What an operator must act on (not repeated in problems); filled
    /// whenever the resolution went to the network, with or without explain.
    /// One per (kind, entity) across both rounds.
    std::vector<ResolveAlarm> alarms;
    std::string topologyDot;                  ///< the discovered graph (Graphviz), with explain
    /// resolvePresented(): whether the presented path hint was used; when
    /// not, pathHintError says why (also listed in problems, rule "12.2.2
    /// step 5 path hint").
    PathHintUse pathHint = PathHintUse::None;
    std::optional<Error> pathHintError{};
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

    /// Resolves the subject of a presented Entity Configuration (see
    /// PresentedResolveRequest): the hint first, verified statement by
    /// statement from the pinned anchor keys down (report.source
    /// "presented-hint"); else collection from its authority_hints
    /// (report.source "network"), with the same budget, selection and
    /// validation as resolve(). The chain cache is neither read nor written
    /// for the subject (the result belongs to this presentation only);
    /// statements fetched for the superiors are cached as usual.
    /// Errors in outcome.chain: InvalidArgument (not an Entity
    /// Configuration, an unknown requested anchor), the self-signature's
    /// KeyNotFound / BadSignature, and those of resolve().
    virtual ResolveOutcome resolvePresented(const PresentedResolveRequest &request) = 0;

    virtual const std::vector<TrustAnchor> &trustAnchors() const = 0;

protected:
    Resolver() = default;
};

} // namespace oidfed
