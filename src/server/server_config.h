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
#include "server/crawl_settings.h"
#include "server/registration_settings.h"
#include "server/server_options.h"
#include "server/trust_anchor_setting.h"
#include "server/trust_api_settings.h"

namespace oidfed::server {

struct HostedEntityConfig {
    entity::HostedEntitySettings entity;
    /// Set when the entity serves the resolve endpoint.
    std::vector<TrustAnchorSetting> resolverTrustAnchors{};
    /// Set when the resolver crawls the federations under its trust anchors
    /// ("resolver.crawl", crawler.h, crawl_role.cpp).
    std::optional<CrawlSettings> crawl{};
    /// Set when the entity accepts explicit registration
    /// ("explicit_registration", registration_role.cpp).
    std::optional<RegistrationSettings> registration{};
    /// Set when the entity serves the trust API to its modules
    /// ("trust_api", trust_api_role.cpp).
    std::optional<TrustApiSettings> trustApi{};
};

struct ServerConfig {
    ServerOptions options{};
    std::vector<HostedEntityConfig> entities{};
    /// The top-level members of the file other than "entities" and
    /// "comment", as read: a reload applies only the entities and compares
    /// these to name the changes that need a restart.
    Json restartMembers = Json::object();
};

/// The kind of value a member of the file holds.
enum class ConfigValueKind {
    Integer,      ///< an integer (a count, or a duration in `unit`)
    Boolean,      ///< true or false
    String,       ///< a non-empty string (a path, a URL, a name)
    Strings,      ///< an array of strings
    Object,       ///< a JSON object (its members may be listed too)
    Array,        ///< a JSON array copied as it is
    ObjectArray,  ///< an array of objects, whose members are listed as "name[].member"
    Any,          ///< anything ("comment")
};

/// One member the configuration file accepts, as the reader's tables
/// declare it: the allow-list, the reader and this list are one table.
struct ConfigMember {
    /// e.g. "fetch.connect_timeout_ms"; a member of each element of an array
    /// is "entities[].keys_dir".
    std::string path;
    /// The field it fills as the validate function of its scope names it in
    /// Error::claim ("fetch.connectTimeout", "configurationLifetime"); empty
    /// when no validate function checks it.
    std::string field;
    /// Where `field` is relative to: "" for ServerOptions
    /// (validateServerOptions), "entities[]" for HostedEntitySettings
    /// (validateHostedEntitySettings), the array of another element.
    std::string scope;
    ConfigValueKind kind = ConfigValueKind::Any;
    std::string unit;  ///< "ms" or "s" for a duration, else empty
    bool required = false;
};

/// Every member of the file, nested ones included, in the order they are
/// read. For tests and documentation checks.
std::vector<ConfigMember> describeServerConfig();

/// Parses the configuration. `baseDir` anchors relative paths. Ranges are
/// those of validateServerOptions() and validateHostedEntitySettings().
/// InvalidArgument naming the member in the message and in Error::claim, as
/// its JSON path (e.g. `entities[1].keys_dir`; the innermost member of a
/// nested one); a value out of range has the message "<path>: must be ..."
/// (e.g. "resolver_limits.max_chain_depth: must be 1..32").
Result<ServerConfig> parseServerConfig(const Json &json, const std::filesystem::path &baseDir);

/// Reads and parses a configuration file (at most 64 MiB).
Result<ServerConfig> loadServerConfig(const std::filesystem::path &file);

} // namespace oidfed::server
