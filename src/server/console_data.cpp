// The web console's views of what is served now: the hosted entities, one
// entity, the expiry dashboard and the health findings (console_data.h).
// The federation walk and the explain report: console_resolution.cpp.

#include "server/console_data.h"

#include <algorithm>

#include <oidfed/jws.h>

#include "entity/key_listing.h"
#include "entity/trust_mark_listing.h"

namespace oidfed::server::console {

namespace {

Json stringsJson(const std::vector<std::string> &values)
{
    Json out = Json::array();
    for (const std::string &value : values)
        out.push(value);
    return out;
}

Json idsJson(const std::vector<EntityId> &ids)
{
    Json out = Json::array();
    for (const EntityId &id : ids)
        out.push(id.str());
    return out;
}

/// The entity types of a metadata object (its member names).
Json entityTypesOf(const Json &metadata)
{
    Json out = Json::array();
    if (metadata.isObject())
        for (const auto &[type, value] : metadata.asObject())
            out.push(type);
    return out;
}

/// {"header", "payload"} of a compact JWS, or {"error"}.
Json decodedJwt(const std::string &compact)
{
    Json out = Json::object();
    auto jws = Jws::parse(compact);
    if (!jws) {
        out.set("error", jws.error().describe());
        return out;
    }
    out.set("header", jws->header());
    auto payload = jws->payloadJson();
    out.set("payload", payload ? std::move(payload).value() : Json(payload.error().describe()));
    return out;
}

const EntitySlot *slotOf(const ServiceSnapshot &snapshot, std::string_view entityId)
{
    for (const EntitySlot &slot : snapshot.slots)
        if (slot.entity->entityId().str() == entityId)
            return &slot;
    return nullptr;
}

/// {"entity_id", "file", "entity_types", "intermediate"} of a subordinate file.
Json subordinateEntry(const entity::Subordinate &subordinate)
{
    Json entry = Json::object();
    entry.set("entity_id", subordinate.entityId.str());
    entry.set("file", subordinate.sourceFile);
    entry.set("entity_types", stringsJson(subordinate.entityTypes));
    entry.set("intermediate", subordinate.intermediate);
    return entry;
}

/// The Subordinate Statement `entity` serves about each of its
/// subordinates, with its expiry (blocked ones: no statement).
Json subordinatesJson(const entity::HostedEntity &entity, UnixTime now)
{
    Json out = Json::array();
    const entity::SubordinateSet *set = entity.subordinates();
    if (!set)
        return out;
    for (const entity::Subordinate &subordinate : set->all()) {
        Json entry = subordinateEntry(subordinate);
        entry.set("blocked", Json());
        auto statement = entity.subordinateStatement(subordinate.entityId.str(), now);
        if (statement) {
            entry.set("exp", (*statement)->expiresAt);
            entry.set("seconds_left", (*statement)->expiresAt - now);
        } else {
            entry.set("error", statement.error().describe());
        }
        out.push(std::move(entry));
    }
    for (const entity::Subordinate &subordinate : set->blocked()) {
        Json entry = subordinateEntry(subordinate);
        Json blocked = Json::object();
        blocked.set("reason", subordinate.blocked->reason);
        blocked.set("since", subordinate.blocked->since);
        entry.set("blocked", std::move(blocked));
        out.push(std::move(entry));
    }
    return out;
}

/// The trust marks of an Entity Configuration's payload, each decoded:
/// {"trust_mark_type", "iss", "exp"?, "seconds_left"?}.
Json heldMarksJson(const Json &payload, UnixTime now)
{
    Json out = Json::array();
    const Json *marks = payload.isObject() ? payload.find("trust_marks") : nullptr;
    if (!marks || !marks->isArray())
        return out;
    for (const Json &mark : marks->asArray()) {
        const std::string *jwt = mark.isObject() ? mark.findString("trust_mark") : nullptr;
        if (!jwt)
            continue;
        Json entry = Json::object();
        const std::string *type = mark.findString("trust_mark_type");
        entry.set("trust_mark_type", type ? Json(*type) : Json());
        auto jws = Jws::parse(*jwt);
        auto claims = jws ? jws->payloadJson() : Result<Json>(fail(jws.error()));
        if (claims && claims->isObject()) {
            const std::string *iss = claims->findString("iss");
            entry.set("iss", iss ? Json(*iss) : Json());
            const Json *exp = claims->find("exp");
            if (exp && exp->isInt()) {
                entry.set("exp", exp->asInt());
                entry.set("seconds_left", exp->asInt() - now);
            }
        }
        out.push(std::move(entry));
    }
    return out;
}

} // namespace

Json entitiesView(const ServiceSnapshot &snapshot)
{
    Json entities = Json::array();
    std::vector<std::string> anchors;
    for (const EntitySlot &slot : snapshot.slots) {
        const entity::HostedEntitySettings &settings = slot.entity->settings();
        Json entry = Json::object();
        entry.set("entity_id", settings.entityId.str());
        const Json *federation = settings.metadata.find("federation_entity");
        const std::string *name = federation ? federation->findString("organization_name") : nullptr;
        entry.set("organization_name", name ? Json(*name) : Json());
        entry.set("entity_types", entityTypesOf(settings.metadata));
        entry.set("authority_hints", idsJson(settings.authorityHints));
        entry.set("authority", slot.entity->isAuthority());
        Json subordinates = Json::array();
        if (const entity::SubordinateSet *set = slot.entity->subordinates()) {
            for (const entity::Subordinate &subordinate : set->all())
                subordinates.push(Json(Json::Object{{"entity_id", subordinate.entityId.str()}, {"blocked", false}}));
            for (const entity::Subordinate &subordinate : set->blocked())
                subordinates.push(Json(Json::Object{{"entity_id", subordinate.entityId.str()}, {"blocked", true}}));
        }
        entry.set("subordinates", std::move(subordinates));
        entry.set("resolver", slot.resolver != nullptr);
        entry.set("trust_mark_issuer", slot.issuer != nullptr);
        if (slot.resolver)
            for (const TrustAnchor &anchor : slot.resolver->resolver().trustAnchors())
                if (std::find(anchors.begin(), anchors.end(), anchor.entityId.str()) == anchors.end())
                    anchors.push_back(anchor.entityId.str());
        entities.push(std::move(entry));
    }
    Json out = Json::object();
    out.set("entities", std::move(entities));
    out.set("trust_anchors", stringsJson(anchors));
    return out;
}

Result<Json> entityView(const ServiceSnapshot &snapshot, const std::vector<ExpiringItem> &expiries,
                        std::string_view entityId, UnixTime now)
{
    const EntitySlot *slot = slotOf(snapshot, entityId);
    if (!slot)
        return fail(Error(ErrorCode::NotFound, "no entity with this entity id is served here").withClaim("id"));
    const entity::HostedEntity &entity = *slot->entity;
    Json out = Json::object();
    out.set("entity_id", entity.entityId().str());
    OIDFED_TRY(entity::DocumentPtr configuration, entity.entityConfiguration(now));
    Json decoded = decodedJwt(configuration->body);
    out.set("configuration_exp", configuration->expiresAt);
    out.set("trust_marks_held", heldMarksJson(decoded.find("payload") ? *decoded.find("payload") : Json(), now));
    out.set("configuration", std::move(decoded));
    out.set("keys", entity::keyListing(entity.keys(), now));
    out.set("authority", entity.isAuthority());
    out.set("subordinates", subordinatesJson(entity, now));
    Json issued = Json::array();
    if (slot->issuer)
        for (const entity::TrustMarkTypeRecord &record : slot->issuer->catalog().all()) {
            Json type = Json::object();
            type.set("trust_mark_type", record.trustMarkType);
            type.set("file", record.sourceFile);
            type.set("subjects", entity::trustMarkSubjectsJson(record));
            issued.push(std::move(type));
        }
    out.set("trust_marks_issued", std::move(issued));
    Json items = Json::array();
    for (const ExpiringItem &item : expiries)
        if (item.entity == entityId)
            items.push(expiringItemToJson(item, now));
    out.set("expiries", std::move(items));
    return out;
}

Json expiryView(const ServiceSnapshot &snapshot, std::vector<ExpiringItem> expiries, UnixTime now)
{
    for (const EntitySlot &slot : snapshot.slots) {
        const entity::HostedEntity &entity = *slot.entity;
        const std::string &id = entity.entityId().str();
        if (auto configuration = entity.entityConfiguration(now))
            expiries.push_back(ExpiringItem{.entity = id,
                                            .kind = ExpiryKind::EntityConfiguration,
                                            .item = id,
                                            .expiresAt = (*configuration)->expiresAt,
                                            .renewed = true});
        if (const entity::SubordinateSet *set = entity.subordinates())
            for (const entity::Subordinate &subordinate : set->all())
                if (auto statement = entity.subordinateStatement(subordinate.entityId.str(), now))
                    expiries.push_back(ExpiringItem{.entity = id,
                                                    .kind = ExpiryKind::SubordinateStatement,
                                                    .item = subordinate.entityId.str(),
                                                    .file = subordinate.sourceFile,
                                                    .expiresAt = (*statement)->expiresAt,
                                                    .renewed = true});
    }
    std::stable_sort(expiries.begin(), expiries.end(), [](const ExpiringItem &a, const ExpiringItem &b) {
        return a.expiresAt < b.expiresAt;
    });
    Json items = Json::array();
    for (const ExpiringItem &item : expiries)
        items.push(expiringItemToJson(item, now));
    Json out = Json::object();
    out.set("now", now);
    out.set("items", std::move(items));
    return out;
}

Json healthView(const std::vector<ItemProblem> &problems,
                const std::vector<std::shared_ptr<const ServedCrawl>> &crawls)
{
    Json list = Json::array();
    for (const ItemProblem &problem : problems)
        list.push(problemToJson(problem));
    Json crawler = Json::object();
    crawler.set("available", !crawls.empty());
    Json summaries = Json::array();
    Json findings = Json::array();
    for (const std::shared_ptr<const ServedCrawl> &crawl : crawls) {
        Json summary = Json::object();
        summary.set("crawler", crawl->crawler);
        summary.set("trust_anchor", crawl->trustAnchor);
        summary.set("finished_at", crawl->finishedAt);
        summary.set("leader", crawl->leader);
        if (const Json *counts = crawl->health.find("counts"))
            summary.set("counts", *counts);
        summaries.push(std::move(summary));
        if (const Json *found = crawl->health.find("findings"))
            for (const Json &finding : found->asArray()) {
                Json entry = finding;
                entry.set("trust_anchor", crawl->trustAnchor);
                findings.push(std::move(entry));
            }
    }
    crawler.set("crawls", std::move(summaries));
    crawler.set("findings", std::move(findings));
    Json out = Json::object();
    out.set("problems", std::move(list));
    out.set("crawler", std::move(crawler));
    return out;
}

} // namespace oidfed::server::console
