/// oidfed::Error — the one error type of the library.
///
/// An Error carries a closed ErrorCode that callers branch on, a human message
/// (payload only: never parse it), and optional context naming where it
/// happened: the spec rule that failed, the claim or parameter concerned and
/// the entity whose statement carried it. Errors are plain values; they are
/// safe to copy and to share between threads.
#pragma once

#include <string>
#include <string_view>

namespace oidfed {

/// Closed set of failure kinds. Pick the most specific one that applies.
enum class ErrorCode {
    InvalidArgument,       ///< the caller passed something unusable (usage error)
    Malformed,             ///< input is not well-formed (base64url, JSON, JWS shape, claim types)
    UnsupportedAlgorithm,  ///< alg outside the allow-list (none, HS*, unknown)
    InvalidKey,            ///< key rejected: weak, wrong type, not on curve, private member
    KeyNotFound,           ///< kid absent from the key set that must hold it
    BadSignature,          ///< signature did not verify
    BadType,               ///< JWT typ header absent or not the one expected
    MissingClaim,          ///< a REQUIRED claim is absent
    ClaimNotAllowed,       ///< a claim present where the spec forbids it
    InvalidClaim,          ///< a claim is present but its value breaks a rule
    UnknownCritical,       ///< crit / metadata_policy_crit names something not understood
    Expired,               ///< now >= exp (+ skew)
    NotYetValid,           ///< iat in the future (beyond skew)
    PolicyConflict,        ///< metadata policies cannot be combined (6.1.3, 6.1.4.1)
    PolicyViolation,       ///< metadata does not satisfy the policy (6.1.4.2)
    ConstraintViolation,   ///< a Subordinate Statement constraint is broken (6.2)
    InvalidClientMetadata, ///< client metadata an OP will not register (OIDC Registration 3.3, RFC 7591 3.2.2)
    InvalidRedirectUri,    ///< a redirect URI an OP will not register (OIDC Registration 3.3, RFC 7591 3.2.2)
    InvalidMetadata,       ///< resolved metadata that cannot be used as it is (e.g. no usable protocol keys, 5.2.1)
    InvalidRequestObject,  ///< a Request Object that breaks a rule (RFC 9101, spec 12.1.1.1)
    InvalidClient,         ///< client authentication failed (RFC 6749 5.2, RFC 7523; spec 12.1.1.2)
    NoTrustAnchor,         ///< no configured trust anchor can be reached or used
    NoValidChain,          ///< candidate chains exist but none validates
    NotFound,              ///< the requested thing does not exist
    LimitExceeded,         ///< a configured bound (size, depth, budget) was hit
    Unavailable,           ///< network or upstream failure; may succeed later
    Timeout,               ///< a deadline passed
    Internal,              ///< a bug or an unexpected condition in oidfed itself
};

/// Stable lowercase name of a code, e.g. "bad_signature". Never empty.
std::string_view errorCodeName(ErrorCode code) noexcept;

/// The OpenID Federation 8.9 error code a code maps to when it reaches a
/// federation client, e.g. "invalid_trust_chain"; for the two client
/// registration codes, the OAuth one ("invalid_client_metadata",
/// "invalid_redirect_uri", which 8.9 and 12.2.3 allow); InvalidMetadata is
/// "invalid_metadata" (8.9, 12.1.3), InvalidRequestObject
/// "invalid_request_object" (RFC 9101 6.3) and InvalidClient
/// "invalid_client" (8.9, RFC 6749 5.2). Never empty.
std::string_view specErrorCode(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;   ///< human description; payload only
    std::string rule;      ///< spec rule, e.g. "3.2 typ" (may be empty)
    std::string claim;     ///< claim, header or parameter concerned (may be empty)
    std::string entityId;  ///< entity whose statement carried the problem (may be empty)

    Error() = default;
    Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

    /// Fluent setters for the context fields; return *this.
    Error &withRule(std::string_view r) & { rule = r; return *this; }
    Error &&withRule(std::string_view r) && { rule = r; return std::move(*this); }
    Error &withClaim(std::string_view c) & { claim = c; return *this; }
    Error &&withClaim(std::string_view c) && { claim = c; return std::move(*this); }
    Error &withEntity(std::string_view e) & { entityId = e; return *this; }
    Error &&withEntity(std::string_view e) && { entityId = e; return std::move(*this); }

    /// "code: message [rule ...] [claim ...] [entity ...]" for logs and CLI text.
    std::string describe() const;
};

} // namespace oidfed
