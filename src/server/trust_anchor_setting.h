// TrustAnchorSetting: a trust anchor as oidfed.json names it for a role that
// resolves (the resolver, explicit registration): pinned keys, or none for
// an anchor hosted by the same server (its published keys are used).
#pragma once

#include <optional>

#include <oidfed/entity_id.h>
#include <oidfed/jwk.h>

namespace oidfed::server {

struct TrustAnchorSetting {
    EntityId entityId;
    std::optional<JwkSet> jwks{};
};

} // namespace oidfed::server
