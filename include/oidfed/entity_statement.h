/// oidfed::EntityStatement — a parsed Entity Statement whose structure has
/// been checked (spec 3, 3.2), but whose signature and validity period have
/// NOT been: an unverified statement. It can be inspected and passed to
/// verification, but it is never trusted by itself; only a verified trust
/// chain is (see the resolver). Immutable; share freely between threads.
///
/// Each rule of spec 3.2 is one named function in src/statement/ with its own
/// tests; parse() runs all the rules that need neither keys nor a clock. The
/// rules that need them are separate calls: verifySignature() (steps 10-12)
/// and checkValidityPeriod() (steps 7-8).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed {

/// The media type of a served Entity Statement.
inline constexpr std::string_view kEntityStatementMediaType = "application/entity-statement+jwt";
/// The required JWS "typ" of an Entity Statement. Compared exactly.
inline constexpr std::string_view kEntityStatementType = "entity-statement+jwt";
/// The required JWS "typ" of an Explicit Registration response (12.2.3),
/// an Entity Statement of its own kind. Compared exactly.
inline constexpr std::string_view kRegistrationResponseType = "explicit-registration-response+jwt";

/// Where a statement is read: the rules of spec 3.2 that depend on it (aud,
/// trust_anchor, the trust_chain / peer_trust_chain headers, claim
/// placement) differ between a federation statement and the two statements
/// of Explicit Registration (12.2). Every other rule is the same.
enum class StatementContext {
    /// Fetched, or part of a trust chain: aud and trust_anchor are refused,
    /// and so are the trust_chain / peer_trust_chain headers (3.2, 4.3, 4.4).
    Federation,
    /// The RP's Entity Configuration sent to an OP's registration endpoint
    /// (12.2.1): iss == sub; aud REQUIRED, one Entity Identifier (a string,
    /// or an array of exactly one); authority_hints and metadata REQUIRED;
    /// trust_anchor refused; the trust_chain and peer_trust_chain headers
    /// allowed, each a non-empty JSON array of strings (what the strings
    /// hold is judged by the registration, not here: 3.2 steps 24-25).
    /// Whether aud names the receiving OP is the receiver's check (12.2.2
    /// step 2; parseRegistrationRequest).
    RegistrationRequest,
    /// The OP's answer (12.2.3): typ explicit-registration-response+jwt;
    /// iss != sub; aud REQUIRED (one Entity Identifier), trust_anchor
    /// REQUIRED (an Entity Identifier), authority_hints REQUIRED with exactly
    /// one element, metadata REQUIRED; jwks OPTIONAL (jwks() is then empty);
    /// the Subordinate-Statement-only claims and trust_anchor_hints,
    /// trust_marks, trust_mark_issuers, trust_mark_owners refused; no
    /// trust_chain / peer_trust_chain header.
    RegistrationResponse,
};

struct StatementOptions {
    JwsLimits jws{};
    KeyLimits keys{};
    EntityIdOptions entityIds{};
    /// Claim names this caller understands when a statement lists them in
    /// "crit" (13.4). Spec-defined claims may never be listed there.
    std::vector<std::string> understoodCriticalClaims{};
    /// Non-standard metadata policy operators this caller understands when a
    /// statement lists them in "metadata_policy_crit" (6.1.3.2).
    std::vector<std::string> understoodPolicyOperators{};
};

class EntityStatement {
public:
    /// Parses a compact JWS and runs every structural rule of spec 3.2:
    /// typ, alg allow-list, kid present, no trust_chain / peer_trust_chain
    /// header, REQUIRED claims and their types, iss/sub Entity Identifiers,
    /// NumericDates (iat <= exp), a valid, non-empty jwks of public keys,
    /// claim placement (EC-only vs Subordinate-Statement-only), the syntax of
    /// authority_hints, trust_anchor_hints, metadata (no null values),
    /// metadata_policy, metadata_policy_crit, constraints, trust_marks,
    /// trust_mark_issuers, trust_mark_owners, source_endpoint, and crit.
    /// The first failing rule is returned; its Error names the rule and claim.
    static Result<EntityStatement> parse(std::string_view jwt, const StatementOptions &options = {});
    /// The same rules, with those of `context` (see StatementContext) in
    /// place of the federation ones. parse(jwt, options) is
    /// parse(jwt, options, StatementContext::Federation).
    static Result<EntityStatement> parse(std::string_view jwt, const StatementOptions &options,
                                         StatementContext context);

    StatementContext context() const noexcept { return context_; }

    bool isEntityConfiguration() const noexcept { return issuer_ == subject_; }
    const EntityId &issuer() const noexcept { return issuer_; }
    const EntityId &subject() const noexcept { return subject_; }
    UnixTime issuedAt() const noexcept { return iat_; }
    UnixTime expiresAt() const noexcept { return exp_; }
    /// The subject's Federation Entity Keys (the "jwks" claim).
    const JwkSet &jwks() const noexcept { return jwks_; }
    /// Entity Configuration's authority_hints (empty when absent).
    const std::vector<EntityId> &authorityHints() const noexcept { return authorityHints_; }

    /// The aud claim's single Entity Identifier; empty outside Explicit
    /// Registration (StatementContext::Federation).
    const std::string &audience() const noexcept { return audience_; }
    /// The trust_chain / peer_trust_chain JWS headers of a registration
    /// request, as sent (compact JWTs, not parsed); empty when absent, and
    /// always empty in the other contexts, which refuse them.
    const std::vector<std::string> &trustChainHeader() const noexcept { return trustChainHeader_; }
    const std::vector<std::string> &peerTrustChainHeader() const noexcept { return peerTrustChainHeader_; }

    /// All claims, as signed.
    const Json &claims() const noexcept { return claims_; }
    /// A claim, or nullptr when absent.
    const Json *claim(std::string_view name) const { return claims_.find(name); }
    /// The underlying JWS (header, signature, compact form).
    const Jws &jws() const noexcept { return jws_; }
    const std::string &compact() const noexcept { return jws_.compact(); }
    /// SHA-256 of compact(), base64url: names exactly these bytes (the
    /// resolver's verification memo is keyed by it). Computed by parse().
    const std::string &digest() const noexcept { return digest_; }

    /// Entity types present in "metadata", in order.
    std::vector<std::string> entityTypes() const;

    /// Steps 10-12: the header kid names a key of `issuerKeys` exactly and the
    /// signature verifies with it. For an Entity Configuration pass jwks().
    /// Errors: KeyNotFound, InvalidKey, BadSignature (with this statement's
    /// issuer as entity and rule "3.2 signature").
    Result<void> verifySignature(const JwkSet &issuerKeys) const;

    /// Steps 7-8: iat <= now + skew and now < exp + skew.
    /// Errors: NotYetValid, Expired.
    Result<void> checkValidityPeriod(UnixTime now, std::int64_t skewSeconds) const;

private:
    EntityStatement(Jws jws, Json claims, EntityId issuer, EntityId subject)
        : jws_(std::move(jws)), claims_(std::move(claims)), issuer_(std::move(issuer)), subject_(std::move(subject))
    {
    }

    Jws jws_;
    Json claims_;
    EntityId issuer_;
    EntityId subject_;
    UnixTime iat_ = 0;
    UnixTime exp_ = 0;
    JwkSet jwks_;
    std::vector<EntityId> authorityHints_;
    std::string digest_;
    StatementContext context_ = StatementContext::Federation;
    std::string audience_;
    std::vector<std::string> trustChainHeader_;
    std::vector<std::string> peerTrustChainHeader_;
};

/// Step 6: a Subordinate Statement's issuer must be one of the authority_hints
/// of its subject's Entity Configuration. InvalidClaim otherwise.
/// REQUIRES: subordinate is not an EC; subjectConfiguration is the EC of
/// subordinate.subject().
Result<void> checkIssuerIsAuthorityHint(const EntityStatement &subordinate, const EntityStatement &subjectConfiguration);

} // namespace oidfed
