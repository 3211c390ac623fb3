/// Explicit Registration responses (spec 12.2.3, 12.2.5): the OP signs one
/// for a registration it granted; the RP verifies the one it receives.
///
/// A response is an Entity Statement of its own type
/// (`explicit-registration-response+jwt`, media type
/// `application/explicit-registration-response+jwt`), issued by the OP about
/// the RP: iss the OP, sub and the single aud the RP, iat, exp (the
/// registration's end), jwks (a verbatim copy of the request EC's),
/// trust_anchor, one authority_hints element (the RP's Immediate Superior in
/// the selected chain) and metadata with the registered client metadata,
/// client_id included. Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/operator_registry.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

/// Media type of a registration response (15).
inline constexpr std::string_view kRegistrationResponseMediaType = "application/explicit-registration-response+jwt";

struct Registration;

/// What the OP (or the client store behind it) assigned to the client.
struct ClientCredentials {
    /// The client_id (12.2.2 step 8: MAY differ from the RP's Entity
    /// Identifier, e.g. the one an RFC 7591 OP assigned). REQUIRED.
    std::string clientId{};
    /// Further parameters for the response's client metadata, e.g.
    /// client_secret, client_secret_expires_at, client_id_issued_at. An
    /// object. registration_access_token and registration_client_uri are
    /// refused (12.2.2 step 8: they SHOULD NOT be issued; an RFC 7591
    /// bridge keeps its management token to itself).
    Json extra = Json::object();
};

/// Signs the response for `registration` as `op` at `now` with the OP's
/// current Federation Entity Key. The metadata is
/// {entityType: clientMetadata + client_id + credentials.extra}.
/// Errors: InvalidArgument when the key has no private part or kid, the
/// client_id is empty, credentials.extra is not an object, redefines a
/// registered parameter or holds registration_access_token /
/// registration_client_uri, a client_secret_expires_at (other than 0,
/// "never") falls before the registration's end (12.2.2 step 8), or the
/// registration has already ended at `now`; the parse errors of the result
/// (it is parsed back as a response before it is returned).
Result<std::string> issueRegistrationResponse(const Registration &registration, const ClientCredentials &credentials,
                                              const EntityId &op, UnixTime now, const Jwk &opKey);

/// What the RP knows when it reads a response (12.2.5).
struct RegistrationResponseCheck {
    /// This RP (the response's sub and aud).
    EntityId rp;
    /// The chain the RP resolved for the OP before registering (12.2.1):
    /// the response must be signed with a key present in the jwks of the
    /// Subordinate Statement the OP's Immediate Superior issued in it.
    /// REQUIRES: a chain of at least the OP's EC and one Subordinate
    /// Statement (an OP that is itself the anchor has none: its own keys
    /// from the anchor's pinned EC are used then).
    const TrustChain &opChain;
    /// The RP's trust anchors (entity ids); the response's trust_anchor must
    /// be one of them.
    std::vector<std::string> trustAnchors{};
    /// The request EC the RP sent: its authority_hints (one must be the
    /// response's), its entity types (the registered ones must be the same)
    /// and its jwks (the response's, when present, must equal it).
    const EntityStatement &request;
    /// The RP's own chain to the response's trust_anchor through the
    /// response's authority hint (Resolver::resolvePresented with the
    /// request EC, trustAnchors {trust_anchor} and immediateSuperior the
    /// hint). When given, its anchor and Immediate Superior must be those of
    /// the response, and its metadata policy is applied to the returned
    /// metadata (12.2.5 step 5). nullptr: not re-applied (then only the
    /// claims above are checked).
    const TrustChain *rpChain = nullptr;
    UnixTime now = 0;
    std::chrono::seconds clockSkew{60};
    StatementOptions statements{};
    /// Policy operators understood; nullptr means the standard seven.
    const OperatorRegistry *registry = nullptr;
};

/// A response that passed 12.2.5.
struct VerifiedRegistration {
    EntityId op;
    EntityId rp;
    EntityId trustAnchor;
    EntityId authorityHint;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
    std::string clientId{};
    /// The registered metadata as returned, keyed by entity type.
    Json metadata = Json::object();
    /// The same after the RP's chain's metadata policy (equal to metadata
    /// when no rpChain was given).
    Json resolvedMetadata = Json::object();
    bool policyReapplied = false;
    /// The response JWT as received.
    std::string jwt{};
};

/// Verifies a response per 12.2.5. Checks, in order: the statement's
/// structure (StatementContext::RegistrationResponse; BadType for another
/// typ, ...), iss == the OP (opChain's subject; InvalidClaim on iss), sub
/// and aud == rp (InvalidClaim), the signature with the keys of the OP's
/// Immediate Superior's Subordinate Statement in opChain (KeyNotFound /
/// BadSignature, rule "12.2.5 step 1"), iat / exp (NotYetValid / Expired),
/// trust_anchor one of trustAnchors (NoTrustAnchor, rule "12.2.5 step 3"),
/// authority_hints' element one of the request's (InvalidClaim, rule
/// "12.2.5 step 4"), jwks, when present, equal to the request's
/// (InvalidClaim, rule "12.2.3 jwks"), the registered entity types equal to
/// the requested ones (InvalidClaim on metadata, rule "12.2.5 step 5"),
/// client_id present (MissingClaim, rule "12.2.3 metadata"), and with
/// rpChain: its anchor and Immediate Superior those of the response
/// (InvalidClaim, rule "12.2.5 step 5") and its policy applied to the
/// returned metadata (PolicyViolation / PolicyConflict).
Result<VerifiedRegistration> verifyRegistrationResponse(std::string_view jwt, const RegistrationResponseCheck &check);

} // namespace oidfed
