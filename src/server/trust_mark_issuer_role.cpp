// The Trust Mark Issuer role of a hosted entity ("trust_mark_issuer"): its
// catalog of trust mark types, the marks signed ahead of time, and the
// trust mark (8.6), trust mark list (8.5) and status (8.4) endpoints.

#include "server/roles.h"

#include "entity/trust_mark_catalog.h"
#include "server/http_responses.h"
#include "server/trust_mark_endpoints.h"

namespace oidfed::server {

namespace {

HttpResponse trustMark(const EndpointCall &call)
{
    auto params = QueryParams::parse(call.request.query);
    if (!params)
        return errorResponse("invalid_request", params.error().message);
    return trustMarkEndpoint(*call.slot.issuer, *params, call.idOptions, call.now, call.request.ifNoneMatch);
}

HttpResponse trustMarkList(const EndpointCall &call)
{
    auto params = QueryParams::parse(call.request.query);
    if (!params)
        return errorResponse("invalid_request", params.error().message);
    return trustMarkListEndpoint(*call.slot.issuer, *params, call.idOptions, call.now);
}

HttpResponse trustMarkStatus(const EndpointCall &call)
{
    return trustMarkStatusEndpoint(*call.slot.issuer, call.request, call.now);
}

} // namespace

Result<void> buildTrustMarkIssuerRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const entity::HostedEntitySettings &settings = build.settings[index];
    if (!settings.trustMarkIssuer)
        return ok();
    const EntityIdOptions idOptions{.allowHttp = build.options.allowHttp};
    auto catalog = entity::TrustMarkCatalog::loadDirectory(settings.trustMarkIssuer->directory, idOptions);
    if (!catalog)
        return fail(catalog.error().code, settings.entityId.str() + ": trust marks in " +
                                              settings.trustMarkIssuer->directory.string() + ": " +
                                              catalog.error().message);
    // A type "delegated_by" an owner hosted here is signed with the owner's
    // active key.
    auto ownerKey = [&](const std::string &id) -> std::optional<Jwk> {
        for (std::size_t i = 0; i < build.entities.size(); ++i)
            if (build.entities[i].entity.entityId.str() == id)
                return build.keyStores[i].activeKey();
        return std::nullopt;
    };
    OIDFED_TRY(slot.issuer, entity::TrustMarkIssuer::create(settings.entityId, *settings.trustMarkIssuer,
                                                             build.keyStores[index], std::move(catalog).value(),
                                                             ownerKey, build.now, build.options.resolver.statements));
    build.issuersById->emplace(settings.entityId.str(), slot.issuer);
    return ok();
}

void addTrustMarkIssuerRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (!slot.issuer)
        return;
    routes.add(entity::kTrustMarkPath, "trust_mark", "GET", trustMark);
    routes.add(entity::kTrustMarkListPath, "trust_mark_list", "GET", trustMarkList);
    // Spec 8.4.1: the status endpoint is POST only.
    routes.add(entity::kTrustMarkStatusPath, "trust_mark_status", "POST", trustMarkStatus);
}

} // namespace oidfed::server
