// The rules of spec 3.2 that differ for the two statements of Explicit
// Registration (12.2): the RP's Entity Configuration sent as a request and
// the OP's response. One function per rule, like statement_rules.h;
// EntityStatement::parse() runs them in place of the federation ones when
// its StatementContext says so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed::statement {

/// The trust chains a registration request carries in its JWS header.
struct ChainHeaders {
    std::vector<std::string> trustChain;
    std::vector<std::string> peerTrustChain;
};

/// 12.2.1, 4.3, 4.4: typ entity-statement+jwt, kid present, and each of the
/// trust_chain / peer_trust_chain headers absent or a non-empty JSON array
/// of non-empty strings (Malformed, rule "4.3 trust_chain header" / "4.4
/// peer_trust_chain header", claim the header's name).
Result<ChainHeaders> checkRequestHeader(const Jws &jws);

/// 12.2.3: typ explicit-registration-response+jwt, kid present, no
/// trust_chain / peer_trust_chain header.
Result<void> checkResponseHeader(const Jws &jws);

/// 12.2.1 and the table of 3.1: the request is an Entity Configuration
/// (InvalidClaim on iss, rule "12.2.1 request"); aud, authority_hints and
/// metadata present (MissingClaim); trust_anchor and the
/// Subordinate-Statement-only claims absent (ClaimNotAllowed).
Result<void> checkRequestClaimPlacement(const Json &claims, bool isEntityConfiguration);

/// 12.2.3 and the table of 3.1: iss != sub (InvalidClaim on sub, rule
/// "12.2.3 response"); aud, trust_anchor, authority_hints and metadata
/// present (MissingClaim); the Subordinate-Statement-only claims and
/// trust_anchor_hints, trust_marks, trust_mark_issuers, trust_mark_owners
/// absent (ClaimNotAllowed).
Result<void> checkResponseClaimPlacement(const Json &claims, bool isEntityConfiguration);

/// 3.1.4 / 3.1.5: aud holds one Entity Identifier, as a string or an array
/// of exactly one string. Malformed when it is neither; InvalidClaim for an
/// array of several (a multi-valued audience), with `rule` and claim "aud".
Result<EntityId> checkSingleAudience(const Json &claims, const EntityIdOptions &options, std::string_view rule);

/// 12.2.3: the response's authority_hints has exactly one element
/// (InvalidClaim, rule "12.2.3 authority_hints").
Result<void> checkSingleAuthorityHint(const std::vector<EntityId> &hints);

/// 3.1.5, 3.2 step 27: trust_anchor is an Entity Identifier.
Result<EntityId> checkTrustAnchorClaim(const Json &claims, const EntityIdOptions &options);

} // namespace oidfed::statement
