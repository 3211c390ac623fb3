/// Validating a trust chain handed over as compact JWTs (the `trust_chain`
/// JWS header of spec 4.3, a registration request's `trust_chain+json`
/// body, or a resolve response's `trust_chain`), with no fetching at all.
///
/// The same code validates the chains the resolver collects. Pure: `now`
/// is passed in; safe from any thread.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/operator_registry.h>
#include <oidfed/result.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_chain.h>
#include <oidfed/trust_mark.h>

namespace oidfed {

struct ChainValidationOptions {
    /// Leeway on every iat / exp.
    std::chrono::seconds clockSkew{60};
    /// Parsing limits and test switches.
    StatementOptions statements{};
    /// Restrict the resolved metadata to these entity types (empty: all).
    std::vector<std::string> entityTypes{};
    /// Policy operators understood; nullptr means the standard seven.
    const OperatorRegistry *registry = nullptr;
    /// The typ values a trust framework defines for the subject's trust
    /// marks, per type (TrustMarkTypValues; empty: trust-mark+jwt only).
    TrustMarkTypValues trustMarkTypValues{};
};

/// Validates `jwts` = [subject EC, Subordinate Statements up the path,
/// optionally the trust anchor's EC] against the pinned `anchors` (the
/// last statement's issuer selects the anchor). Every rule of spec 10.2 and
/// 3.2: structure of each statement, iat/exp with skew, ES[j].iss ==
/// ES[j+1].sub, each signature with the keys the next statement vouches
/// for, the subject EC's signing key also vouched for by its superior, the
/// top statement with the pinned keys, ES[1].iss among the subject's
/// authority_hints, constraints (6.2) and metadata policy (6.1).
/// Errors name the statement (entity) and the rule: NoTrustAnchor when no
/// pinned anchor issued the last statement, and the codes of the failing
/// rule otherwise.
Result<TrustChain> validateTrustChain(std::span<const std::string> jwts, std::span<const TrustAnchor> anchors,
                                      UnixTime now, const ChainValidationOptions &options = {});

} // namespace oidfed
