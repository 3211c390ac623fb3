/// Metadata resolution for a Trust Chain subject (OpenID Federation 1.0,
/// 6.1.4.2): the subject's own metadata, then the Immediate Superior's
/// `metadata` override, then `allowed_entity_types` filtering (6.2.3), then
/// the resolved metadata policy — with a record of every change.
///
/// Pure function; the result is a plain value.
#pragma once

#include <optional>
#include <span>
#include <string>

#include <oidfed/constraints.h>
#include <oidfed/json.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/operator_registry.h>
#include <oidfed/result.h>

namespace oidfed {

struct MetadataResolutionInput {
    Json subjectMetadata;                    ///< `metadata` of the subject's Entity Configuration
    std::optional<Json> superiorMetadata;    ///< `metadata` of the Immediate Superior's statement, if any
    std::string superiorIssuer;              ///< `iss` of that statement (provenance)
    std::span<const ConstrainedStatement> statements;  ///< the chain's statements, subject's first; may be empty
};

/// Runs steps 1-5 of 6.1.4.2. Returns the resolved metadata with every
/// change (superior override, removed Entity Types, policy operators).
/// Failures as applySuperiorMetadata() and applyPolicy().
/// REQUIRES: `policy` came from combinePolicies() with the same `registry`;
/// `input.statements` outlives the call.
Result<ResolvedMetadata> resolveMetadata(const MetadataResolutionInput &input, const ResolvedPolicy &policy,
                                         const OperatorRegistry &registry);

} // namespace oidfed
