// Trust Mark Delegations (spec 7.2): the one place that reads a delegation
// for a given Trust Mark Issuer and trust mark type. The issuing side (a
// delegation file, the delegation embedded in a mark it issued or is asked
// about) and the verifying side (7.3 step 9) both start with
// parseDelegation(); verifyDelegation() adds the steps that need the trust
// anchor's trust_mark_owners and the time. Both return the parsed
// delegation, so a caller can also say who signed it and how long it has
// left (ParsedMark::expiresAt). Pure functions; safe from any thread.
#pragma once

#include <string_view>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>

#include "trust_mark/trust_mark_rules.h"

namespace oidfed::trust_mark {

/// 7.2.2 steps 1-4 and 8, the ones that need neither the owner's keys nor a
/// clock: a compact JWS with an allow-listed alg, typ exactly
/// trust-mark-delegation+jwt, a kid, well-formed claims (7.2.1), sub ==
/// `trustMarkIssuer` and trust_mark_type == `trustMarkType`. Returns the
/// delegation: iss (the owner it claims to come from), iat, exp (-1: none).
/// Errors carry the "7.2.x" rule and the claim; the entity is left to the
/// caller: Malformed, LimitExceeded, UnsupportedAlgorithm (shape), BadType,
/// KeyNotFound (no kid), MissingClaim, InvalidClaim (iat > exp, another
/// issuer or type).
Result<ParsedMark> parseDelegation(std::string_view jwt, const EntityId &trustMarkIssuer,
                                   std::string_view trustMarkType, const StatementOptions &options);

/// 7.2.2 in full (checkTrustMarkDelegation() in trust_mark.h): the owner of
/// the type in the anchor's trust_mark_owners (InvalidClaim when there is
/// none), parseDelegation(), iss == that owner (step 5, InvalidClaim),
/// iat / exp against ctx.now with the skew (6-7, NotYetValid / Expired), and
/// the signature with the owner's keys (9, KeyNotFound / BadSignature).
Result<ParsedMark> verifyDelegation(std::string_view jwt, const EntityId &trustMarkIssuer,
                                    std::string_view trustMarkType, const TrustMarkContext &ctx);

} // namespace oidfed::trust_mark
