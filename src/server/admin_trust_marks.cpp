// The admin API's trust mark calls (docs/admin-api.md "Trust mark
// subjects"): a Trust Mark Issuer's types and subjects listed; a subject
// added to a type file (checked by the catalog's parser before it is
// written) or revoked as `oidfed trust-mark revoke` does it
// (revokeTrustMarkSubject, which locks the directory), with If-Match against
// the type file's SHA-256, then the reload and the audit.

#include "core/file_read.h"
#include "core/file_write.h"
#include "core/sha256.h"
#include "entity/trust_mark_catalog.h"
#include "entity/trust_mark_listing.h"
#include "server/admin_api.h"
#include "server/http_responses.h"

namespace oidfed::server {

HttpResponse AdminApi::listTrustMarks(const Call &call)
{
    auto entity = call.params.single("entity");
    if (!entity || !*entity)
        return adminError(Error(ErrorCode::InvalidArgument, "the query parameter entity is required").withClaim("entity"),
                          400);
    std::optional<std::filesystem::path> dir = deps_.service.trustMarkDirOf(**entity);
    if (!dir)
        return adminError(
            Error(ErrorCode::NotFound, "no Trust Mark Issuer with this entity id is served here").withClaim("entity"),
            404);
    auto load = entity::TrustMarkCatalog::loadEachFile(*dir, ids_, nullptr);
    if (!load)
        return adminError(load.error(), 500);
    Json types = Json::array();
    for (const entity::TrustMarkTypeRecord &record : load->catalog->all()) {
        Json entry = Json::object();
        entry.set("trust_mark_type", record.trustMarkType);
        entry.set("file", record.sourceFile);
        auto bytes = readRegularFile(*dir / record.sourceFile, entity::kMaxTrustMarkFileBytes);
        entry.set("etag", bytes ? Json(fileEtag(*bytes)) : Json());
        entry.set("subjects", entity::trustMarkSubjectsJson(record));
        types.push(std::move(entry));
    }
    Json body = Json::object();
    body.set("entity", **entity);
    body.set("types", std::move(types));
    HttpResponse response;
    response.contentType = "application/json";
    response.addHeader("Cache-Control", "no-store");
    response.body = body.dump();
    return response;
}

HttpResponse AdminApi::changeTrustMarkSubject(const Call &call, bool revoke)
{
    AuditEntry entry{.operatorName = call.op.name, .action = revoke ? "trust_mark.revoke" : "trust_mark.add"};
    auto refused = [&](const Error &error, int status) {
        entry.result = status == 409 ? "conflict" : "refused";
        entry.detail = error.message;
        return audited(entry, adminError(error, status));
    };
    auto entity = call.params.single("entity");
    auto type = call.params.single("type");
    if (!entity || !*entity || !type || !*type)
        return refused(Error(ErrorCode::InvalidArgument, "the query parameters entity and type are required")
                           .withClaim(entity && *entity ? "type" : "entity"),
                       400);
    entry.entity = **entity;
    std::optional<std::filesystem::path> dir = deps_.service.trustMarkDirOf(**entity);
    if (!dir)
        return refused(
            Error(ErrorCode::NotFound, "no Trust Mark Issuer with this entity id is served here").withClaim("entity"),
            404);
    auto body = parseJson(call.request.body);
    const std::string *subject = body && body->isObject() ? body->findString("entity_id") : nullptr;
    if (!subject || subject->empty())
        return refused(Error(ErrorCode::InvalidArgument, "entity_id is required: the subject").withClaim("entity_id"),
                       400);
    entry.target = *subject;

    std::lock_guard editing(editMutex_);
    auto load = entity::TrustMarkCatalog::loadEachFile(*dir, ids_, nullptr);
    if (!load)
        return refused(load.error(), 500);
    const entity::TrustMarkTypeRecord *record = load->catalog->find(**type);
    if (!record)
        return refused(Error(ErrorCode::NotFound, "no type file of this issuer has this trust_mark_type")
                           .withClaim("type"),
                       404);
    const std::filesystem::path path = *dir / record->sourceFile;
    entry.file = record->sourceFile;
    auto bytes = readRegularFile(path, entity::kMaxTrustMarkFileBytes);
    if (!bytes)
        return refused(bytes.error(), 500);
    entry.before = sha256Hex(*bytes);
    if (std::optional<HttpResponse> refusal = preconditionFails(call, entry, entry.before))
        return std::move(*refusal);

    const UnixTime now = deps_.clock.now();
    if (revoke) {
        const std::string *reason = body->findString("reason");
        if (auto revoked = entity::revokeTrustMarkSubject(*dir, **type, *subject, reason ? *reason : "", now, ids_);
            !revoked)
            return refused(revoked.error(), revoked.error().code == ErrorCode::NotFound ? 404 : 400);
    } else {
        if (record->find(*subject))
            return refused(Error(ErrorCode::InvalidArgument, *subject + " is already a subject of this type")
                               .withClaim("entity_id"),
                           409);
        auto json = parseJson(*bytes);
        if (!json || !json->isObject() || !json->find("subjects") || !json->find("subjects")->isArray())
            return refused(Error(ErrorCode::Malformed, record->sourceFile + " has no subjects array"), 500);
        Json next = *json;
        Json added = Json::object();
        added.set("entity_id", *subject);
        if (const std::string *comment = body->findString("comment"))
            added.set("comment", *comment);
        Json subjects = *json->find("subjects");
        subjects.push(std::move(added));
        next.set("subjects", std::move(subjects));
        // The catalog's own parser: nothing is written when it refuses.
        if (auto checked = entity::parseTrustMarkTypeFile(next, record->sourceFile, *dir, ids_); !checked)
            return refused(checked.error(), 400);
        if (auto written = replaceFileAtomically(path, next.dump(true) + "\n", 0644); !written)
            return refused(written.error(), 500);
    }
    if (auto after = readRegularFile(path, entity::kMaxTrustMarkFileBytes))
        entry.after = sha256Hex(*after);
    Json answer = Json::object();
    answer.set("entity", entry.entity);
    answer.set("trust_mark_type", **type);
    answer.set("sub", entry.target);
    answer.set("file", entry.file);
    answer.set("changed", true);
    return applied(call, std::move(entry), std::move(answer), 200);
}

} // namespace oidfed::server
