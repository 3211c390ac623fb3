// ServerConfig: the one JSON configuration file of `oidfed serve` and
// `oidfed check-config` (PRODUCT.md 3.2), parsed strictly: unknown members
// are errors, so a typo never passes silently. Relative paths are relative to
// the directory of the file. Every member is documented in
// docs/configuration.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

#include "entity/hosted_entity.h"
#include "server/server_options.h"

namespace oidfed::server {

/// A trust anchor of a hosted resolver: pinned keys, or none for an anchor
/// hosted by the same server (its published keys are used).
struct TrustAnchorSetting {
    EntityId entityId;
    std::optional<JwkSet> jwks{};
};

struct HostedEntityConfig {
    entity::HostedEntitySettings entity;
    /// Set when the entity serves the resolve endpoint.
    std::vector<TrustAnchorSetting> resolverTrustAnchors{};
};

struct ServerConfig {
    ServerOptions options{};
    std::vector<HostedEntityConfig> entities{};
};

/// Parses the configuration. `baseDir` anchors relative paths.
/// InvalidArgument naming the member (e.g. `entities[1].keys_dir`).
Result<ServerConfig> parseServerConfig(const Json &json, const std::filesystem::path &baseDir);

/// Reads and parses a configuration file (at most 1 MiB).
Result<ServerConfig> loadServerConfig(const std::filesystem::path &file);

} // namespace oidfed::server
