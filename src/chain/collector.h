// The collector (spec 10.1): the only stage of resolution that does I/O.
// Starting from the subject's Entity Configuration it follows
// authority_hints upwards, level by level, fetching the superiors' Entity
// Configurations and then their Subordinate Statements about the entity
// below, each level's fetches in parallel. It never fetches a URL twice in
// one resolution, stops climbing at the requested trust anchors, and spends
// a ResolutionBudget. The result is the discovered topology, every
// statement found (unverified), and every problem met on the way.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/resolver_options.h>
#include <oidfed/trust_anchor.h>

#include "chain/resolution_budget.h"
#include "chain/statement_store.h"
#include "chain/verification_memo.h"

namespace oidfed::detail {

/// Something that went wrong while collecting, kept for --explain.
struct CollectionProblem {
    std::string entityId;  ///< the entity concerned
    Error error;
};

/// Where one collected statement came from: the resolver refetches, after a
/// key failure, the ones it did not fetch in this resolution (G04).
struct StatementOrigin {
    std::string url;
    StatementSource source = StatementSource::Network;
};

struct Collection {
    /// Entity Configurations by entity id (scrubbed, not verified).
    std::map<std::string, StatementPtr> configurations;
    /// Subordinate Statements by (issuer, subject).
    std::map<std::pair<std::string, std::string>, StatementPtr> subordinates;
    std::vector<CollectionProblem> problems;
    /// The URL and source of every statement above, by statement.
    std::map<const EntityStatement *, StatementOrigin> origins;
    /// URLs whose fetch (or parse, or scrub) failed, with the error.
    std::map<std::string, Error> failedUrls;
    /// Timeout or LimitExceeded when the budget ran out before the end.
    Result<void> budget = ok();
};

class Collector {
public:
    /// `memo` remembers the self-signature checks for the validator, which
    /// repeats them against the superiors' keys (usually the same key).
    /// `knownFailures` (optional; the failedUrls of an earlier collection in
    /// the same resolution) are not fetched again: they fail with the same
    /// error, so a retry never fetches a URL twice.
    Collector(StatementStore &store, const ResolverOptions &options, VerificationMemo &memo, UnixTime now,
              const std::map<std::string, Error> *knownFailures = nullptr)
        : store_(store), options_(options), memo_(memo), now_(now), knownFailures_(knownFailures)
    {
    }

    /// Collects everything between `subject` and `anchors`. Fails only when
    /// the subject's own Entity Configuration cannot be obtained or does not
    /// verify with its own jwks (with that error); every other problem is
    /// recorded in the Collection. An Entity Configuration is trusted to
    /// name its superiors only once its self-signature verifies: a forged
    /// one costs no further fetch (threat B09).
    ///
    /// `presented` (optional): the subject's Entity Configuration as the
    /// subject presented it (Resolver::resolvePresented); it is used instead
    /// of fetching one, and never enters the statement store.
    Result<Collection> collect(const EntityId &subject, const std::vector<const TrustAnchor *> &anchors,
                               ResolutionBudget &budget, StatementPtr presented = nullptr);

private:
    Result<void> checkSelfSignature(const EntityStatement &configuration);

    StatementStore &store_;
    const ResolverOptions &options_;
    VerificationMemo &memo_;
    UnixTime now_;
    const std::map<std::string, Error> *knownFailures_;
};

} // namespace oidfed::detail
