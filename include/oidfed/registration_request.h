/// Explicit Registration requests (spec 12.2.1, 12.2.2 steps 1-2): what an
/// RP posts to an OP's federation_registration_endpoint, read by the OP, and
/// built and signed by the RP.
///
/// A request is the RP's Entity Configuration with an `aud` naming the OP
/// (body `application/entity-statement+jwt`), optionally carrying the
/// `trust_chain` and `peer_trust_chain` JWS headers; or a trust chain whose
/// first element is that Entity Configuration (body
/// `application/trust-chain+json`, a JSON array of JWTs), which may not carry
/// `peer_trust_chain`. Parsing checks the request itself; trusting the RP is
/// the resolution's job (registration.h). Pure functions; safe from any
/// thread. The types are plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/statement_issuer.h>

namespace oidfed {

/// Media type of a trust chain sent as a registration request body (15.4).
inline constexpr std::string_view kTrustChainMediaType = "application/trust-chain+json";

/// Limits and switches for reading a request. Defaults suit a public endpoint.
struct RegistrationRequestOptions {
    /// Parsing limits of every statement (the request EC and the chains),
    /// and the test switches (entityIds.allowHttp).
    StatementOptions statements{};
    /// Leeway on the request EC's iat / exp. 0..10 min.
    std::chrono::seconds clockSkew{60};
    /// Bytes of the whole body; more is LimitExceeded. 1 KiB..16 MiB.
    std::size_t maxBodyBytes = 512 << 10;
    /// Statements in one presented chain (trust_chain, peer_trust_chain, a
    /// chain body); more is LimitExceeded. 1..64.
    std::size_t maxChainStatements = 16;
};

/// InvalidArgument, naming the field in Error::claim ("maxBodyBytes: must
/// be 1024..16777216"), when a limit is out of range.
Result<void> validateRegistrationRequestOptions(const RegistrationRequestOptions &options);

/// A request whose structure and self-signature were checked, and whose
/// `aud` is this OP. Nothing in it is trusted yet: the chains are unverified
/// compact JWTs until the registration resolves them.
struct RegistrationRequest {
    /// The RP's Entity Configuration as received (context
    /// RegistrationRequest): iss == sub == the RP, aud == the OP.
    EntityStatement configuration;
    /// The presented trust chain, RP's Entity Configuration first: the
    /// `trust_chain` header, or the whole chain body (whose first element is
    /// `configuration`). Empty when none was presented.
    std::vector<std::string> trustChain{};
    /// The `peer_trust_chain` header (the OP's chain as the RP resolved it,
    /// OP's Entity Configuration first). Empty when absent.
    std::vector<std::string> peerTrustChain{};
    /// The body was `application/trust-chain+json`.
    bool chainBody = false;

    const EntityId &rp() const noexcept { return configuration.subject(); }
};

/// Reads a request posted to the registration endpoint of `op`
/// (12.2.2 steps 1-2): chooses the form by `contentType` (media type
/// compared case-insensitively, parameters ignored); parses the RP's Entity
/// Configuration under the registration rules of 3.2
/// (StatementContext::RegistrationRequest); requires `aud` == `op`; checks
/// the EC's validity period at `now` (with clockSkew) and that it is signed
/// with a key of its own jwks; requires each presented chain to hold at most
/// maxChainStatements JWTs, and refuses peer_trust_chain with a chain body
/// (12.2.1). The statements of the presented chains are not judged here: a
/// trust_chain that fails is a path hint not taken (the registration falls
/// back to collection, 12.2.2 steps 3-5), a peer_trust_chain that fails
/// refuses the registration (step 6); both happen in registerClient().
///
/// Errors (Error::rule names the rule, claim the claim or header, entityId
/// the RP once known):
///  - InvalidArgument (spec error invalid_request): an unknown content type
///    (claim "Content-Type", rule "12.2.2 step 1"); a chain body that is not
///    a non-empty JSON array of strings (claim "trust_chain", rule "12.2.1
///    trust chain body"); aud not this OP (claim "aud", rule "12.2.2 step
///    2"); peer_trust_chain with a chain body (claim "peer_trust_chain",
///    rule "12.2.1 peer_trust_chain").
///  - LimitExceeded: body or chain beyond the limits (rule "12.2.1 limits").
///  - the codes of EntityStatement::parse for the EC itself (BadType,
///    MissingClaim, ClaimNotAllowed, InvalidClaim for a multi-valued aud,
///    Malformed for a chain header that is not an array of JWT strings, ...),
///    Expired / NotYetValid (rule "3.2 iat/exp"), KeyNotFound / BadSignature
///    when the EC is not signed with a key it publishes (rule "3.2
///    signature").
Result<RegistrationRequest> parseRegistrationRequest(std::string_view body, std::string_view contentType,
                                                     const EntityId &op, UnixTime now,
                                                     const RegistrationRequestOptions &options = {});

/// What an RP puts in its request (12.2.1).
struct RegistrationRequestClaims {
    /// The RP's Entity Configuration claims (iss = sub = entityId, iat, exp,
    /// jwks, metadata tailored to the OP, authority_hints leading to the
    /// chosen anchors, trust_marks...). authority_hints and metadata are
    /// REQUIRED in a request.
    EntityConfigurationClaims configuration;
    /// The OP (the single aud).
    EntityId op;
    /// Sent as the `trust_chain` header when not empty (RECOMMENDED: the
    /// RP's chain to the anchor it chose, its Entity Configuration first).
    std::vector<std::string> trustChain{};
    /// Sent as the `peer_trust_chain` header when not empty: the OP's chain
    /// to the same anchor, as the RP resolved it.
    std::vector<std::string> peerTrustChain{};
};

/// Signs a request EC with the RP's current Federation Entity Key
/// (`signingKey`, whose kid must be in configuration.jwks), then parses it
/// back under the registration rules, so the RP never sends what an OP
/// must refuse. Returns the compact JWT (the body, media type
/// application/entity-statement+jwt). Errors: InvalidArgument for a key not
/// in jwks or an extra claim redefining a spec claim; the parse errors
/// otherwise (e.g. MissingClaim for no authority_hints).
Result<std::string> issueRegistrationRequest(const RegistrationRequestClaims &claims, const Jwk &signingKey,
                                             const StatementOptions &options = {});

} // namespace oidfed
