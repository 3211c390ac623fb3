#include "server/snapshot_builder.h"

#include <array>
#include <string_view>

#include "server/process_endpoints.h"
#include "server/roles.h"

namespace oidfed::server {

namespace {

struct Role {
    std::string_view name;
    RoleBuild build;
    RoleRoutes routes;
};

// Every role, in the order they are built: an issuer before the entities
// (holders ask it for their marks), the entity before what serves it, the
// resolver before the authority (whose list filters use it).
constexpr std::array<Role, 4> kRoles = {{
    {"trust_mark_issuer", buildTrustMarkIssuerRole, addTrustMarkIssuerRoutes},
    {"entity", buildEntityRole, addEntityRoutes},
    {"resolver", buildResolverRole, addResolverRoutes},
    {"authority", buildAuthorityRole, addAuthorityRoutes},
}};

// Keys first: a subordinate or trust anchor hosted here takes its keys from
// its own key store. openAll: on a first start, thousands of stores are
// created with their writes made durable together, not four fsyncs each.
Result<void> openKeyStores(SnapshotBuild &build)
{
    std::vector<entity::KeyStoreLocation> locations;
    for (const HostedEntityConfig &hosted : build.entities)
        locations.push_back({hosted.entity.keysDir, hosted.entity.keys});
    std::vector<Result<entity::KeyStore>> opened = entity::KeyStore::openAll(locations, build.now);
    for (std::size_t i = 0; i < build.entities.size(); ++i) {
        const HostedEntityConfig &hosted = build.entities[i];
        Result<entity::KeyStore> &keys = opened[i];
        if (!keys)
            return fail(keys.error().code, hosted.entity.entityId.str() + ": keys in " +
                                               hosted.entity.keysDir.string() + ": " + keys.error().message);
        build.hostedKeys.emplace(hosted.entity.entityId.str(), keys->publishedKeys(build.now));
        build.keyStores.push_back(std::move(keys).value());
    }
    return ok();
}

// The entities' settings, with the jwks of every trust_mark_owners entry
// whose owner is hosted here (and that gives none) filled in.
Result<void> settingsWithHostedOwners(SnapshotBuild &build)
{
    for (const HostedEntityConfig &hosted : build.entities) {
        entity::HostedEntitySettings settings = hosted.entity;
        if (settings.trustMarkOwners.isObject()) {
            for (auto &[type, owner] : settings.trustMarkOwners.asObject()) {
                const std::string *sub = owner.isObject() ? owner.findString("sub") : nullptr;
                if (!sub || owner.contains("jwks"))
                    continue;  // the statement issuer checks the shape
                std::optional<JwkSet> jwks = build.hostedKeysOf(*sub);
                if (!jwks)
                    return fail(ErrorCode::InvalidArgument, settings.entityId.str() + ": trust_mark_owners." + type +
                                                                " has no jwks and " + *sub +
                                                                " is not hosted by this server");
                owner.set("jwks", jwks->toJson());
            }
        }
        build.settings.push_back(std::move(settings));
    }
    return ok();
}

void addRoutes(ServiceSnapshot &snapshot)
{
    for (std::size_t i = 0; i < snapshot.slots.size(); ++i) {
        const EntitySlot &slot = snapshot.slots[i];
        const entity::HostedEntity &hosted = *slot.entity;
        const std::string &id = hosted.entityId().str();
        snapshot.origins.insert(lowercaseAscii(id.substr(0, id.find("://"))) + "://" + lowercaseAscii(hosted.authority()));
        RouteAdder adder(snapshot.routes, hosted.pathPrefix(), i);
        for (const Role &role : kRoles)
            role.routes(slot, adder);
    }
}

} // namespace

std::optional<JwkSet> SnapshotBuild::hostedKeysOf(const std::string &entityId) const
{
    auto it = hostedKeys.find(entityId);
    return it == hostedKeys.end() ? std::nullopt : std::optional<JwkSet>(it->second);
}

Result<std::shared_ptr<const ServiceSnapshot>> buildSnapshot(const ServerConfig &config, UnixTime now,
                                                             const SnapshotDependencies &dependencies)
{
    SnapshotBuild build{.entities = config.entities,
                        .options = config.options,
                        .now = now,
                        .localFetcher = dependencies.localFetcher,
                        .upstream = dependencies.upstream,
                        .clock = dependencies.clock,
                        .sharedCache = dependencies.sharedCache,
                        .resolveShared = dependencies.resolveShared};
    OIDFED_TRY_VOID(openKeyStores(build));
    OIDFED_TRY_VOID(settingsWithHostedOwners(build));

    auto snapshot = std::make_shared<ServiceSnapshot>();
    snapshot->slots.resize(config.entities.size());
    for (const Role &role : kRoles)
        for (std::size_t i = 0; i < snapshot->slots.size(); ++i)
            OIDFED_TRY_VOID(role.build(build, i, snapshot->slots[i]));

    addRoutes(*snapshot);
    for (const auto &[path, routes] : snapshot->routes)
        if (isProcessPath(path))
            return fail(ErrorCode::InvalidArgument, "an entity's endpoint would hide " + path);
    return std::shared_ptr<const ServiceSnapshot>(std::move(snapshot));
}

} // namespace oidfed::server
