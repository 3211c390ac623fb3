/// Building and signing Entity Statements (the issuing side of spec 3).
///
/// Each function assembles the claims from typed input, signs them with the
/// given private key, then parses the result back with EntityStatement::parse
/// (the very rules a receiver applies) and verifies its signature, so oidfed
/// never publishes a statement that oidfed itself would reject. Pure
/// functions of their input; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

namespace oidfed {

struct EntityConfigurationClaims {
    EntityId entityId;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
    JwkSet jwks{};                         ///< the entity's public Federation Entity Keys
    Json metadata = Json::object();        ///< entity type -> parameters (omitted when empty)
    std::vector<EntityId> authorityHints{};  ///< omitted when empty (trust anchors)
    std::vector<EntityId> trustAnchorHints{};
    Json trustMarks{};                     ///< array of {trust_mark_type, trust_mark}, or null
    Json trustMarkIssuers{};               ///< object, or null
    Json trustMarkOwners{};                ///< object, or null
    Json extraClaims = Json::object();     ///< further claims, merged last (must not redefine the above)
};

struct SubordinateStatementClaims {
    EntityId issuer;
    EntityId subject;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
    JwkSet jwks{};                         ///< the subject's keys, as registered with the issuer
    Json metadata{};                       ///< object, or null
    Json metadataPolicy{};                 ///< object, or null
    std::vector<std::string> metadataPolicyCrit{};
    Json constraints{};                    ///< object, or null
    std::string sourceEndpoint{};          ///< omitted when empty
    Json extraClaims = Json::object();
};

/// Signs an Entity Configuration with `signingKey`, whose kid must be in
/// claims.jwks. Errors: InvalidArgument for inconsistent input (a key not in
/// jwks, an extra claim redefining a spec claim), or whatever rule of
/// EntityStatement::parse the result would break.
Result<std::string> issueEntityConfiguration(const EntityConfigurationClaims &claims, const Jwk &signingKey,
                                             const StatementOptions &options = {});

/// Signs a Subordinate Statement with the issuer's `signingKey`.
/// REQUIRES: claims.issuer != claims.subject.
Result<std::string> issueSubordinateStatement(const SubordinateStatementClaims &claims, const Jwk &signingKey,
                                              const StatementOptions &options = {});

} // namespace oidfed
