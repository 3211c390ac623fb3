// The admin API's calls (docs/admin-api.md): an authority's subordinates
// listed and shown (reads), added, changed (set, block, unblock), removed,
// and the reload (changes; changeFile() in admin_api.cpp does what the
// changes of an existing file share).

#include <algorithm>
#include <ctime>

#include <oidfed/error_json.h>

#include "core/entity_file_stem.h"
#include "core/file_read.h"
#include "core/sha256.h"
#include "server/admin_api.h"
#include "server/http_responses.h"

namespace oidfed::server {

namespace {

HttpResponse jsonResponse(const Json &body, int status = 200)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json";
    response.addHeader("Cache-Control", "no-store");
    response.body = body.dump();
    return response;
}

HttpResponse errorAnswer(const Error &error)
{
    return adminError(error, error.code == ErrorCode::NotFound ? 404 : 400);
}

/// The request body as a JSON object.
Result<Json> bodyObject(const HttpRequest &request)
{
    auto body = parseJson(request.body);
    if (!body)
        return fail(Error(ErrorCode::Malformed, "the request body is not JSON: " + body.error().message));
    if (!body->isObject())
        return fail(ErrorCode::Malformed, "the request body must be a JSON object");
    return std::move(body).value();
}

Json summaryOf(const entity::Subordinate &subordinate, const std::filesystem::path &dir)
{
    Json entry = Json::object();
    entry.set("entity_id", subordinate.entityId.str());
    entry.set("file", subordinate.sourceFile);
    entry.set("intermediate", subordinate.intermediate);
    Json types = Json::array();
    for (const std::string &type : subordinate.entityTypes)
        types.push(type);
    entry.set("entity_types", std::move(types));
    entry.set("blocked", subordinate.blocked ? *entity::subordinateToJson(subordinate).find("blocked") : Json());
    auto bytes = readRegularFile(dir / subordinate.sourceFile, entity::kMaxSubordinateFileBytes);
    entry.set("etag", bytes ? Json(fileEtag(*bytes)) : Json());
    return entry;
}

} // namespace

HttpResponse AdminApi::listSubordinates(const Call &call)
{
    auto authority = authorityOf(call);
    if (!authority)
        return errorAnswer(authority.error());
    auto load = entity::SubordinateSet::loadEachFile(authority->dir, ids_, nullptr);
    if (!load)
        return adminError(load.error(), 500);
    std::vector<const entity::Subordinate *> records;
    for (const entity::Subordinate &subordinate : load->set->all())
        records.push_back(&subordinate);
    for (const entity::Subordinate &subordinate : load->set->blocked())
        records.push_back(&subordinate);
    std::sort(records.begin(), records.end(), [](const entity::Subordinate *a, const entity::Subordinate *b) {
        return a->entityId.str() < b->entityId.str();
    });
    Json subordinates = Json::array();
    for (const entity::Subordinate *subordinate : records)
        subordinates.push(summaryOf(*subordinate, authority->dir));
    Json problems = entity::subordinateProblemsJson(load->problems);
    Json body = Json::object();
    body.set("entity", authority->entityId);
    body.set("subordinates", std::move(subordinates));
    body.set("problems", std::move(problems));
    return jsonResponse(body);
}

HttpResponse AdminApi::showSubordinate(const Call &call)
{
    auto authority = authorityOf(call);
    if (!authority)
        return errorAnswer(authority.error());
    auto listed = subordinateOf(call, *authority);
    if (!listed)
        return errorAnswer(listed.error());
    Json body = Json::object();
    body.set("entity", authority->entityId);
    body.set("sub", listed->record.entityId.str());
    body.set("file", listed->path.filename().string());
    body.set("etag", fileEtag(listed->bytes));
    body.set("subordinate", listed->json);
    HttpResponse response = jsonResponse(body);
    response.addHeader("ETag", fileEtag(listed->bytes));
    return response;
}

HttpResponse AdminApi::addSubordinate(const Call &call)
{
    AuditEntry entry{.operatorName = call.op.name, .action = "subordinate.add"};
    auto refused = [&](const Error &error, int status) {
        entry.result = status == 409 ? "conflict" : "refused";
        entry.detail = error.message;
        return audited(entry, adminError(error, status));
    };
    auto authority = authorityOf(call);
    if (!authority)
        return refused(authority.error(), authority.error().code == ErrorCode::NotFound ? 404 : 400);
    entry.entity = authority->entityId;
    auto next = bodyObject(call.request);
    if (!next)
        return refused(next.error(), 400);
    const std::string *idText = next->findString("entity_id");
    if (!idText)
        return refused(Error(ErrorCode::InvalidArgument, "entity_id is required (a string)").withClaim("entity_id"),
                       400);
    entry.target = *idText;
    auto id = EntityId::parse(*idText, ids_);
    if (!id)
        return refused(Error(ErrorCode::InvalidArgument, "entity_id: " + id.error().message).withClaim("entity_id"),
                       400);
    const std::string name = entityFileStem(*id) + ".json";
    if (name == entity::kSubordinateDefaultsFile)
        return refused(Error(ErrorCode::InvalidArgument,
                             id->str() + " would be written to " + name + ", the name of the defaults file")
                           .withClaim("entity_id"),
                       400);
    const std::filesystem::path path = authority->dir / name;
    entry.file = name;

    std::lock_guard editing(editMutex_);
    if (auto listed = entity::findSubordinate(authority->dir, id->str(), ids_); listed)
        return refused(Error(ErrorCode::InvalidArgument, id->str() + " is already listed (" +
                                                             listed->path.filename().string() + ")")
                           .withClaim("entity_id")
                           .withEntity(id->str()),
                       409);
    else if (listed.error().code != ErrorCode::NotFound)
        return refused(listed.error(), 500);
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
        return refused(Error(ErrorCode::InvalidArgument, name + " exists already (a file that does not load, or "
                                                                "another entity with the same file name)")
                           .withClaim("entity_id"),
                       409);
    if (auto checked = entity::checkSubordinateFile(*next, path, ids_); !checked)
        return refused(checked.error(), 400);
    if (auto written = entity::writeSubordinateFile(path, *next, true); !written)
        return refused(written.error(), 500);
    entry.after = sha256Hex(entity::subordinateFileText(*next));
    Json body = Json::object();
    body.set("entity", entry.entity);
    body.set("sub", id->str());
    body.set("file", name);
    body.set("changed", true);
    body.set("subordinate", *next);
    return applied(call, std::move(entry), std::move(body), 201);
}

HttpResponse AdminApi::setMembers(const Call &call)
{
    auto changes = bodyObject(call.request);
    return changeFile(call, "subordinate.set",
                      [&changes](const entity::ListedSubordinate &listed) -> Result<Json> {
                          if (!changes)
                              return fail(changes.error());
                          if (changes->asObject().empty())
                              return fail(ErrorCode::InvalidArgument, "nothing to change: the body names no member");
                          Json next = listed.json;
                          for (const auto &[member, value] : changes->asObject()) {
                              if (!entity::isSettableSubordinateMember(member))
                                  return fail(Error(ErrorCode::InvalidArgument,
                                                    member + " cannot be set here (entity_types, intermediate, "
                                                             "metadata, metadata_policy, metadata_policy_crit, "
                                                             "constraints, statement_lifetime, comment can)")
                                                  .withClaim(member));
                              if (value.isNull())
                                  next.erase(member);
                              else
                                  next.set(member, value);
                          }
                          return next;
                      });
}

HttpResponse AdminApi::block(const Call &call, bool blocked)
{
    std::string reason;
    if (blocked) {
        auto body = bodyObject(call.request);
        const std::string *text = body ? body->findString("reason") : nullptr;
        if (text)
            reason = *text;
    }
    const std::int64_t now = deps_.clock.now();
    return changeFile(call, blocked ? "subordinate.block" : "subordinate.unblock",
                      [blocked, &reason, now](const entity::ListedSubordinate &listed) -> Result<Json> {
                          Json next = listed.json;
                          if (!blocked) {
                              next.erase("blocked");
                              return next;
                          }
                          if (reason.empty())
                              return fail(Error(ErrorCode::InvalidArgument,
                                                "reason is required: a non-empty string saying why it is blocked")
                                              .withClaim("reason"));
                          if (listed.record.blocked && listed.record.blocked->reason == reason)
                              return next;  // blocked for that reason already
                          Json record = Json::object();
                          record.set("reason", reason);
                          record.set("since", now);
                          next.set("blocked", std::move(record));
                          return next;
                      });
}

HttpResponse AdminApi::removeSubordinate(const Call &call)
{
    return changeFile(call, "subordinate.remove",
                      [](const entity::ListedSubordinate &listed) -> Result<Json> { return listed.json; });
}

HttpResponse AdminApi::reload(const Call &call)
{
    AuditEntry entry{.operatorName = call.op.name, .action = "reload"};
    std::lock_guard editing(editMutex_);
    const ReloadOutcome outcome = deps_.reload();
    entry.result = outcome.reloaded ? "applied" : "reload failed";
    if (outcome.error)
        entry.detail = outcome.error->message;
    Json body = Json::object();
    body.set("reload", reloadOutcomeJson(outcome, {}));
    return audited(std::move(entry), jsonResponse(body, outcome.reloaded ? 200 : 500));
}

} // namespace oidfed::server
