#include <oidfed/error.h>

namespace oidfed {

std::string_view errorCodeName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::Malformed: return "malformed";
    case ErrorCode::UnsupportedAlgorithm: return "unsupported_algorithm";
    case ErrorCode::InvalidKey: return "invalid_key";
    case ErrorCode::KeyNotFound: return "key_not_found";
    case ErrorCode::BadSignature: return "bad_signature";
    case ErrorCode::BadType: return "bad_type";
    case ErrorCode::MissingClaim: return "missing_claim";
    case ErrorCode::ClaimNotAllowed: return "claim_not_allowed";
    case ErrorCode::InvalidClaim: return "invalid_claim";
    case ErrorCode::UnknownCritical: return "unknown_critical";
    case ErrorCode::Expired: return "expired";
    case ErrorCode::NotYetValid: return "not_yet_valid";
    case ErrorCode::PolicyConflict: return "policy_conflict";
    case ErrorCode::PolicyViolation: return "policy_violation";
    case ErrorCode::ConstraintViolation: return "constraint_violation";
    case ErrorCode::InvalidClientMetadata: return "invalid_client_metadata";
    case ErrorCode::InvalidRedirectUri: return "invalid_redirect_uri";
    case ErrorCode::InvalidMetadata: return "invalid_metadata";
    case ErrorCode::InvalidRequestObject: return "invalid_request_object";
    case ErrorCode::InvalidClient: return "invalid_client";
    case ErrorCode::NoTrustAnchor: return "no_trust_anchor";
    case ErrorCode::NoValidChain: return "no_valid_chain";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::LimitExceeded: return "limit_exceeded";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

std::string_view specErrorCode(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid_request";
    case ErrorCode::PolicyConflict:
    case ErrorCode::PolicyViolation:
    case ErrorCode::InvalidMetadata:
        return "invalid_metadata";
    case ErrorCode::InvalidRequestObject:
        return "invalid_request_object";
    case ErrorCode::InvalidClient:
        return "invalid_client";
    case ErrorCode::NoTrustAnchor:
        return "invalid_trust_anchor";
    case ErrorCode::NotFound:
        return "not_found";
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
        return "temporarily_unavailable";
    case ErrorCode::Internal:
        return "server_error";
    case ErrorCode::InvalidClientMetadata:
        return "invalid_client_metadata";
    case ErrorCode::InvalidRedirectUri:
        return "invalid_redirect_uri";
    case ErrorCode::Malformed:
    case ErrorCode::UnsupportedAlgorithm:
    case ErrorCode::InvalidKey:
    case ErrorCode::KeyNotFound:
    case ErrorCode::BadSignature:
    case ErrorCode::BadType:
    case ErrorCode::MissingClaim:
    case ErrorCode::ClaimNotAllowed:
    case ErrorCode::InvalidClaim:
    case ErrorCode::UnknownCritical:
    case ErrorCode::Expired:
    case ErrorCode::NotYetValid:
    case ErrorCode::ConstraintViolation:
    case ErrorCode::NoValidChain:
    case ErrorCode::LimitExceeded:
        return "invalid_trust_chain";
    }
    return "server_error";
}

std::string Error::describe() const
{
    std::string out(errorCodeName(code));
    out += ": ";
    out += message;
    if (!rule.empty())
        out += " [rule " + rule + "]";
    if (!claim.empty())
        out += " [claim " + claim + "]";
    if (!entityId.empty())
        out += " [entity " + entityId + "]";
    return out;
}

} // namespace oidfed
