// The structural rules of spec 3.2 that are specific to Entity Statements,
// one function each. EntityStatement::parse() runs them in order; the rules
// common to all federation JWTs are in statement/claims.h.
#pragma once

#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed::statement {

/// 3.2 steps 2, 11 and 4.3/4.4: typ is entity-statement+jwt, kid is a
/// non-empty string, no trust_chain / peer_trust_chain header.
Result<void> checkHeader(const Jws &jws);

/// 0.2 table: EC-only claims absent from a Subordinate Statement, SS-only
/// claims absent from an Entity Configuration, aud / trust_anchor absent
/// from both (they belong to Explicit Registration only).
Result<void> checkClaimPlacement(const Json &claims, bool isEntityConfiguration);

/// 3.2 step 9: jwks is a valid JWK Set of public keys with unique kids and
/// at least one key.
Result<JwkSet> checkJwks(const Json &claims, const KeyLimits &limits);

/// 3.2 step 14: authority_hints, when present, is a non-empty array of
/// unique Entity Identifiers, none equal to the subject itself.
Result<std::vector<EntityId>> checkAuthorityHints(const Json &claims, const EntityId &subject,
                                                  const EntityIdOptions &options);

/// 3.2 step 15: trust_anchor_hints, when present, is a non-empty array of
/// unique Entity Identifiers.
Result<void> checkTrustAnchorHints(const Json &claims, const EntityIdOptions &options);

/// 3.2 step 16 and 5, 5.1.1, 5.2.1: metadata is an object of entity types,
/// each an object, no top-level parameter is null, federation_entity holds
/// no jwks / jwks_uri / signed_jwks_uri and its *_endpoint values are https
/// URLs without a fragment.
Result<void> checkMetadata(const Json &claims, const EntityIdOptions &options);

/// 3.2 step 17: metadata_policy is an object of entity types, each an
/// object of parameters, each an object of operators.
Result<void> checkMetadataPolicySyntax(const Json &claims);

/// 3.2 step 18: metadata_policy_crit is a non-empty array of unique names,
/// none a standard operator, each understood.
Result<void> checkMetadataPolicyCrit(const Json &claims, const std::vector<std::string> &understood);

/// 3.2 step 19 and 6.2: constraints is an object; max_path_length is a
/// non-negative integer; naming_constraints has permitted / excluded arrays
/// of strings; allowed_entity_types is an array of strings.
Result<void> checkConstraintsSyntax(const Json &claims);

/// 3.2 step 20: trust_marks is an array of {trust_mark_type, trust_mark}
/// objects, each mark a compact JWS whose trust_mark_type claim equals the
/// object's. Trust in the marks is evaluated separately (7.3).
Result<void> checkTrustMarks(const Json &claims, const JwsLimits &limits);

/// 3.2 step 21: trust_mark_issuers maps types to arrays of Entity Identifiers.
Result<void> checkTrustMarkIssuers(const Json &claims, const EntityIdOptions &options);

/// 3.2 step 22: trust_mark_owners maps types to {sub, jwks}.
Result<void> checkTrustMarkOwners(const Json &claims, const EntityIdOptions &options, const KeyLimits &limits);

/// 3.2 step 23: source_endpoint is an https URL without a fragment.
Result<void> checkSourceEndpoint(const Json &claims, const EntityIdOptions &options);

/// 3.2 step 13: crit names only understood, present, non-spec claims.
Result<void> checkStatementCrit(const Json &claims, const std::vector<std::string> &understood);

} // namespace oidfed::statement
