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
    RoleProblems problems;  ///< nullptr: none arise while serving
    RoleExpiries expiries;  ///< nullptr: it relies on nothing that ends
    RoleRefresh refresh;    ///< nullptr: nothing to do periodically
    ItemKind kind;    ///< the problem reported when the step fails as a whole
    bool essential;   ///< failing at start leaves the entity out (not only the role)
};

// Every role, in the order they are built: an issuer before the entities
// (holders ask it for their marks), explicit registration before the entity
// (whose Entity Configuration publishes its endpoint only once it could be
// built), the entity before what serves it, the resolver before the
// authority (whose list filters use it), and before the crawl (whose
// crawler uses it too). The trust API needs only the hosted keys (its
// callers hosted here).
constexpr std::array<Role, 7> kRoles = {{
    {"trust_mark_issuer", buildTrustMarkIssuerRole, addTrustMarkIssuerRoutes, trustMarkIssuerProblemsNow,
     trustMarkIssuerExpiries, nullptr, ItemKind::TrustMarkIssuer, false},
    {"registration", buildRegistrationRole, addRegistrationRoutes, registrationProblemsNow, nullptr,
     refreshRegistration, ItemKind::Registration, false},
    {"entity", buildEntityRole, addEntityRoutes, entityProblemsNow, entityExpiries, nullptr, ItemKind::Entity, true},
    {"resolver", buildResolverRole, addResolverRoutes, nullptr, resolverExpiries, nullptr, ItemKind::Resolver, false},
    {"trust_api", buildTrustApiRole, addTrustApiRoutes, nullptr, nullptr, nullptr, ItemKind::TrustApi, false},
    {"crawl", buildCrawlRole, addCrawlRoutes, nullptr, nullptr, nullptr, ItemKind::Resolver, false},
    {"authority", buildAuthorityRole, addAuthorityRoutes, nullptr, nullptr, nullptr, ItemKind::Authority, false},
}};

enum class SlotState { Building, KeptPrevious, LeftOut };

// Keys first: a subordinate or trust anchor hosted here takes its keys from
// its own key store. openAll: on a first start, thousands of stores are
// created with their writes made durable together, not four fsyncs each.
// A store that cannot be loaded keeps its previous snapshot (a reload) or
// leaves its entity out.
void openKeyStores(SnapshotBuild &build, std::vector<SlotState> &states)
{
    std::vector<entity::KeyStoreLocation> locations;
    for (const HostedEntityConfig &hosted : build.entities)
        locations.push_back({hosted.entity.keysDir, hosted.entity.keys});
    std::vector<Result<entity::KeyStore>> opened = entity::KeyStore::openAll(locations, build.now);
    for (std::size_t i = 0; i < build.entities.size(); ++i) {
        const HostedEntityConfig &hosted = build.entities[i];
        Result<entity::KeyStore> &keys = opened[i];
        if (!keys) {
            const EntitySlot *previous = build.previousSlot(i);
            Error error = std::move(keys).error();
            error.message = "keys in " + hosted.entity.keysDir.string() + ": " + error.message;
            build.report(i, ItemKind::Keys, hosted.entity.keysDir.string(), hosted.entity.keysDir.string(),
                         std::move(error), previous ? ItemFallback::Previous : ItemFallback::LeftOut);
            if (!previous) {
                states[i] = SlotState::LeftOut;
                build.keyStores.emplace_back();
                continue;
            }
            keys = previous->entity->keys();
        }
        build.hostedKeys.emplace(hosted.entity.entityId.str(), keys->publishedKeys(build.now));
        build.keyStores.emplace_back(std::move(keys).value());
    }
}

// The entities' settings, with the jwks of every trust_mark_owners entry
// whose owner is hosted here (and that gives none) filled in. A type whose
// owner's keys are not available is removed from trust_mark_owners and
// trust_mark_issuers alike, so that relying parties refuse its marks (an
// unrecognised type) rather than accept them without a delegation.
void settingsWithHostedOwners(SnapshotBuild &build)
{
    for (std::size_t i = 0; i < build.entities.size(); ++i) {
        entity::HostedEntitySettings settings = build.entities[i].entity;
        if (settings.trustMarkOwners.isObject()) {
            std::vector<std::string> unowned;
            for (auto &[type, owner] : settings.trustMarkOwners.asObject()) {
                const std::string *sub = owner.isObject() ? owner.findString("sub") : nullptr;
                if (!sub || owner.contains("jwks"))
                    continue;  // the statement issuer checks the shape
                std::optional<JwkSet> jwks = build.hostedKeysOf(*sub);
                if (!jwks) {
                    build.report(i, ItemKind::TrustMarkOwner, type, {},
                                 Error(ErrorCode::InvalidArgument,
                                       "trust_mark_owners." + type + " has no jwks and " + *sub +
                                           " is not served by this server; the type is left out of "
                                           "trust_mark_owners and trust_mark_issuers"),
                                 ItemFallback::LeftOut);
                    unowned.push_back(type);
                    continue;
                }
                owner.set("jwks", jwks->toJson());
            }
            for (const std::string &type : unowned) {
                settings.trustMarkOwners.erase(type);
                if (settings.trustMarkIssuers.isObject())
                    settings.trustMarkIssuers.erase(type);
            }
            if (settings.trustMarkOwners.size() == 0)
                settings.trustMarkOwners = Json();
            if (settings.trustMarkIssuers.isObject() && settings.trustMarkIssuers.size() == 0)
                settings.trustMarkIssuers = Json();
        }
        build.settings.push_back(std::move(settings));
    }
}

void addRoutes(ServiceSnapshot &snapshot)
{
    for (std::size_t i = 0; i < snapshot.slots.size(); ++i) {
        const EntitySlot &slot = snapshot.slots[i];
        const entity::HostedEntity &hosted = *slot.entity;
        const std::string &id = hosted.entityId().str();
        snapshot.origins.insert(lowercaseAscii(id.substr(0, id.find("://"))) + "://" +
                                lowercaseAscii(hosted.authority()));
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

std::vector<TrustAnchor> SnapshotBuild::pinnedAnchors(std::size_t index,
                                                      const std::vector<TrustAnchorSetting> &settings)
{
    std::vector<TrustAnchor> anchors;
    for (const TrustAnchorSetting &setting : settings) {
        // An anchor hosted here needs no pinned jwks: its published keys.
        // One that has none is left out; the others are used.
        std::optional<JwkSet> jwks = setting.jwks ? setting.jwks : hostedKeysOf(setting.entityId.str());
        if (!jwks) {
            report(index, ItemKind::TrustAnchor, setting.entityId.str(), {},
                   Error(ErrorCode::InvalidArgument,
                         "trust anchor " + setting.entityId.str() + " has no jwks and is not served by this server"),
                   ItemFallback::LeftOut);
            continue;
        }
        anchors.push_back(TrustAnchor{setting.entityId, std::move(*jwks)});
    }
    return anchors;
}

const EntitySlot *SnapshotBuild::previousSlot(std::size_t index) const
{
    if (!previous)
        return nullptr;
    const EntityId &id = entities[index].entity.entityId;
    for (const EntitySlot &slot : previous->slots)
        if (slot.entity->entityId() == id)
            return &slot;
    return nullptr;
}

void SnapshotBuild::report(std::size_t index, ItemKind kind, std::string item, std::string file, Error error,
                           ItemFallback fallback)
{
    problems.push_back(ItemProblem{.entity = entities[index].entity.entityId.str(),
                                   .kind = kind,
                                   .item = std::move(item),
                                   .file = std::move(file),
                                   .error = std::move(error),
                                   .fallback = fallback});
}

Result<std::shared_ptr<ServiceSnapshot>> buildSnapshot(const ServerConfig &config, UnixTime now,
                                                             const SnapshotDependencies &dependencies,
                                                             const ServiceSnapshot *previous)
{
    SnapshotBuild build{.entities = config.entities,
                        .options = config.options,
                        .now = now,
                        .localFetcher = dependencies.localFetcher,
                        .upstream = dependencies.upstream,
                        .clock = dependencies.clock,
                        .sharedCache = dependencies.sharedCache,
                        .resolveShared = dependencies.resolveShared,
                        .crawlState = dependencies.crawlState,
                        .previous = previous};
    std::vector<SlotState> states(config.entities.size(), SlotState::Building);
    openKeyStores(build, states);
    settingsWithHostedOwners(build);

    std::vector<EntitySlot> slots(config.entities.size());
    for (const Role &role : kRoles) {
        for (std::size_t i = 0; i < slots.size(); ++i) {
            if (states[i] != SlotState::Building)
                continue;
            Result<void> built = role.build(build, i, slots[i]);
            if (built)
                continue;
            // The step failed as a whole: the entity's last good state, or
            // without one the role (or the entity) is left out.
            const EntitySlot *before = build.previousSlot(i);
            const std::string &id = config.entities[i].entity.entityId.str();
            build.report(i, role.kind, id, {}, std::move(built).error(),
                         before ? ItemFallback::Previous : ItemFallback::LeftOut);
            if (before) {
                slots[i] = *before;
                states[i] = SlotState::KeptPrevious;
                build.hostedKeys.insert_or_assign(id, before->entity->keys().publishedKeys(now));
                if (before->issuer)
                    build.issuersById->insert_or_assign(id, before->issuer);
            } else if (role.essential) {
                states[i] = SlotState::LeftOut;
                build.hostedKeys.erase(id);
            }
        }
    }

    auto snapshot = std::make_shared<ServiceSnapshot>();
    for (std::size_t i = 0; i < slots.size(); ++i)
        if (states[i] != SlotState::LeftOut)
            snapshot->slots.push_back(std::move(slots[i]));
    snapshot->problems = std::move(build.problems);
    addRoutes(*snapshot);
    for (const auto &[path, routes] : snapshot->routes)
        if (isProcessPath(path))
            return fail(ErrorCode::InvalidArgument, "an entity's endpoint would hide " + path);
    return snapshot;
}

std::vector<ItemProblem> problemsNow(const ServiceSnapshot &snapshot, UnixTime now)
{
    std::vector<ItemProblem> out;
    for (const EntitySlot &slot : snapshot.slots)
        for (const Role &role : kRoles)
            if (role.problems)
                role.problems(slot, now, out);
    return out;
}

void refreshRoles(const ServiceSnapshot &snapshot, UnixTime now)
{
    for (const EntitySlot &slot : snapshot.slots)
        for (const Role &role : kRoles)
            if (role.refresh)
                role.refresh(slot, now);
}

std::vector<ExpiringItem> expiriesOf(const ServiceSnapshot &snapshot)
{
    std::vector<ExpiringItem> out;
    for (const EntitySlot &slot : snapshot.slots)
        for (const Role &role : kRoles)
            if (role.expiries)
                role.expiries(slot, out);
    return out;
}

} // namespace oidfed::server
