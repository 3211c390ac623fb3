// The metadata resolution pipeline of 6.1.4.2: superior override, then
// allowed_entity_types filtering (6.2.3), then the resolved policy.

#include <oidfed/metadata_resolution.h>

#include <utility>

namespace oidfed {

Result<ResolvedMetadata> resolveMetadata(const MetadataResolutionInput &input, const ResolvedPolicy &policy,
                                         const OperatorRegistry &registry)
{
    // Steps 1-2: the subject's metadata with the Immediate Superior's override.
    ResolvedMetadata current;
    if (input.superiorMetadata) {
        OIDFED_TRY(current, applySuperiorMetadata(input.subjectMetadata, *input.superiorMetadata,
                                                  input.superiorIssuer));
    } else {
        if (!input.subjectMetadata.isObject())
            return fail(Error(ErrorCode::Malformed, "the subject's metadata must be a JSON object keyed by Entity Type")
                            .withClaim("metadata"));
        current.metadata = input.subjectMetadata;
    }

    // Step 3: allowed_entity_types, after the override and before the policy.
    EntityTypeFilterResult filtered = filterEntityTypes(std::move(current.metadata), input.statements);
    for (const std::string &typeName : filtered.removed) {
        std::vector<std::string> issuers;
        for (const ConstrainedStatement &statement : input.statements) {
            const auto &allowed = statement.constraints.allowedEntityTypes;
            if (allowed && !isEntityTypeAllowed(*allowed, typeName))
                issuers.push_back(statement.issuer);
        }
        current.changes.push_back(ParameterChange{typeName, "", "allowed_entity_types", std::move(issuers),
                                                  ParameterChange::Effect::Removed, std::nullopt, std::nullopt});
    }

    // Steps 4-5: the policy, when some statement had one.
    if (!policy.present) {
        current.metadata = std::move(filtered.metadata);
        return current;
    }
    OIDFED_TRY(auto applied, applyPolicy(policy, std::move(filtered.metadata), registry));
    current.metadata = std::move(applied.metadata);
    for (ParameterChange &change : applied.changes)
        current.changes.push_back(std::move(change));
    return current;
}

} // namespace oidfed
