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
                                                    statementOptions);
}

} // namespace

Result<void> buildEntityRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    const EntityIdOptions idOptions{.allowHttp = build.options.allowHttp};
    std::shared_ptr<const entity::SubordinateSet> subordinates;
    if (hosted.entity.subordinatesDir) {
        auto loaded = entity::SubordinateSet::loadDirectory(*hosted.entity.subordinatesDir, idOptions);
        if (!loaded)
            return fail(loaded.error().code, hosted.entity.entityId.str() + ": subordinates in " +
                                                 hosted.entity.subordinatesDir->string() + ": " +
                                                 loaded.error().message);
        subordinates = std::move(loaded).value();
    }
    std::shared_ptr<entity::HeldTrustMarks> held = heldMarks(build, build.settings[index]);
    auto lookupHosted = [&build](const std::string &id) { return build.hostedKeysOf(id); };
    OIDFED_TRY(slot.entity, entity::HostedEntity::create(std::move(build.settings[index]),
                                                         entity::HostedEntityParts{
                                                             .keys = std::move(build.keyStores[index]),
                                                             .subordinates = std::move(subordinates),
                                                             .heldMarks = std::move(held)},
                                                         lookupHosted, build.now, build.options.resolver.statements));
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

} // namespace oidfed::server
