// The entity itself: its key store, subordinates (for an authority), the
// trust marks it holds, and the documents it signs ahead of time; the
// Entity Configuration (spec 9) and historical keys (8.7) endpoints.

#include "server/roles.h"

#include "entity/held_trust_marks.h"
#include "entity/subordinate.h"
#include "server/entity_endpoints.h"
#include "server/server_log.h"
#include "server/trust_mark_fetch.h"

namespace oidfed::server {

namespace {

HttpResponse configuration(const EndpointCall &call)
{
    return configurationEndpoint(*call.slot.entity, call.now, call.request.ifNoneMatch);
}

HttpResponse historicalKeys(const EndpointCall &call)
{
    return historicalKeysEndpoint(*call.slot.entity, call.now, call.request.ifNoneMatch);
}

// The marks the entity obtains from issuers ("trust_mark_sources"): an
// issuer hosted here is asked directly, others at their endpoint.
std::shared_ptr<entity::HeldTrustMarks> heldMarks(const SnapshotBuild &build,
                                                  const entity::HostedEntitySettings &settings)
{
    if (settings.trustMarkSources.empty())
        return nullptr;
    const StatementOptions &statementOptions = build.options.resolver.statements;
    Fetcher &upstream = build.upstream;
    entity::HeldTrustMarks::Obtain obtain = [issuersById = build.issuersById, &upstream, statementOptions,
                                             holder = settings.entityId](const entity::HeldTrustMarkSetting &setting,
                                                                         UnixTime at) -> Result<std::string> {
        auto issuer = issuersById->find(setting.issuer.str());
        if (issuer == issuersById->end())
            return fetchHeldTrustMark(upstream, setting, holder, statementOptions);
        OIDFED_TRY(entity::DocumentPtr mark, issuer->second->mark(setting.trustMarkType, holder.str(), at));
        return mark->body;
    };
    return std::make_shared<entity::HeldTrustMarks>(settings.entityId, settings.trustMarkSources, std::move(obtain),
                                                    statementOptions, build.options.resolver.trustMarks.typValues);
}

} // namespace

// The authority's subordinates: each file on its own (a bad one keeps its
// previous record or is left out); the directory as it was when it cannot
// be read at all, or none.
std::shared_ptr<const entity::SubordinateSet> loadSubordinates(SnapshotBuild &build, std::size_t index,
                                                                const entity::SubordinateSet *previous)
{
    const std::filesystem::path &dir = *build.entities[index].entity.subordinatesDir;
    const EntityIdOptions idOptions{.allowHttp = build.options.allowHttp};
    auto loaded = entity::SubordinateSet::loadEachFile(dir, idOptions, previous);
    if (!loaded) {
        Error error = std::move(loaded).error();
        build.report(index, ItemKind::Subordinates, dir.string(), dir.string(), std::move(error),
                     previous ? ItemFallback::Previous : ItemFallback::LeftOut);
        if (previous)
            return build.previousSlot(index)->entity->subordinateSet();
        return entity::SubordinateSet::fromSubordinates({}).value();
    }
    for (entity::SubordinateProblem &problem : loaded->problems)
        build.report(index, ItemKind::Subordinate, problem.entityId.empty() ? problem.file : problem.entityId,
                     (dir / problem.file).string(), std::move(problem.error),
                     problem.keptPrevious ? ItemFallback::Previous : ItemFallback::LeftOut);
    return std::move(loaded->set);
}

Result<void> buildEntityRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    const EntitySlot *before = build.previousSlot(index);
    std::shared_ptr<const entity::SubordinateSet> previousSubordinates =
        before ? before->entity->subordinateSet() : nullptr;
    std::shared_ptr<const entity::SubordinateSet> subordinates;
    if (hosted.entity.subordinatesDir)
        subordinates = loadSubordinates(build, index, previousSubordinates.get());
    std::shared_ptr<entity::HeldTrustMarks> held = heldMarks(build, build.settings[index]);
    auto lookupHosted = [&build](const std::string &id) { return build.hostedKeysOf(id); };
    OIDFED_TRY(slot.entity, entity::HostedEntity::create(build.settings[index],
                                                         entity::HostedEntityParts{
                                                             .keys = std::move(*build.keyStores[index]),
                                                             .subordinates = std::move(subordinates),
                                                             .heldMarks = std::move(held),
                                                             .previousSubordinates = previousSubordinates},
                                                         lookupHosted, build.now, build.options.resolver.statements));
    if (hosted.entity.subordinatesDir)
        for (const entity::SubordinateProblem &problem : slot.entity->subordinateProblems())
            build.report(index, ItemKind::Subordinate, problem.entityId.empty() ? problem.file : problem.entityId,
                         (*hosted.entity.subordinatesDir / problem.file).string(), problem.error,
                         problem.keptPrevious ? ItemFallback::Previous : ItemFallback::LeftOut);
    if (slot.entity->heldMarks())
        for (const std::string &problem : slot.entity->heldMarks()->takeProblems())
            logLine(LogLevel::Warning, problem);
    return ok();
}

void addEntityRoutes(const EntitySlot &, RouteAdder &routes)
{
    routes.add(entity::kConfigurationPath, "entity_configuration", "GET", configuration);
    routes.add(entity::kHistoricalKeysPath, "historical_keys", "GET", historicalKeys);
}

void entityProblemsNow(const EntitySlot &slot, UnixTime, std::vector<ItemProblem> &out)
{
    const entity::HeldTrustMarks *held = slot.entity->heldMarks();
    if (!held)
        return;
    for (const entity::HeldTrustMarkState &state : held->states()) {
        if (!state.lastError)
            continue;
        out.push_back(ItemProblem{.entity = slot.entity->entityId().str(),
                                  .kind = ItemKind::HeldTrustMark,
                                  .item = state.trustMarkType + " from " + state.issuer.str(),
                                  .error = *state.lastError,
                                  .fallback = state.held ? ItemFallback::Degraded : ItemFallback::LeftOut});
    }
}

void entityExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out)
{
    const std::string &id = slot.entity->entityId().str();
    const entity::KeyStore &keys = slot.entity->keys();
    for (const entity::KeyRecord &record : keys.records())
        if (record.state == entity::KeyState::Retired && !record.revoked && record.expiresAt > 0)
            out.push_back(ExpiringItem{.entity = id,
                                       .kind = ExpiryKind::KeyRetired,
                                       .item = record.kid,
                                       .file = keys.directory().string(),
                                       .expiresAt = record.expiresAt,
                                       .note = "leaves the published keys: statements it signed stop verifying"});
    if (const entity::HeldTrustMarks *held = slot.entity->heldMarks())
        for (const entity::HeldTrustMarkState &state : held->states())
            if (state.held && state.expiresAt >= 0)
                out.push_back(ExpiringItem{.entity = id,
                                           .kind = ExpiryKind::TrustMarkHeld,
                                           .item = state.trustMarkType + " from " + state.issuer.str(),
                                           .expiresAt = state.expiresAt,
                                           .renewed = true});
}

} // namespace oidfed::server
