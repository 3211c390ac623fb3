/// Metadata policy (OpenID Federation 1.0, section 6.1): combining the
/// `metadata_policy` claims of a Trust Chain into one resolved policy, and
/// applying that policy to an Entity's metadata.
///
/// combinePolicies() takes the Subordinate Statements of a chain most
/// Superior first (the Trust Anchor's statement first, the Immediate
/// Superior's last), validates each statement's policy (structure, operator
/// value types, allowed combinations, `metadata_policy_crit`) and merges them
/// per Entity Type, per parameter and per operator (6.1.4.1). Every operator
/// value of the result records the issuers that contributed to it.
///
/// applyPolicy() applies a resolved policy to metadata keyed by Entity Type,
/// only for the Entity Types the metadata has, running the operators of each
/// parameter in their order of application (6.1.4.2). It records which
/// operator, contributed by which statements, set, changed or removed each
/// parameter.
///
/// Failures: PolicyConflict (a policy error: the policies are malformed or
/// cannot be combined), UnknownCritical (an operator named in
/// `metadata_policy_crit` is not understood), InvalidClaim (a malformed
/// `metadata_policy_crit`), PolicyViolation (the metadata does not comply
/// with the policy). Each error's message names the Entity Type, the
/// parameter, the operators, their values and the issuers of the statements
/// that contributed each; Error::claim holds the parameter name and
/// Error::entityId the issuer of the statement being merged (combine).
///
/// Everything here is a pure function of its arguments; results are plain
/// values that may be shared between threads once built.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/operator_registry.h>
#include <oidfed/parameter_policy.h>
#include <oidfed/result.h>

namespace oidfed {

/// The policy-related claims of one Subordinate Statement of a chain.
struct PolicyStatement {
    std::string issuer;                        ///< `iss` of the statement (provenance and errors)
    std::optional<Json> metadataPolicy;        ///< its `metadata_policy` claim, when present
    std::vector<std::string> metadataPolicyCrit; ///< its `metadata_policy_crit` claim (empty when absent)
};

/// The policies of all parameters of one Entity Type.
struct EntityTypePolicy {
    std::string entityType;
    std::vector<ParameterPolicy> parameters;  ///< in order of first appearance
};

/// The result of combining the policies of a chain (6.1.4.1).
struct ResolvedPolicy {
    /// False when no statement of the chain had a `metadata_policy`; then
    /// applying the policy leaves metadata unchanged (6.1.4.2 step 4).
    bool present = false;
    std::vector<EntityTypePolicy> entityTypes;  ///< in order of first appearance

    /// Lookups; nullptr when absent. Pointers stay valid until modified.
    const EntityTypePolicy *find(std::string_view entityType) const;
    const ParameterPolicy *find(std::string_view entityType, std::string_view parameter) const;

    /// The policy as a `metadata_policy` JSON object keyed by Entity Type.
    Json toJson() const;
};

/// Parses a `metadata_policy_crit` claim (3.1.3): a non-empty array of
/// distinct non-empty operator names, none of them a standard operator.
/// Returns InvalidClaim otherwise.
Result<std::vector<std::string>> parseMetadataPolicyCrit(const Json &claim);

/// Combines the policies of `statements`, most Superior first (6.1.4.1).
/// Statements without a `metadata_policy` are skipped. Operators not in
/// `registry` are dropped from the result (ignored, 6.1.3.2) unless some
/// statement lists them in `metadataPolicyCrit`, which fails with
/// UnknownCritical. Other failures: PolicyConflict, InvalidClaim (see above).
Result<ResolvedPolicy> combinePolicies(std::span<const PolicyStatement> statements,
                                       const OperatorRegistry &registry);

/// What happened to one parameter during metadata resolution, for --explain.
struct ParameterChange {
    enum class Effect {
        Set,       ///< the parameter was absent and now has a value
        Modified,  ///< the parameter's value changed
        Removed,   ///< the parameter (or, with an empty `parameter`, the Entity Type) was removed
    };
    std::string entityType;
    std::string parameter;              ///< empty when a whole Entity Type is concerned
    std::string source;                 ///< operator name, "metadata" (superior override) or "allowed_entity_types"
    std::vector<std::string> issuers;   ///< statements responsible, most Superior first
    Effect effect = Effect::Set;
    std::optional<Json> before;         ///< value before the change (nullopt: absent)
    std::optional<Json> after;          ///< value after the change (nullopt: absent)
};

/// Resolved metadata and how it came to be.
struct ResolvedMetadata {
    Json metadata;                        ///< keyed by Entity Type
    std::vector<ParameterChange> changes; ///< in the order they happened
};

/// Applies `policy` to `metadata` (an object keyed by Entity Type) per
/// 6.1.4.2 step 5: for each Entity Type the metadata has and each parameter
/// with a policy, the operators run in the registry's order of application.
/// Entity Types of the policy that the metadata lacks are ignored. The
/// parameter `scope` (a space-separated string, RFC 7591) is handled as an
/// array of strings and joined again with single spaces (6.1.3.1.8). A
/// parameter whose value is JSON null is treated as absent.
/// Returns Malformed when `metadata` or one of its Entity Types is not an
/// object, PolicyViolation when the metadata does not comply.
/// REQUIRES: `policy` came from combinePolicies() with the same `registry`.
Result<ResolvedMetadata> applyPolicy(const ResolvedPolicy &policy, Json metadata,
                                     const OperatorRegistry &registry);

/// Applies the `metadata` claim of the Immediate Superior's Subordinate
/// Statement to the subject's metadata (3.1.1, 6.1.4.2 step 2): for the
/// Entity Types the subject's metadata has, its parameters replace
/// same-named ones. Returns Malformed when either argument is not an object
/// of objects. Changes are attributed to `superiorIssuer`.
Result<ResolvedMetadata> applySuperiorMetadata(Json subjectMetadata, const Json &superiorMetadata,
                                               std::string_view superiorIssuer);

} // namespace oidfed
