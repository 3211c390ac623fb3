// AdminApi: the admin API of `oidfed serve` (docs/admin-api.md), served on
// its own listener (admin.listen) when the configuration has "admin". It
// changes an authority's subordinates through their reviewable files, which
// stay the source of truth: each change is checked exactly as the CLI checks
// it (entity/subordinate_file.h: the loader's parser, the directory's
// defaults merged in), written atomically, applied by the reload SIGHUP
// makes (reload.h), and recorded in the audit log (admin_audit.h).
//
// Authentication: `Authorization: Bearer <token>`, its SHA-256 compared in
// constant time with each operator's token_sha256 (bearer_token.h); 401 with
// WWW-Authenticate without a known token, 403 for a change asked by an
// operator with the read role. Nothing secret is logged or audited: the
// operator is named, never its token.
//
// Concurrency: changes are serialised by one mutex (reads are not). Every
// answer about one subordinate carries its file's SHA-256 as the ETag; a
// change must send it back in If-Match (428 without it) and is refused
// with 409, nothing written, when the file changed since (the CLI, an
// editor or another operator).
//
// Subordinates are looked up by exact entity id among the files of the
// authority's subordinates_dir; a file name never comes from a request (a
// new file's name is entityFileStem() of its entity id, as `oidfed
// subordinate add` names it).
//
// Thread-safe: handle() runs on every admin worker thread at once.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

#include "entity/subordinate_file.h"
#include "server/admin_audit.h"
#include "server/admin_settings.h"
#include "server/federation_service.h"
#include "server/http_message.h"
#include "server/query_params.h"
#include "server/reload.h"

namespace oidfed::server {

class AdminApi {
public:
    struct Dependencies {
        FederationService &service;
        const Clock &clock;
        /// The reload SIGHUP makes (reloadFromFile with the configuration
        /// file); called with the edit lock held.
        std::function<ReloadOutcome()> reload;
    };

    /// `options`: the running server's (allow_http, and options.admin, which
    /// must be set).
    AdminApi(const ServerOptions &options, Dependencies dependencies);

    HttpResponse handle(const HttpRequest &request);

    /// The paths, under the admin listener.
    static constexpr std::string_view kSubordinatesPath = "/admin/subordinates";
    static constexpr std::string_view kSubordinatePath = "/admin/subordinate";
    static constexpr std::string_view kBlockPath = "/admin/subordinate/block";
    static constexpr std::string_view kUnblockPath = "/admin/subordinate/unblock";
    static constexpr std::string_view kReloadPath = "/admin/reload";
    static constexpr std::string_view kKeysPath = "/admin/keys";
    static constexpr std::string_view kKeysRotatePath = "/admin/keys/rotate";
    static constexpr std::string_view kKeysActivatePath = "/admin/keys/activate";
    static constexpr std::string_view kKeysRevokePath = "/admin/keys/revoke";
    static constexpr std::string_view kTrustMarksPath = "/admin/trust-marks";
    static constexpr std::string_view kTrustMarkSubjectPath = "/admin/trust-marks/subject";
    static constexpr std::string_view kTrustMarkRevokePath = "/admin/trust-marks/revoke";

    /// A request once its operator is known (admin_subordinates.cpp).
    struct Call {
        const HttpRequest &request;
        const AdminOperator &op;
        QueryParams params;
    };

private:
    /// The operator whose token the request carries, or the 401 answer.
    const AdminOperator *authenticate(const HttpRequest &request) const;

    // Reads (admin_subordinates.cpp).
    HttpResponse listSubordinates(const Call &call);
    HttpResponse showSubordinate(const Call &call);
    // Changes (admin_subordinates.cpp), each under editMutex_.
    HttpResponse addSubordinate(const Call &call);
    HttpResponse setMembers(const Call &call);
    HttpResponse block(const Call &call, bool blocked);
    HttpResponse removeSubordinate(const Call &call);
    HttpResponse reload(const Call &call);
    // Keys (admin_keys.cpp): the entity's key store, as `oidfed keys`.
    HttpResponse listKeys(const Call &call);
    HttpResponse changeKeys(const Call &call, std::string_view path);
    // Trust mark subjects (admin_trust_marks.cpp), as `oidfed trust-mark`.
    HttpResponse listTrustMarks(const Call &call);
    HttpResponse changeTrustMarkSubject(const Call &call, bool revoke);

    /// The authority `entity=` names (its subordinates_dir), or an error
    /// answer.
    struct Authority {
        std::string entityId;
        std::filesystem::path dir;
    };
    Result<Authority> authorityOf(const Call &call) const;

    /// The subordinate `sub=` names, read from the authority's directory.
    Result<entity::ListedSubordinate> subordinateOf(const Call &call, const Authority &authority) const;

    /// What a change to an existing subordinate file shares: the lookup,
    /// If-Match, `edit` (the new JSON from the file's, or an error: 400),
    /// the loader's checks, the atomic write, the reload and the audit.
    using Edit = std::function<Result<Json>(const entity::ListedSubordinate &listed)>;
    HttpResponse changeFile(const Call &call, std::string_view action, const Edit &edit);

    /// The If-Match check of a change to a file whose bytes are
    /// `current`: nullopt when it may go on, else the refusal (428 or 409),
    /// audited.
    std::optional<HttpResponse> preconditionFails(const Call &call, AuditEntry &entry, const std::string &current);

    /// Records `entry` and answers `response`; an audit log that cannot be
    /// written turns the answer into 500 (the change itself is done).
    HttpResponse audited(AuditEntry entry, HttpResponse response);

    /// The result of a change once written: reload, then the answer.
    HttpResponse applied(const Call &call, AuditEntry entry, Json body, int status);

    EntityIdOptions ids_;
    AdminSettings settings_;
    Dependencies deps_;
    AdminAudit audit_;
    std::mutex editMutex_;  ///< one change (write + reload) at a time
};

/// An error answer of the admin API: errorToJson()'s members with "error"
/// the code of `status` (invalid_request, invalid_client, forbidden,
/// not_found, conflict, precondition_required, server_error).
HttpResponse adminError(const Error &error, int status);

/// The operator of `settings` whose token an `Authorization: Bearer`
/// header carries (bearer_token.h: every digest compared in constant time),
/// or nullptr. The admin API and the web console authenticate this way.
const AdminOperator *findAdminOperator(const AdminSettings &settings, std::string_view authorizationHeader);

/// The `ETag` of a file's bytes: its SHA-256 in hexadecimal, quoted.
std::string fileEtag(std::string_view bytes);

} // namespace oidfed::server
