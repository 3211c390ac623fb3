/// Automatic Registration, the OP's side (spec 12.1): an RP that was never
/// registered sends its Entity Identifier as client_id and proves control of
/// its keys with a signed Request Object (12.1.1.1) or, at the PAR / token
/// endpoint, with a private_key_jwt client assertion (12.1.1.2). These
/// functions verify either one, and look a client up, for the OP (or OAuth
/// authorization server, or credential issuer) module that asks:
///
///  1. the JWT itself, before anything costs a fetch: JWS compact form, an
///     allow-listed alg (never none or HMAC), typ, the claims of 12.1.1.1 /
///     RFC 7523 3 (verifyRequestObject, verifyClientAssertion below);
///  2. the client resolved under the pinned trust anchors (Resolver): with
///     the `trust_chain` JWS header as a path hint, fully verified from the
///     anchor keys down (Resolver::resolvePresented), else collected from
///     the client's well-known Entity Configuration (Resolver::resolve);
///     the `peer_trust_chain` header checked as Explicit Registration does
///     (begins at this OP, ends at the same anchor, validates);
///  3. the client's protocol keys from its *resolved* metadata of the
///     entity type (ProtocolKeyStore: jwks, signed_jwks_uri, jwks_uri), and
///     the signature with the key the JWT's kid names (one refetch of a
///     fetched set for an unknown kid, rate-limited by the store);
///  4. last, the jti's single use (ReplayStore), so that a forged JWT never
///     uses up a genuine jti.
///
/// The Request Object must be decrypted by the caller first (a JWE is
/// Malformed here), and by value (request_uri is the caller's fetch).
///
/// Errors carry the code whose specErrorCode() is the answer's `error`:
/// the JWT's own faults are InvalidRequestObject ("invalid_request_object")
/// or InvalidClient ("invalid_client"), with the claim or header in
/// Error::claim and the rule ("12.1.1.1 sub", "RFC 7523 3 aud", ...);
/// trust: NoTrustAnchor ("invalid_trust_anchor"), the validation codes
/// ("invalid_trust_chain"), PolicyViolation / PolicyConflict /
/// InvalidMetadata ("invalid_metadata": the metadata is against the
/// federation's policy, lacks the entity type, or has no usable keys); the
/// ProtocolKeyStore's fetch codes; Unavailable / Timeout
/// ("temporarily_unavailable": a fetch, or the replay store, failed; fail
/// closed). Per 12.1.3, a caller answering an authorization request must not
/// redirect on the trust errors (they are for PAR error responses).
///
/// Thread safety: the functions may run on many threads at once with the
/// same Resolver, ProtocolKeyStore and ReplayStore.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jws.h>
#include <oidfed/protocol_keys.h>
#include <oidfed/replay_store.h>
#include <oidfed/resolver.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

/// The typ of a Request Object (RFC 9101 4, the spec's examples).
inline constexpr std::string_view kRequestObjectType = "oauth-authz-req+jwt";

struct AutomaticRegistrationOptions {
    /// The client's entity type: openid_relying_party for an OP,
    /// oauth_client for an OAuth authorization server, or any other a
    /// caller names (never federation_entity).
    std::string entityType = "openid_relying_party";
    /// Anchors a client may be trusted under, in order of preference; empty:
    /// every anchor of the resolver. A presented chain narrows them to its
    /// own anchor.
    std::vector<std::string> trustAnchors{};
    /// Leeway on exp, iat and nbf. Range 0 .. 10 min.
    std::chrono::seconds clockSkew{60};
    /// exp at most this far ahead, and iat at most this far back: a JWT
    /// meant to live longer is refused (its jti would have to be kept that
    /// long; keep it within ReplayStoreOptions::maxLifetime). Range 1 s ..
    /// 1 day. Default 10 min.
    std::chrono::seconds maxJwtLifetime{600};
    /// Refuse a Request Object without a trust_chain header (spec 18.1: a
    /// presented chain is checked against the anchor keys without
    /// discovery). Client assertions are not held to it.
    bool requireTrustChain = false;
    /// Statements in a presented trust_chain / peer_trust_chain; more is
    /// refused. Range 1 .. 64.
    std::size_t maxChainStatements = 16;
    /// Size and JSON limits of the JWT itself.
    JwsLimits jws{};
};

/// InvalidArgument naming the field in Error::claim when a field is out of
/// range.
Result<void> validateAutomaticRegistrationOptions(const AutomaticRegistrationOptions &options);

/// What the verification borrows, per call. Everything outlives the call.
struct AutomaticRegistrationContext {
    EntityId op;                   ///< this OP / AS: the Entity Identifier a JWT's aud must name
    Resolver &resolver;            ///< pinned anchors, fetcher, budget
    ProtocolKeyStore &keys;        ///< protocol keys through the guarded fetcher
    ReplayStore &replay;           ///< jti single use (in process, or shared through Redis)
    UnixTime now = 0;
    /// How a peer_trust_chain is validated: give it the resolver's statement
    /// options, clock skew and operator registry.
    ChainValidationOptions validation{};
    /// Client assertions only: endpoint URLs of this OP also accepted as aud
    /// (RFC 7523 3: "the token endpoint URL of the authorization server MAY
    /// be used"; e.g. the token and PAR endpoints). Empty (the default): the
    /// Entity Identifier only, as 12.1.1.2 requires.
    std::vector<std::string> assertionAudiences{};
    bool explain = false;          ///< fill VerifiedClient::report fully
};

/// A client whose chain, metadata and keys verified.
struct VerifiedClient {
    EntityId clientId;             ///< the Entity Identifier (= client_id, iss)
    std::string entityType;        ///< options.entityType
    EntityId trustAnchor;          ///< the selected chain's anchor
    /// When trust in the client must be established again: the chain's
    /// expiry (12.3: no use of the registration past the chain).
    UnixTime expiresAt = 0;
    /// The resolved metadata of entityType in RFC 7591 client metadata
    /// shape: the parameters as the federation resolved them, with
    /// "client_id" set to the Entity Identifier (12.1: no secret is issued).
    Json clientMetadata = Json::object();
    std::shared_ptr<const ProtocolKeys> keys{};  ///< the verified protocol keys
    std::shared_ptr<const TrustChain> chain{};   ///< the selected chain
    /// The verified JWT's claims (none for lookupClient).
    Json claims{};
    /// Whether a presented trust_chain was used as the path (pathHint), the
    /// candidates and problems of the resolution.
    ResolveReport report{};
};

/// A verified client as JSON, the answer of the trust API and of `oidfed
/// verify-request` (docs/trust-api.md is its contract):
///   {"client_id", "entity_type", "trust_anchor", "expires_at",
///    "client_metadata": the resolved metadata with client_id,
///    "jwks": the verified protocol keys (a public JWK Set),
///    "keys_source": "jwks" | "signed_jwks_uri" | "jwks_uri",
///    "keys_uri"?: the URI they were read from, "keys_expires_at",
///    "trust_chain": the selected chain's statements (subject first),
///    "claims"?: the verified JWT's claims (absent for a lookup)}.
Json verifiedClientJson(const VerifiedClient &client);

/// Resolves `clientId` (collection from its Entity Configuration) and its
/// protocol keys: the client lookup of a trust API. Errors as above, with
/// no JWT: InvalidArgument for a clientId that is not an Entity Identifier.
Result<VerifiedClient> lookupClient(std::string_view clientId, const AutomaticRegistrationContext &context,
                                    const AutomaticRegistrationOptions &options = {});

/// Verifies a Request Object by value (12.1.1.1, RFC 9101), every refusal
/// InvalidRequestObject unless it is about trust (see the file comment):
///  - alg none or HMAC, not a compact JWS (claim "alg" / "request", rule
///    "12.1.1.1 signed"); typ other than oauth-authz-req+jwt or JWT (absent
///    is accepted; claim "typ", rule "RFC 9101 4 typ");
///  - iss, client_id REQUIRED, equal, an Entity Identifier (claim "iss" /
///    "client_id", rule "12.1.1.1 iss" / "12.1.1.1 client_id"); equal to
///    `clientIdParameter`, the authorization request's own client_id, when
///    given (RFC 9101 5);
///  - sub present (claim "sub", rule "12.1.1.1 sub": it would let the
///    Request Object pass as a private_key_jwt assertion);
///  - aud REQUIRED, this OP only: the Entity Identifier as a string or as an
///    array of that one value (claim "aud", rule "12.1.1.1 aud");
///  - jti REQUIRED, a non-empty string (rule "12.1.1.1 jti"); exp REQUIRED,
///    a number, not passed, at most maxJwtLifetime ahead (rule "12.1.1.1
///    exp"); iat, when present, not in the future nor older than
///    maxJwtLifetime; nbf, when present, not in the future (rule "12.1.1.1
///    iat" / "RFC 7519 nbf");
///  - the trust_chain / peer_trust_chain headers: arrays of JWT strings,
///    at most maxChainStatements (claim the header, rule "4.3 trust_chain" /
///    "4.4 peer_trust_chain"); both ending at the same anchor (rule
///    "12.1.1.1 same trust anchor"); requireTrustChain;
///  - the signature with the client's protocol keys: KeyNotFound-like (kid
///    absent or not among them, including a Federation Entity Key where the
///    metadata publishes other keys) is claim "kid", a bad signature claim
///    "signature", rule "12.1.1.1.2 step 6";
///  - a jti used before in this OP's scope for the client: claim "jti",
///    rule "12.1.1.1 jti single use".
Result<VerifiedClient> verifyRequestObject(std::string_view requestObject, const AutomaticRegistrationContext &context,
                                           const AutomaticRegistrationOptions &options = {},
                                           std::string_view clientIdParameter = {});

/// Verifies a private_key_jwt client assertion (12.1.1.2; OIDC Core 9, RFC
/// 7523 3) presented at this OP's PAR or token endpoint, every refusal of
/// the JWT itself InvalidClient: the same JWS rules (typ absent, JWT or
/// client-authentication+jwt); iss == sub == the client's Entity
/// Identifier (claims "iss", "sub", rule "RFC 7523 3 iss" / "RFC 7523 3
/// sub"), and == `clientIdParameter` (the request's client_id) when given;
/// aud this OP's Entity Identifier, or one of context.assertionAudiences,
/// as a string or an array of one value (rule "12.1.1.2 aud"); jti
/// (single use, scope apart from Request Objects) and exp REQUIRED, iat and
/// nbf as for a Request Object (rules "RFC 7523 3 ..."); the signature with
/// the client's protocol keys (rule "12.1.1.2 keys"). A trust_chain header
/// is used as a path hint as for a Request Object.
Result<VerifiedClient> verifyClientAssertion(std::string_view assertion, const AutomaticRegistrationContext &context,
                                             const AutomaticRegistrationOptions &options = {},
                                             std::string_view clientIdParameter = {});

} // namespace oidfed
