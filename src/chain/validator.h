// The pure chain validator shared by validateTrustChain() (static chains)
// and the resolver (collected chains): statements already parsed, the
// anchor already chosen, no I/O.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/entity_statement.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_chain.h>
#include <oidfed/trust_mark.h>

#include "chain/verification_memo.h"

namespace oidfed::detail {

/// A further check of a mark that passed 7.3 (the resolver's status policy,
/// TrustMarkVerificationOptions): an error leaves the mark out.
using TrustMarkStatusCheck = std::function<Result<void>(const VerifiedTrustMark &mark)>;

/// Everything the validator needs besides the statements.
struct ValidationContext {
    const TrustAnchor &anchor;
    UnixTime now;
    const ChainValidationOptions &options;
    const OperatorRegistry &registry;
    /// Keys of trust mark issuers other than the anchor, established through
    /// their own chains (the resolver supplies it). nullptr: only marks the
    /// anchor issued itself can be verified; the others are left out.
    const TrustMarkIssuerKeys *trustMarkIssuerKeys = nullptr;
    /// Signature results shared between validations; nullptr: verify all.
    VerificationMemo *memo = nullptr;
    /// Called for each mark that passed 7.3; nullptr: none.
    const TrustMarkStatusCheck *trustMarkStatus = nullptr;
};

/// What a Subordinate Statement contributes to a chain's policy: its issuer
/// and subject, and its metadata, metadata_policy, metadata_policy_crit and
/// constraints claims (each nullptr when absent). A statement's own claims,
/// or a proposed change to them (`oidfed policy impact`).
struct PolicyHop {
    std::string issuer;
    std::string subject;
    const Json *metadata = nullptr;
    const Json *metadataPolicy = nullptr;
    const Json *metadataPolicyCrit = nullptr;
    const Json *constraints = nullptr;
};

/// The hop of a parsed Subordinate Statement (pointers into it).
PolicyHop policyHopOf(const EntityStatement &statement);

/// applyChainPolicy over hops instead of statements (the one about the
/// subject first); the same checks and errors.
Result<ResolvedMetadata> applyChainPolicy(std::span<const PolicyHop> hops, const Json &subjectMetadata,
                                          const std::string &subject, const OperatorRegistry &registry);

/// Checks the constraints (6.2) of `subordinates` (a chain's Subordinate
/// Statements, the one about the subject first) and resolves
/// `subjectMetadata` through their metadata policies (6.1.4: the Immediate
/// Superior's metadata override, allowed_entity_types, the combined policy).
/// Errors name `subject` when no other entity is concerned. Also used to
/// apply a chain's policy again to metadata other than the subject's own
/// (Explicit Registration, 12.2.2 step 8 and 12.2.5 step 5).
Result<ResolvedMetadata> applyChainPolicy(std::span<const EntityStatement *const> subordinates,
                                          const Json &subjectMetadata, const std::string &subject,
                                          const OperatorRegistry &registry);

/// Validates `chain` = [subject EC, SS..., (TA EC)] per spec 10.2 and builds
/// the TrustChain. REQUIRES: chain is non-empty.
Result<TrustChain> validateChain(std::span<const EntityStatement *const> chain, const ValidationContext &context);

} // namespace oidfed::detail
