// A small federation built at run time for tests: entities with generated
// keys, and signed Entity Configurations and Subordinate Statements about
// them, issued through the library's own issuing functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/statement_issuer.h>
#include <oidfed/trust_anchor.h>

namespace oidfed::test {

struct TestEntity {
    EntityId id;
    Jwk key;        ///< private signing key
    JwkSet jwks;    ///< its public half
    Json metadata;  ///< entity type -> parameters
    std::vector<EntityId> authorityHints;
    Json trustMarks{};        ///< EC trust_marks claim (null: none)
    Json trustMarkIssuers{};  ///< EC trust_mark_issuers claim (null: none)
};

/// What a superior says about a subordinate, beyond its keys.
struct SubordinateClaims {
    Json metadata;        ///< null: none
    Json metadataPolicy;  ///< null: none
    Json constraints;     ///< null: none
    std::vector<std::string> metadataPolicyCrit;
};

/// Metadata of an authority: federation_entity with its fetch endpoint at
/// `<id>/fetch`.
Json authorityMetadata(const std::string &id);

/// authorityMetadata() plus a list endpoint at `<id>/list` (a federation
/// walked top down: oidfed graph, monitor, policy impact).
Json listingAuthorityMetadata(const std::string &id);

/// Where a resolver looks for `id`'s Entity Configuration (spec 9).
std::string wellKnown(const std::string &id);

/// The fetch endpoint URL (at `<superior>/fetch`, as authorityMetadata()
/// publishes it) that returns `superior`'s statement about `subject`.
std::string fetchUrl(const std::string &superior, const std::string &subject);

class TestFederation {
public:
    /// iat/exp given to every statement unless overridden.
    TestFederation(UnixTime iat = 1767790000, UnixTime exp = 1767890000) : iat_(iat), exp_(exp) {}

    /// Adds an entity (ES256 key unless `alg` says otherwise). Hints are
    /// entity ids of superiors. Throws on bad input (test code).
    TestEntity &add(const std::string &id, Json metadata, std::vector<std::string> authorityHints = {},
                    JwsAlgorithm alg = JwsAlgorithm::ES256);
    TestEntity &entity(const std::string &id);

    std::string entityConfiguration(const std::string &id) const;
    std::string entityConfiguration(const std::string &id, UnixTime iat, UnixTime exp) const;
    std::string subordinateStatement(const std::string &superior, const std::string &subject,
                                     const SubordinateClaims &claims = {}) const;
    std::string subordinateStatement(const std::string &superior, const std::string &subject,
                                     const SubordinateClaims &claims, UnixTime iat, UnixTime exp) const;

    /// The pin of `id` (its entity id and public keys).
    TrustAnchor anchor(const std::string &id) const;
    /// Writes that pin as a --trust-anchor-file ({"entity_id", "jwks"}).
    void writeAnchorFile(const std::string &id, const std::string &path) const;

    /// Generates a key and adds it to the keys `id` publishes, which still
    /// signs with its own key (an anchor whose published keys differ from an
    /// earlier pin, G03). Returns the new key. Throws on failure (test code).
    Jwk publishExtraKey(const std::string &id);

    UnixTime iat() const { return iat_; }
    UnixTime exp() const { return exp_; }

private:
    UnixTime iat_;
    UnixTime exp_;
    std::map<std::string, TestEntity> entities_;
};

} // namespace oidfed::test
