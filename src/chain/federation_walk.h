// A federation walked top down from a trust anchor: its Entity
// Configuration, then each authority's list endpoint (spec 8.2), the
// Subordinate Statement about each listed entity from its fetch endpoint
// (8.1), and that entity's own Entity Configuration, level by level. What
// `oidfed graph` draws; each statement is checked against its issuer's keys
// as the walk found them (an entity's verdict under the anchor is the
// resolver's, not the walk's).
//
// Bounded: at most maxEntities entities and maxDepth levels below the
// anchor; a list longer than maxListSize is cut there. Every fetch goes
// through the caller's Fetcher (the guarded one, with its limits).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/error.h>
#include <oidfed/fetcher.h>
#include <oidfed/trust_anchor.h>

namespace oidfed::detail {

struct WalkOptions {
    std::size_t maxEntities = 1000;  ///< entities visited, the anchor included
    std::size_t maxDepth = 8;        ///< levels below the anchor
    std::size_t maxListSize = 10000; ///< ids taken from one list endpoint
    StatementOptions statements{};
};

struct WalkedEntity {
    std::string entityId;
    std::size_t depth = 0;                 ///< 0: the anchor
    bool authority = false;                ///< publishes a list endpoint
    std::vector<std::string> entityTypes{};
    UnixTime expiresAt = 0;                ///< its Entity Configuration's exp (0: none read)
    std::optional<Error> problem{};        ///< its Entity Configuration, or its list, failed
};

/// A Subordinate Statement: `issuer` says something about `subject`.
struct WalkedStatement {
    std::string issuer;
    std::string subject;
    UnixTime expiresAt = 0;          ///< 0: none read
    std::optional<Error> problem{};  ///< fetch, parse, iss/sub, signature or validity failed
};

struct FederationWalk {
    std::string trustAnchor;
    std::vector<WalkedEntity> entities{};      ///< in the order visited (the anchor first)
    std::vector<WalkedStatement> statements{}; ///< in the order fetched
    bool truncated = false;                    ///< a bound stopped the walk
};

FederationWalk walkFederation(const TrustAnchor &anchor, Fetcher &fetcher, const WalkOptions &options, UnixTime now);

} // namespace oidfed::detail
