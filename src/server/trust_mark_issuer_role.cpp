// The Trust Mark Issuer role of a hosted entity ("trust_mark_issuer"): its
// catalog of trust mark types, the marks signed ahead of time, and the
// trust mark (8.6), trust mark list (8.5) and status (8.4) endpoints.
//
// A type file that cannot be used (it does not parse, or its delegation
// does not check or has expired, or its delegated_by owner is not served
// here) affects only its type: its previous record when that one can be
// used (a reload), otherwise the type is not issued.

#include "server/roles.h"

#include "core/time_text.h"
#include "entity/trust_mark_catalog.h"
#include "server/trust_mark_endpoints.h"
#include "trust_mark/trust_mark_delegation.h"

namespace oidfed::server {

namespace {

// "delegation_file: the delegation expired at <RFC 3339> (<N> ago)".
std::string expiredDelegation(UnixTime expiresAt, UnixTime now)
{
    return "delegation_file: the delegation expired at " + formatRfc3339(expiresAt) + " (" +
           describeDuration(now - expiresAt) + " ago); the trust mark owner must issue a new one";
}

HttpResponse trustMark(const EndpointCall &call)
{
    return withQuery(call, [&](const QueryParams &params) {
        return trustMarkEndpoint(*call.slot.issuer, params, call.idOptions, call.now, call.request.ifNoneMatch);
    });
}

HttpResponse trustMarkList(const EndpointCall &call)
{
    return withQuery(call, [&](const QueryParams &params) {
        return trustMarkListEndpoint(*call.slot.issuer, params, call.idOptions, call.now);
    });
}

HttpResponse trustMarkStatus(const EndpointCall &call)
{
    return trustMarkStatusEndpoint(*call.slot.issuer, call.request, call.now);
}

} // namespace

Result<void> buildTrustMarkIssuerRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    entity::HostedEntitySettings &settings = build.settings[index];
    if (!settings.trustMarkIssuer)
        return ok();
    // Left out as a whole: the Entity Configuration must not advertise the
    // endpoints.
    auto leaveOut = [&](Error error) -> Result<void> {
        settings.trustMarkIssuer.reset();
        return fail(std::move(error));
    };
    const std::filesystem::path &dir = settings.trustMarkIssuer->directory;
    const EntityIdOptions idOptions{.allowHttp = build.options.allowHttp};
    const EntitySlot *before = build.previousSlot(index);
    const entity::TrustMarkCatalog *previous = before && before->issuer ? &before->issuer->catalog() : nullptr;

    std::vector<entity::TrustMarkTypeRecord> records;
    auto loaded = entity::TrustMarkCatalog::loadEachFile(dir, idOptions, previous);
    if (!loaded) {
        Error error = std::move(loaded).error();
        error.message = "trust marks in " + dir.string() + ": " + error.message;
        if (!previous)
            return leaveOut(std::move(error));
        // The directory as it was.
        build.report(index, ItemKind::TrustMarkIssuer, dir.string(), dir.string(), std::move(error),
                     ItemFallback::Previous);
        records = previous->all();
    } else {
        for (entity::TrustMarkTypeProblem &problem : loaded->problems)
            build.report(index, ItemKind::TrustMarkType,
                         problem.trustMarkType.empty() ? problem.file : problem.trustMarkType,
                         (dir / problem.file).string(), std::move(problem.error),
                         problem.keptPrevious ? ItemFallback::Previous : ItemFallback::LeftOut);
        records = loaded->catalog->all();
    }

    // A type "delegated_by" an owner hosted here is signed with the owner's
    // active key.
    auto ownerKey = [&](const std::string &id) -> std::optional<Jwk> {
        for (std::size_t i = 0; i < build.entities.size(); ++i)
            if (build.entities[i].entity.entityId.str() == id && build.keyStores[i])
                return build.keyStores[i]->activeKey();
        return std::nullopt;
    };
    // A type is issued only with a delegation that can be used now: its
    // previous record's when that one can, otherwise the type is left out.
    // Returns the delegation file's exp (-1: none, or no file).
    auto usable = [&](const entity::TrustMarkTypeRecord &record) -> Result<UnixTime> {
        if (record.delegatedBy && !ownerKey(record.delegatedBy->str()))
            return fail(ErrorCode::InvalidArgument,
                        "delegated_by " + record.delegatedBy->str() + " is not served by this server");
        if (record.delegation.empty())
            return UnixTime{-1};
        auto delegation = trust_mark::parseDelegation(record.delegation, settings.entityId, record.trustMarkType,
                                                      build.options.resolver.statements);
        if (!delegation)
            return fail(delegation.error().code, "delegation_file: " + delegation.error().message);
        if (delegation->expiresAt >= 0 && delegation->expiresAt <= build.now)
            return fail(ErrorCode::Expired, expiredDelegation(delegation->expiresAt, build.now));
        return delegation->expiresAt;
    };
    std::vector<entity::TrustMarkTypeRecord> issued;
    std::vector<DelegationExpiry> delegations;
    auto issue = [&](entity::TrustMarkTypeRecord record, UnixTime delegationExpiry) {
        if (!record.delegation.empty())
            delegations.push_back(DelegationExpiry{.trustMarkType = record.trustMarkType,
                                                   .file = (dir / record.sourceFile).string(),
                                                   .expiresAt = delegationExpiry});
        issued.push_back(std::move(record));
    };
    for (entity::TrustMarkTypeRecord &record : records) {
        auto checked = usable(record);
        if (checked) {
            issue(std::move(record), *checked);
            continue;
        }
        const entity::TrustMarkTypeRecord *old = previous ? previous->findBySourceFile(record.sourceFile) : nullptr;
        auto oldChecked = old && old->trustMarkType == record.trustMarkType ? usable(*old)
                                                                            : Result<UnixTime>(fail(ErrorCode::NotFound, ""));
        build.report(index, ItemKind::Delegation, record.trustMarkType, (dir / record.sourceFile).string(),
                     std::move(checked).error(), oldChecked ? ItemFallback::Previous : ItemFallback::LeftOut);
        if (oldChecked)
            issue(*old, *oldChecked);
    }

    auto catalog = entity::TrustMarkCatalog::fromRecords(std::move(issued));
    if (!catalog)
        return leaveOut(std::move(catalog).error());
    auto issuer = entity::TrustMarkIssuer::create(settings.entityId, *settings.trustMarkIssuer,
                                                  *build.keyStores[index], std::move(catalog).value(), ownerKey,
                                                  build.now, build.options.resolver.statements);
    if (!issuer)
        return leaveOut(std::move(issuer).error());
    slot.issuer = std::move(issuer).value();
    slot.delegations = std::move(delegations);
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

void trustMarkIssuerProblemsNow(const EntitySlot &slot, UnixTime now, std::vector<ItemProblem> &out)
{
    for (const DelegationExpiry &delegation : slot.delegations) {
        if (delegation.expiresAt < 0 || delegation.expiresAt > now)
            continue;
        out.push_back(ItemProblem{.entity = slot.entity->entityId().str(),
                                  .kind = ItemKind::Delegation,
                                  .item = delegation.trustMarkType,
                                  .file = delegation.file,
                                  .error = Error(ErrorCode::Expired, expiredDelegation(delegation.expiresAt, now) +
                                                                         "; no mark of this type is issued"),
                                  .fallback = ItemFallback::LeftOut});
    }
}

void trustMarkIssuerExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out)
{
    if (!slot.issuer)
        return;
    const std::string &id = slot.entity->entityId().str();
    for (const DelegationExpiry &delegation : slot.delegations)
        if (delegation.expiresAt >= 0)
            out.push_back(ExpiringItem{.entity = id,
                                       .kind = ExpiryKind::Delegation,
                                       .item = delegation.trustMarkType,
                                       .file = delegation.file,
                                       .expiresAt = delegation.expiresAt,
                                       .note = "ask the trust mark owner for a new delegation (oidfed trust-mark "
                                               "delegate), replace the file and send SIGHUP"});
    for (const auto &[type, expiresAt] : slot.issuer->earliestMarkExpiries())
        if (expiresAt >= 0)
            out.push_back(ExpiringItem{
                .entity = id, .kind = ExpiryKind::TrustMarkIssued, .item = type, .expiresAt = expiresAt, .renewed = true});
}

} // namespace oidfed::server
