/// Explicit Registration, the OP's side (spec 12.2.2): from a parsed
/// request to the registration the OP grants, or a precise refusal.
///
/// registerClient() runs the steps after parsing (registration_request.h):
/// resolve the RP from the Entity Configuration it presented, with its
/// trust_chain as a path hint (Resolver::resolvePresented: the EC is never
/// fetched nor cached as the RP's, the hint verified from the pinned anchor
/// keys down, collection from its authority_hints when the hint fails or is
/// stale); check the peer_trust_chain (step 6); apply the OP's policy to the
/// resolved client metadata (step 8, registration_policy.h); bound the
/// registration's lifetime by the chain's expiry (step 9). What the OP
/// assigns (client_id, credentials) and keeps is the caller's: the response
/// is then signed by issueRegistrationResponse() (registration_response.h).
/// Replacing an earlier registration of the same RP (step 7) is the
/// caller's store's job.
///
/// Thread safety: registerClient() may run on many threads at once with one
/// Resolver (the Resolver's own contract).
///
/// Errors carry the Error::code whose specErrorCode() is the answer's
/// `error` (spec 8.9 and OIDC Registration 3.3 / RFC 7591 3.2.2):
/// invalid_request (InvalidArgument), invalid_trust_anchor (NoTrustAnchor),
/// invalid_trust_chain (the validation codes), invalid_metadata
/// (PolicyViolation, PolicyConflict), invalid_client_metadata
/// (InvalidClientMetadata), invalid_redirect_uri (InvalidRedirectUri),
/// temporarily_unavailable (Unavailable, Timeout); rule, claim and entityId
/// name the statement and the rule.
#pragma once

#include <memory>
#include <string>

#include <oidfed/chain_validator.h>
#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/registration_policy.h>
#include <oidfed/registration_request.h>
#include <oidfed/registration_response.h>
#include <oidfed/resolver.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

/// A registration the OP grants (before it assigns a client_id).
struct Registration {
    EntityId rp;
    /// The anchor of the selected chain (the response's trust_anchor).
    EntityId trustAnchor;
    /// The RP's Immediate Superior in the selected chain (the response's
    /// single authority_hints element).
    EntityId immediateSuperior;
    /// When the registration ends: min(chain expiry, now + maxLifetime).
    UnixTime expiresAt = 0;
    /// policy.entityType: "openid_relying_party" or "oauth_client".
    std::string entityType{};
    /// The client metadata the OP registers: the RP's request metadata for
    /// entityType, resolved through the chain's metadata policy, checked and
    /// defaulted by the OP's policy, and the chain's policy applied again to
    /// the result (so the RP's re-application, 12.2.5, finds it compliant).
    /// No client_id yet.
    Json clientMetadata = Json::object();
    /// The request EC's jwks claim, verbatim (copied into the response).
    Json jwks{};
    /// The selected chain (RP's request EC first).
    std::shared_ptr<const TrustChain> chain{};
    /// How the chain was found: whether the presented path hint was used
    /// (report.pathHint), the candidates and problems.
    ResolveReport report{};
};

/// What registerClient() needs besides the request.
struct RegistrationContext {
    EntityId op;                       ///< this OP (the request's aud)
    Resolver &resolver;                ///< pinned anchors, fetcher, budget; outlives the call
    const RegistrationPolicy &policy;  ///< outlives the call
    UnixTime now = 0;
    /// How the peer_trust_chain is validated (validateTrustChain) and the
    /// chain's policy applied again: give it the resolver's statement
    /// options, clock skew and operator registry.
    ChainValidationOptions validation{};
    bool explain = false;              ///< fill Registration::report fully
};

/// 12.2.2 steps 3-6, 8-9 for a parsed `request`:
///  - requireTrustChain without a presented chain: InvalidArgument (claim
///    "trust_chain", rule "18.1 require trust chain");
///  - the anchors: policy.trustAnchors (or all of the resolver's), narrowed
///    to the anchor a presented chain ends at (12.2.3: trust_anchor MUST
///    match the anchor of any chain provided); a presented chain ending at an
///    anchor not accepted is NoTrustAnchor (claim "trust_chain" or
///    "peer_trust_chain", rule "12.2.3 trust_anchor");
///  - the RP resolved by Resolver::resolvePresented with the request's
///    trust_chain (after its first statement) as the path hint, restricted to
///    policy.entityType; its errors as they are (NoTrustAnchor, NoValidChain
///    and the validation codes, PolicyViolation for metadata against the
///    federation's policy, Unavailable / Timeout);
///  - peer_trust_chain (step 6): its first statement the OP's Entity
///    Configuration, its last issued by the selected anchor, and the whole
///    chain valid against the pinned anchor (validateTrustChain): otherwise
///    InvalidClaim (or the validation's code) with claim "peer_trust_chain",
///    rule "12.2.2 step 6";
///  - the resolved metadata has policy.entityType: else InvalidClientMetadata
///    (claim "metadata", rule "12.2.1 metadata");
///  - applyClientMetadataPolicy (InvalidClientMetadata, InvalidRedirectUri),
///    then the chain's metadata policy applied to the result again
///    (PolicyViolation, rule of the operator, claim the parameter).
Result<Registration> registerClient(const RegistrationRequest &request, const RegistrationContext &context);

} // namespace oidfed
