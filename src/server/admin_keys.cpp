// The admin API's key calls (docs/admin-api.md "Keys"): an entity's key
// store listed, and rotate, activate and revoke as `oidfed keys` does them
// (KeyStore's mutations, which lock the directory and re-read it), with
// If-Match against the SHA-256 of the manifest (keys.json), then the
// reload and the audit of every change.

#include "core/file_read.h"
#include "core/sha256.h"
#include "entity/key_listing.h"
#include "server/admin_api.h"
#include "server/http_responses.h"

namespace oidfed::server {

namespace {

constexpr const char *kManifest = "keys.json";
constexpr std::size_t kMaxManifestBytes = 16 << 20;

} // namespace

HttpResponse AdminApi::listKeys(const Call &call)
{
    auto entity = call.params.single("entity");
    if (!entity || !*entity)
        return adminError(Error(ErrorCode::InvalidArgument, "the query parameter entity is required").withClaim("entity"),
                          400);
    std::optional<entity::KeyStoreLocation> location = deps_.service.keyStoreOf(**entity);
    if (!location)
        return adminError(Error(ErrorCode::NotFound, "no entity with this entity id is served here").withClaim("entity"),
                          404);
    location->options.createIfMissing = false;
    const UnixTime now = deps_.clock.now();
    auto store = entity::KeyStore::open(location->dir, location->options, now);
    if (!store)
        return adminError(store.error(), 500);
    auto manifest = readRegularFile(location->dir / kManifest, kMaxManifestBytes);
    if (!manifest)
        return adminError(manifest.error(), 500);
    Json body = entity::keyListing(*store, now);
    body.set("entity", **entity);
    body.set("etag", fileEtag(*manifest));
    HttpResponse response;
    response.contentType = "application/json";
    response.addHeader("Cache-Control", "no-store");
    response.addHeader("ETag", fileEtag(*manifest));
    response.body = body.dump();
    return response;
}

HttpResponse AdminApi::changeKeys(const Call &call, std::string_view path)
{
    const std::string action = path == kKeysRotatePath     ? "keys.rotate"
                               : path == kKeysActivatePath ? "keys.activate"
                                                           : "keys.revoke";
    AuditEntry entry{.operatorName = call.op.name, .action = action, .file = kManifest};
    auto refused = [&](const Error &error, int status) {
        entry.result = "refused";
        entry.detail = error.message;
        return audited(entry, adminError(error, status));
    };
    auto entity = call.params.single("entity");
    if (!entity || !*entity)
        return refused(Error(ErrorCode::InvalidArgument, "the query parameter entity is required").withClaim("entity"),
                       400);
    entry.entity = **entity;
    std::optional<entity::KeyStoreLocation> location = deps_.service.keyStoreOf(**entity);
    if (!location)
        return refused(Error(ErrorCode::NotFound, "no entity with this entity id is served here").withClaim("entity"),
                       404);
    location->options.createIfMissing = false;
    std::string kid;
    std::string reason = "unspecified";
    if (action == "keys.revoke") {
        auto body = parseJson(call.request.body);
        const std::string *given = body && body->isObject() ? body->findString("kid") : nullptr;
        if (!given || given->empty())
            return refused(Error(ErrorCode::InvalidArgument, "kid is required: the key to revoke").withClaim("kid"),
                           400);
        kid = *given;
        if (const std::string *why = body->findString("reason"))
            reason = *why;
        entry.target = kid;
    }

    std::lock_guard editing(editMutex_);
    const UnixTime now = deps_.clock.now();
    auto manifest = readRegularFile(location->dir / kManifest, kMaxManifestBytes);
    if (!manifest)
        return refused(manifest.error(), 500);
    entry.before = sha256Hex(*manifest);
    if (std::optional<HttpResponse> refusal = preconditionFails(call, entry, entry.before))
        return std::move(*refusal);
    auto store = entity::KeyStore::open(location->dir, location->options, now);
    if (!store)
        return refused(store.error(), 500);
    Result<entity::KeyStore> changed = action == "keys.rotate"     ? store->rotate(now)
                                       : action == "keys.activate" ? store->activate(now)
                                                                   : store->revoke(kid, reason, now);
    if (!changed)
        return refused(changed.error(), changed.error().code == ErrorCode::NotFound ? 404 : 400);
    if (action == "keys.rotate")
        entry.target = changed->nextKey()->kid();
    else if (action == "keys.activate")
        entry.target = changed->activeKey().kid();
    if (auto after = readRegularFile(location->dir / kManifest, kMaxManifestBytes))
        entry.after = sha256Hex(*after);
    Json body = entity::keyListing(*changed, now);
    body.set("entity", entry.entity);
    body.set("action", action.substr(5));
    body.set("kid", entry.target);
    body.set("changed", true);
    return applied(call, std::move(entry), std::move(body), 200);
}

} // namespace oidfed::server
