/// oidfed::TrustChain — a trust chain that has passed every check of spec
/// 10.2 against a pinned trust anchor, with its resolved metadata.
///
/// Only the chain validator can create one (the constructor is reachable
/// from src/chain only), so a TrustChain in hand is always a verified one:
/// unverified statements have another type (EntityStatement). Immutable;
/// cached chains are shared as std::shared_ptr<const TrustChain> and may be
/// read from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/metadata_policy.h>

namespace oidfed {

namespace detail {
class TrustChainFactory;
}

/// A Trust Mark of the subject that passed spec 7.3.
struct VerifiedTrustMark {
    std::string trustMarkType;
    std::string issuer;
    std::string jwt;
    UnixTime expiresAt = -1;  ///< -1: the mark has no exp
};

class TrustChain {
public:
    const EntityId &subject() const noexcept { return parts_.subject; }
    const EntityId &trustAnchor() const noexcept { return parts_.trustAnchor; }
    /// Compact JWTs: the subject's Entity Configuration, the Subordinate
    /// Statements up the path, and the trust anchor's Entity Configuration
    /// last (the trust_chain of spec 4.3 / 8.3.2).
    const std::vector<std::string> &statements() const noexcept { return parts_.statements; }
    /// Entity identifiers from the subject up to the trust anchor.
    const std::vector<std::string> &path() const noexcept { return parts_.path; }
    /// min(exp) over the statements and the returned trust marks (10.4, 8.3.2).
    UnixTime expiresAt() const noexcept { return parts_.expiresAt; }
    /// Resolved metadata, keyed by entity type (6.1.4.2), restricted to the
    /// requested entity types when some were requested.
    const Json &metadata() const noexcept { return parts_.metadata; }
    /// Which statement set or changed each resolved parameter, in order.
    const std::vector<ParameterChange> &provenance() const noexcept { return parts_.provenance; }
    /// The subject's trust marks that passed 7.3; unverifiable ones are left out.
    const std::vector<VerifiedTrustMark> &trustMarks() const noexcept { return parts_.trustMarks; }
    /// The subject's Federation Entity Keys: the jwks of its Entity
    /// Configuration (the chain's first statement), which verified with
    /// these keys and, below a superior, with a key the superior's
    /// Subordinate Statement vouches for (10.2). What a signed_jwks_uri
    /// document of the subject is verified with (5.2.1).
    const JwkSet &subjectKeys() const noexcept { return parts_.subjectKeys; }

    /// The resolve-response claims, unsigned: {"sub", "trust_anchor", "exp",
    /// "metadata", "trust_marks" (when any), "trust_chain"}.
    Json toJson() const;

    struct Parts {
        EntityId subject;
        EntityId trustAnchor;
        std::vector<std::string> statements;
        std::vector<std::string> path;
        UnixTime expiresAt = 0;
        Json metadata;
        std::vector<ParameterChange> provenance;
        std::vector<VerifiedTrustMark> trustMarks;
        JwkSet subjectKeys{};
    };

private:
    friend class detail::TrustChainFactory;
    explicit TrustChain(Parts parts) : parts_(std::move(parts)) {}
    Parts parts_;
};

} // namespace oidfed
