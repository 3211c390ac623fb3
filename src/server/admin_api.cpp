// AdminApi: routing, authentication, and what every change shares (the
// If-Match check, the loader's checks, the write, the reload, the audit).
// The calls themselves: admin_subordinates.cpp.

#include "server/admin_api.h"

#include <oidfed/error_json.h>

#include "core/file_write.h"
#include "core/sha256.h"
#include "server/bearer_token.h"
#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

HttpResponse unauthorized(std::string message)
{
    HttpResponse response = adminError(Error(ErrorCode::InvalidClient, std::move(message)), 401);
    response.addHeader("WWW-Authenticate", "Bearer realm=\"oidfed-admin\"");
    return response;
}

HttpResponse methodNotAllowed(std::string_view allowed)
{
    HttpResponse response = adminError(
        Error(ErrorCode::InvalidArgument, "only " + std::string(allowed) + " is supported here"), 405);
    response.addHeader("Allow", std::string(allowed));
    return response;
}

/// An If-Match value as the bare digest: quotes (and a weak prefix, which
/// never matches a strong comparison's tag but is not worth a separate
/// refusal) removed.
std::string bareTag(std::string_view tag)
{
    while (!tag.empty() && tag.front() == ' ')
        tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ')
        tag.remove_suffix(1);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
        tag = tag.substr(1, tag.size() - 2);
    return std::string(tag);
}

} // namespace

HttpResponse adminError(const Error &error, int status)
{
    std::string_view code = "invalid_request";
    switch (status) {
    case 401:
        code = "invalid_client";
        break;
    case 403:
        code = "forbidden";
        break;
    case 404:
        code = "not_found";
        break;
    case 409:
        code = "conflict";
        break;
    case 428:
        code = "precondition_required";
        break;
    default:
        if (status >= 500)
            code = "server_error";
    }
    return detailedErrorResponse(error, status, code);
}

std::string fileEtag(std::string_view bytes)
{
    return "\"" + sha256Hex(bytes) + "\"";
}

AdminApi::AdminApi(const ServerOptions &options, Dependencies dependencies)
    : ids_{.allowHttp = options.allowHttp}, settings_(*options.admin), deps_(std::move(dependencies)),
      audit_(settings_.auditLog)
{
}

const AdminOperator *findAdminOperator(const AdminSettings &settings, std::string_view authorizationHeader)
{
    std::vector<const Sha256Digest *> digests;
    for (const AdminOperator &op : settings.operators)
        digests.push_back(&op.tokenSha256);
    const std::optional<std::size_t> index = matchBearerToken(bearerToken(authorizationHeader), digests);
    return index ? &settings.operators[*index] : nullptr;
}

const AdminOperator *AdminApi::authenticate(const HttpRequest &request) const
{
    return findAdminOperator(settings_, request.authorization);
}

HttpResponse AdminApi::handle(const HttpRequest &request)
{
    if (request.authorization.empty())
        return unauthorized("the admin API needs an operator's bearer token (Authorization: Bearer ...)");
    const AdminOperator *op = authenticate(request);
    if (!op)
        return unauthorized("the bearer token is not one of a configured operator");
    if (request.body.size() > settings_.maxBodyBytes)
        return adminError(Error(ErrorCode::LimitExceeded, "the request body is larger than admin."
                                                                     "max_body_bytes (" +
                                                                         std::to_string(settings_.maxBodyBytes) + ")"),
                                     413);
    auto params = QueryParams::parse(request.query);
    if (!params)
        return adminError(params.error(), 400);
    Call call{.request = request, .op = *op, .params = std::move(params).value()};

    const std::string &path = request.path;
    const std::string &method = request.method;
    const bool change = method != "GET";
    if (change && op->role != AdminRole::Write && (path == kSubordinatesPath || path == kSubordinatePath ||
                                                   path == kBlockPath || path == kUnblockPath || path == kReloadPath ||
                                                   path == kKeysRotatePath || path == kKeysActivatePath ||
                                                   path == kKeysRevokePath || path == kTrustMarkSubjectPath ||
                                                   path == kTrustMarkRevokePath))
        return adminError(Error(ErrorCode::InvalidArgument, "the operator " + op->name +
                                                                           " has the read role: changes need write"),
                                     403);
    if (path == kSubordinatesPath) {
        if (method == "GET")
            return listSubordinates(call);
        if (method == "POST")
            return addSubordinate(call);
        return methodNotAllowed("GET, POST");
    }
    if (path == kSubordinatePath) {
        if (method == "GET")
            return showSubordinate(call);
        if (method == "PATCH")
            return setMembers(call);
        if (method == "DELETE")
            return removeSubordinate(call);
        return methodNotAllowed("GET, PATCH, DELETE");
    }
    if (path == kBlockPath || path == kUnblockPath) {
        if (method != "POST")
            return methodNotAllowed("POST");
        return block(call, path == kBlockPath);
    }
    if (path == kKeysPath) {
        if (method != "GET")
            return methodNotAllowed("GET");
        return listKeys(call);
    }
    if (path == kKeysRotatePath || path == kKeysActivatePath || path == kKeysRevokePath) {
        if (method != "POST")
            return methodNotAllowed("POST");
        return changeKeys(call, path);
    }
    if (path == kTrustMarksPath) {
        if (method != "GET")
            return methodNotAllowed("GET");
        return listTrustMarks(call);
    }
    if (path == kTrustMarkSubjectPath || path == kTrustMarkRevokePath) {
        if (method != "POST")
            return methodNotAllowed("POST");
        return changeTrustMarkSubject(call, path == kTrustMarkRevokePath);
    }
    if (path == kReloadPath) {
        if (method != "POST")
            return methodNotAllowed("POST");
        return reload(call);
    }
    return adminError(Error(ErrorCode::NotFound, "no such admin call"), 404);
}

Result<AdminApi::Authority> AdminApi::authorityOf(const Call &call) const
{
    OIDFED_TRY(std::optional<std::string> entity, call.params.single("entity"));
    if (!entity)
        return fail(Error(ErrorCode::InvalidArgument, "the query parameter entity (the authority) is required")
                        .withClaim("entity"));
    std::optional<std::filesystem::path> dir = deps_.service.subordinatesDirOf(*entity);
    if (!dir)
        return fail(Error(ErrorCode::NotFound, "no authority with this entity id is served here").withClaim("entity"));
    return Authority{.entityId = std::move(*entity), .dir = std::move(*dir)};
}

Result<entity::ListedSubordinate> AdminApi::subordinateOf(const Call &call, const Authority &authority) const
{
    OIDFED_TRY(std::optional<std::string> sub, call.params.single("sub"));
    if (!sub)
        return fail(Error(ErrorCode::InvalidArgument, "the query parameter sub (the subordinate) is required")
                        .withClaim("sub"));
    return entity::findSubordinate(authority.dir, *sub, ids_);
}

HttpResponse AdminApi::audited(AuditEntry entry, HttpResponse response)
{
    logLine(LogLevel::Info, "admin: " + entry.operatorName + ": " + entry.action +
                                (entry.target.empty() ? std::string() : " " + entry.target) + ": " + entry.result);
    if (auto recorded = audit_.record(entry, deps_.clock.now()); !recorded) {
        logLine(LogLevel::Error, "admin: the audit log cannot be written: " + recorded.error().message);
        return adminError(
            Error(ErrorCode::Unavailable, "the audit log cannot be written (" + entry.action + ": " + entry.result +
                                              "): see the server log"),
            500);
    }
    return response;
}

namespace {

/// Status of an error found before anything is written.
int statusOf(const Error &error)
{
    switch (error.code) {
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::LimitExceeded:
        return 413;
    case ErrorCode::Unavailable:
    case ErrorCode::Internal:
        return 500;
    default:
        return 400;
    }
}

} // namespace

HttpResponse AdminApi::applied(const Call &call, AuditEntry entry, Json body, int status)
{
    (void)call;
    const ReloadOutcome outcome = deps_.reload();
    entry.result = outcome.reloaded ? "applied" : "written, reload failed";
    if (outcome.error)
        entry.detail = outcome.error->message;
    body.set("applied", outcome.reloaded);
    body.set("reload", reloadOutcomeJson(outcome, entry.entity));
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json";
    response.addHeader("Cache-Control", "no-store");
    if (!entry.after.empty())
        response.addHeader("ETag", "\"" + entry.after + "\"");
    response.body = body.dump();
    return audited(std::move(entry), std::move(response));
}

std::optional<HttpResponse> AdminApi::preconditionFails(const Call &call, AuditEntry &entry,
                                                        const std::string &current)
{
    auto refused = [&](const Error &error, int status, std::string result) {
        entry.result = std::move(result);
        entry.detail = error.message;
        return audited(entry, adminError(error, status));
    };
    if (call.request.ifMatch.empty())
        return refused(Error(ErrorCode::InvalidArgument,
                             "If-Match is required: send the ETag of the file as last read")
                           .withClaim("If-Match"),
                       428, "refused");
    const std::string match = bareTag(call.request.ifMatch);
    if (match != "*" && match != current)
        return refused(Error(ErrorCode::InvalidArgument,
                             "the file changed since it was read (If-Match is not its ETag): read it again")
                           .withClaim("If-Match")
                           .withEntity(entry.target),
                       409, "conflict");
    return std::nullopt;
}

HttpResponse AdminApi::changeFile(const Call &call, std::string_view action, const Edit &edit)
{
    AuditEntry entry{.operatorName = call.op.name, .action = std::string(action)};
    auto refused = [&](const Error &error, int status, std::string result) {
        entry.result = std::move(result);
        entry.detail = error.message;
        return audited(entry, adminError(error, status));
    };
    auto authority = authorityOf(call);
    if (!authority)
        return refused(authority.error(), statusOf(authority.error()), "refused");
    entry.entity = authority->entityId;
    if (auto sub = call.params.single("sub"); sub && *sub)
        entry.target = **sub;

    std::lock_guard editing(editMutex_);
    auto listed = subordinateOf(call, *authority);
    if (!listed)
        return refused(listed.error(), statusOf(listed.error()), "refused");
    entry.file = listed->path.filename().string();
    entry.before = sha256Hex(listed->bytes);
    if (std::optional<HttpResponse> refusal = preconditionFails(call, entry, entry.before))
        return std::move(*refusal);

    std::optional<Json> next;
    if (action != "subordinate.remove") {
        auto edited = edit(*listed);
        if (!edited)
            return refused(edited.error(), 400, "refused");
        next = std::move(edited).value();
        if (*next == listed->json) {
            Json body = Json::object();
            body.set("entity", entry.entity);
            body.set("sub", entry.target);
            body.set("file", entry.file);
            body.set("changed", false);
            HttpResponse response;
            response.contentType = "application/json";
            response.addHeader("Cache-Control", "no-store");
            response.addHeader("ETag", fileEtag(listed->bytes));
            response.body = body.dump();
            entry.after = entry.before;
            entry.result = "unchanged";
            return audited(entry, std::move(response));
        }
        // The loader's own checks: nothing is written when they refuse.
        if (auto checked = entity::checkSubordinateFile(*next, listed->path, ids_); !checked)
            return refused(checked.error(), 400, "refused");
        if (auto written = entity::writeSubordinateFile(listed->path, *next); !written)
            return refused(written.error(), 500, "not written");
        entry.after = sha256Hex(entity::subordinateFileText(*next));
    } else {
        (void)edit;
        if (auto removed = removeFile(listed->path); !removed)
            return refused(removed.error(), 500, "not removed");
    }
    Json body = Json::object();
    body.set("entity", entry.entity);
    body.set("sub", entry.target);
    body.set("file", entry.file);
    body.set("changed", true);
    if (next)
        body.set("subordinate", *next);
    else
        body.set("removed", listed->json);  // what was removed, to put back
    return applied(call, std::move(entry), std::move(body), 200);
}

} // namespace oidfed::server
