/// The OP's registration policy (spec 12.2.2 step 8): which trust anchors it
/// accepts, how long a registration may last, and what client metadata it
/// registers: the checks of OpenID Connect Dynamic Client Registration 1.0
/// (section 2) and RFC 7591 (section 2), the OP's own limits, and the
/// defaults it fills in.
///
/// A RegistrationPolicy is a plain value; applyClientMetadataPolicy() is a
/// pure function, safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

namespace oidfed {

/// Errors of the client metadata checks name the parameter in Error::claim,
/// the rule in Error::rule (e.g. "OIDC Registration 2 redirect_uris"), and
/// carry ErrorCode::InvalidRedirectUri (invalid_redirect_uri) for a bad
/// redirect URI, ErrorCode::InvalidClientMetadata (invalid_client_metadata)
/// for anything else.
struct RegistrationPolicy {
    /// The client's entity type in the request and the response:
    /// "openid_relying_party" for an openid_provider (OIDC Registration
    /// rules), "oauth_client" for an oauth_authorization_server (RFC 7591).
    std::string entityType = "openid_relying_party";
    /// Trust anchors (entity ids) a registration may be based on, in order
    /// of preference; each must be one of the resolver's pinned anchors.
    /// Empty: every anchor of the resolver.
    std::vector<std::string> trustAnchors{};
    /// Cap on a registration's lifetime, besides the chain's expiry
    /// (12.2.2 step 9, 12.3). 1 min..1 year.
    std::chrono::seconds maxLifetime{std::chrono::hours(24)};
    /// Refuse requests that present no trust_chain (spec 18.1: a chain can
    /// be checked statically against the anchor's keys, with no discovery).
    bool requireTrustChain = false;

    /// What the OP supports (from its openid_provider metadata: see
    /// registrationPolicyFor). A client value outside these is refused.
    std::vector<std::string> responseTypesSupported{"code"};
    std::vector<std::string> grantTypesSupported{"authorization_code", "refresh_token"};
    std::vector<std::string> tokenEndpointAuthMethodsSupported{"private_key_jwt"};
    /// Empty: any value is accepted.
    std::vector<std::string> subjectTypesSupported{};
    /// Client metadata the OP fills in when the client leaves them out,
    /// before the built-in defaults (response_types ["code"], grant_types
    /// from the response types, token_endpoint_auth_method the first
    /// supported, application_type "web"). An object of parameters.
    Json defaults = Json::object();
    /// Test switch: a "web" client may register http redirect URIs, and
    /// any client http URL parameters (jwks_uri, signed_jwks_uri, logo_uri,
    /// ...), on a loopback host (127.0.0.1, [::1], localhost). Native
    /// clients' redirect URIs always may (RFC 8252 7.3). Never for
    /// production.
    bool allowHttpLoopbackForWeb = false;
};

/// InvalidArgument, naming the field in Error::claim, when maxLifetime is
/// out of range, entityType is neither openid_relying_party nor
/// oauth_client, a supported list is empty (subjectTypesSupported may be),
/// or defaults is not an object.
Result<void> validateRegistrationPolicy(const RegistrationPolicy &policy);

/// The policy of an OP from its resolved `openid_provider` (or
/// `oauth_authorization_server`) metadata: response_types_supported,
/// grant_types_supported (default ["authorization_code", "implicit"], OIDC
/// Discovery 3), token_endpoint_auth_methods_supported (default
/// ["client_secret_basic"]), subject_types_supported; entityType from the
/// metadata's type. Other fields keep their defaults. InvalidArgument when
/// `entityType` is neither openid_provider nor oauth_authorization_server or
/// a member has the wrong JSON type (claim names it).
Result<RegistrationPolicy> registrationPolicyFor(std::string_view entityType, const Json &providerMetadata);

/// Checks the client metadata an RP asks for (the parameters of its
/// policy.entityType, after the federation's metadata policy) and returns
/// the metadata the OP registers, with the defaults filled in. Checks:
/// the parameters this spec and RFC 7591 reserve for the response
/// (client_id, client_secret, client_secret_expires_at,
/// client_id_issued_at, registration_access_token, registration_client_uri)
/// absent; application_type "web" or "native" (OIDC only); redirect_uris
/// present for the authorization_code and implicit grants, absolute URIs
/// without a fragment, https for web clients (http on a loopback host only
/// with allowHttpLoopbackForWeb; never localhost with the implicit grant),
/// for native clients a custom scheme, https or http on a loopback host;
/// response_types and grant_types supported and consistent (OIDC
/// Registration 2: code needs authorization_code, id_token and token need
/// implicit); token_endpoint_auth_method supported, and private_key_jwt
/// only with a jwks, jwks_uri or signed_jwks_uri to verify it; jwks and
/// jwks_uri not both; *_uri parameters absolute https URLs (logo_uri,
/// client_uri, policy_uri, tos_uri may be https only as well), without a
/// fragment; subject_type supported; contacts an array of strings.
/// Errors: InvalidRedirectUri (claim "redirect_uris"), InvalidClientMetadata
/// (claim the parameter), Malformed when `clientMetadata` is not an object.
Result<Json> applyClientMetadataPolicy(const Json &clientMetadata, const RegistrationPolicy &policy);

} // namespace oidfed
