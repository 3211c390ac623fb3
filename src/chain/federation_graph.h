// A walked federation (federation_walk.h) judged entity by entity: each
// entity's chain resolved under the walk's anchor, and the whole as JSON.
// What `oidfed graph` prints and the web console's federation view draws.
#pragma once

#include <optional>
#include <vector>

#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/resolver.h>

#include "chain/federation_walk.h"

namespace oidfed::detail {

/// One walked entity with its verdict under the anchor.
struct JudgedEntity {
    WalkedEntity walked;
    bool valid = false;
    UnixTime chainExpiresAt = 0;
    std::optional<Error> why{};  ///< the resolver's error, or the walk's problem
};

/// Resolves every entity of `walk` under walk.trustAnchor with `resolver`
/// (explain as given), in the walk's order.
std::vector<JudgedEntity> judgeWalk(const FederationWalk &walk, Resolver &resolver, bool explain);

/// {"trust_anchor", "truncated", "entities": [{"entity_id", "depth",
/// "authority", "entity_types", "verdict": "valid"|"invalid",
/// "chain_expires_at" (or null), "error" (or null)}], "statements": [{"iss",
/// "sub", "exp" (or null), "verdict", "error" (or null)}]}.
Json federationGraphJson(const FederationWalk &walk, const std::vector<JudgedEntity> &entities);

} // namespace oidfed::detail
