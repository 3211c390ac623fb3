// Claim checks shared by every kind of federation JWT (entity statements,
// trust marks, delegations, resolve responses). One function per rule; the
// collector, the validator and the issuing side all call these same
// functions, so each rule is written exactly once.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed::claims {

/// Error with the given code, rule and claim already set.
Unexpected violation(ErrorCode code, std::string_view rule, std::string_view claim, std::string message);

/// JWS "typ" header equals `expected` exactly (case-sensitive, no
/// "application/" prefix; threat C16). BadType otherwise.
Result<void> checkType(const Jws &jws, std::string_view expected, std::string_view rule);

/// JWS "kid" header is a non-empty string (threat C04). KeyNotFound otherwise.
Result<void> checkKidHeader(const Jws &jws, std::string_view rule);

/// Each of `names` is absent from the JWS header. ClaimNotAllowed otherwise.
Result<void> checkHeaderAbsent(const Jws &jws, std::initializer_list<std::string_view> names, std::string_view rule);

/// Each of `names` is present. MissingClaim otherwise.
Result<void> checkRequired(const Json &claims, std::initializer_list<std::string_view> names, std::string_view rule);

/// Each of `names` is absent. ClaimNotAllowed otherwise; `why` ends the message.
Result<void> checkAbsent(const Json &claims, std::initializer_list<std::string_view> names, std::string_view rule,
                         std::string_view why);

/// A claim holding an Entity Identifier. MissingClaim / Malformed.
Result<EntityId> entityIdClaim(const Json &claims, std::string_view name, const EntityIdOptions &options,
                               std::string_view rule);

/// A NumericDate (RFC 7519 2): a non-negative finite number up to year 9999;
/// fractions are floored (threat D03). MissingClaim / InvalidClaim.
Result<UnixTime> numericDateClaim(const Json &claims, std::string_view name, std::string_view rule);
/// Same for an OPTIONAL NumericDate: nullopt-like -1 when absent.
Result<UnixTime> optionalNumericDateClaim(const Json &claims, std::string_view name, std::string_view rule);

/// iat <= exp (threat E05). InvalidClaim otherwise.
Result<void> checkIssuedBeforeExpiry(UnixTime iat, UnixTime exp, std::string_view rule);

/// iat <= now + skew (NotYetValid) and now < exp + skew (Expired); exp < 0
/// means "no expiry". The message starts with `what` (the document, e.g.
/// "the Entity Configuration of X") and gives the time in RFC 3339 with how
/// long ago or ahead it is, e.g. "... expired at 2026-12-07T10:00:00Z, 68 s
/// ago (exp 1796637600; allowed clock skew 60 s, now ...)".
Result<void> checkValidityPeriod(UnixTime iat, UnixTime exp, UnixTime now, std::int64_t skewSeconds,
                                 std::string_view rule, std::string_view what);

/// "crit" (13.4): a non-empty array of unique strings, each naming a claim
/// that is present, is not one of `specClaims`, and is in `understood`.
/// Malformed / InvalidClaim / UnknownCritical.
Result<void> checkCrit(const Json &claims, const std::vector<std::string_view> &specClaims,
                       const std::vector<std::string> &understood, std::string_view rule);

/// A non-empty array of Entity Identifiers without duplicates.
Result<std::vector<EntityId>> entityIdArrayClaim(const Json &claims, std::string_view name,
                                                 const EntityIdOptions &options, std::string_view rule);

/// Issuing side: adds the members of `extra` (an object, or null for none) to
/// `payload`. InvalidArgument when `extra` is not an object or redefines a
/// claim `payload` already has.
Result<void> mergeExtraClaims(Json &payload, const Json &extra);

/// An absolute https URL (http with allowHttp) without a fragment (5.1.1).
bool isEndpointUrl(std::string_view url, bool allowHttp);

} // namespace oidfed::claims
