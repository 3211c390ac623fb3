// Applying a verified chain's metadata policy again, to metadata other than
// the subject's own: the OP's registered client metadata (12.2.2 step 8,
// so that what it returns complies) and the RP's check of the returned
// metadata (12.2.5 step 5). The same steps of 6.1.4.2 as the validator: the
// Immediate Superior's metadata override, allowed_entity_types, then the
// combined policy.
#pragma once

#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/operator_registry.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed::registration {

/// `metadata` (keyed by entity type) resolved through the Subordinate
/// Statements of `chain` (its statements after the first; a last Entity
/// Configuration is the anchor's and carries no policy). Errors: the parse
/// errors of a statement (cannot happen for a chain the validator built with
/// the same options), PolicyConflict, PolicyViolation (claim the parameter).
Result<Json> reapplyChainPolicy(const TrustChain &chain, const Json &metadata, const OperatorRegistry &registry,
                                const StatementOptions &options);

} // namespace oidfed::registration
