// The roles of a hosted entity, each built into its EntitySlot by one step
// and routed by one function (one file per role: *_role.cpp). The snapshot
// builder (snapshot_builder.cpp) runs every role's build step over all
// entities, role after role in the order of kRoles there, then asks each
// slot's roles for their routes.
//
// To add a role: a member in EntitySlot (service_snapshot.h), a file
// src/server/<name>_role.cpp with its two functions declared below, and a
// line in kRoles.
//
// One bad item never takes the server down: a build step reports what it
// could not use (SnapshotBuild::report) and serves the item's last good state
// from the previous snapshot (on reload) or leaves the item out. A step that
// fails as a whole affects only its entity: on reload the entity's previous
// slot is served, at start the role is left out (the entity itself, when the
// entity step fails).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

#include "entity/hosted_entity.h"
#include "entity/key_store.h"
#include "entity/trust_mark_issuer.h"
#include "server/expiry.h"
#include "server/crawl_state.h"
#include "server/http_responses.h"
#include "server/item_problem.h"
#include "server/query_params.h"
#include "server/resolve_endpoint.h"
#include "server/server_config.h"
#include "server/service_snapshot.h"

namespace oidfed::server {

/// What the build steps of one snapshot share. Filled by the snapshot
/// builder before the first role runs; the steps read it (and take their
/// part of it, e.g. the entity step moves the key store into the entity).
struct SnapshotBuild {
    const std::vector<HostedEntityConfig> &entities;
    const ServerOptions &options;
    UnixTime now = 0;
    Fetcher &localFetcher;   ///< the resolvers' fetcher (hosted URLs in process)
    Fetcher &upstream;       ///< for entities not hosted here (libcurl)
    const Clock &clock;
    Cache *sharedCache = nullptr;
    ResolveEndpoint::Shared resolveShared;
    /// The crawls, kept across snapshots (crawl_role.cpp).
    std::shared_ptr<CrawlState> crawlState{};

    /// The snapshot served so far (a reload), or nullptr (start).
    const ServiceSnapshot *previous = nullptr;

    /// Per entity, in configuration order: its key store (nullopt: it
    /// could not be loaded, the entity is left out), and its settings with
    /// the jwks of every trust_mark_owners entry whose owner is hosted here
    /// filled in.
    std::vector<std::optional<entity::KeyStore>> keyStores{};
    std::vector<entity::HostedEntitySettings> settings{};
    /// Entity id -> published keys, of every hosted entity.
    std::map<std::string, JwkSet> hostedKeys{};
    /// Entity id -> its Trust Mark Issuer role (filled by that role's step),
    /// shared with the holders' callbacks, which outlive the build.
    std::shared_ptr<std::map<std::string, std::shared_ptr<entity::TrustMarkIssuer>>> issuersById =
        std::make_shared<std::map<std::string, std::shared_ptr<entity::TrustMarkIssuer>>>();

    /// What could not be served as configured.
    std::vector<ItemProblem> problems{};

    /// The published keys of a hosted entity, or nullopt.
    std::optional<JwkSet> hostedKeysOf(const std::string &entityId) const;
    /// The trust anchors of a role of entity `index`, with their pinned
    /// keys (an anchor hosted here without jwks: its published keys); one
    /// that has neither is reported (TrustAnchor) and left out.
    std::vector<TrustAnchor> pinnedAnchors(std::size_t index, const std::vector<TrustAnchorSetting> &settings);
    /// The slot entity `index` had in the previous snapshot, or nullptr.
    const EntitySlot *previousSlot(std::size_t index) const;
    /// Records a problem of entity `index` (logged and reported by the
    /// service).
    void report(std::size_t index, ItemKind kind, std::string item, std::string file, Error error,
                ItemFallback fallback);
};

/// Calls `answer` with the request's query parameters, or answers 400
/// invalid_request when they do not decode (QueryParams::parse).
template <typename Answer>
HttpResponse withQuery(const EndpointCall &call, Answer &&answer)
{
    auto params = QueryParams::parse(call.request.query);
    if (!params)
        return errorResponse("invalid_request", params.error().message);
    return answer(*params);
}

/// Calls `answer(params, caller)` with the request's parameters: a GET's
/// query (caller nullptr), or a POST's form body once its spec 8.8 client
/// authentication verified with the slot's trust API callers (the dispatcher
/// routes a POST here only when the slot has them); or answers with the
/// refusal (400, 401, 413, 415).
template <typename Answer>
HttpResponse withAuthenticatedParams(const EndpointCall &call, Answer &&answer)
{
    if (call.request.method != "POST" || !call.slot.trustApi)
        return withQuery(call, [&](const QueryParams &params) {
            return answer(params, static_cast<const TrustApiCaller *>(nullptr));
        });
    const std::string &prefix = call.slot.entity->pathPrefix();
    const std::string_view path = std::string_view(call.request.path).substr(
        call.request.path.compare(0, prefix.size(), prefix) == 0 ? prefix.size() : 0);
    TrustApiEndpoint::AuthenticatedPost post = call.slot.trustApi->authenticatePost(call.request, path, call.now);
    if (!post.params)
        return post.refusal;
    return answer(*post.params, post.caller);
}

/// Fills the role's member of `slot` for entity `index` (or leaves it empty
/// when the entity does not have the role).
using RoleBuild = Result<void> (*)(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
/// Adds the role's routes for a built slot (none when the member is empty).
using RoleRoutes = void (*)(const EntitySlot &slot, RouteAdder &routes);
/// Appends the role's problems that arise while the slot is served (for
/// /readyz and /metrics); optional (nullptr in kRoles).
using RoleProblems = void (*)(const EntitySlot &slot, UnixTime now, std::vector<ItemProblem> &out);
/// Appends what the role relies on that has an end (expiry.h); optional.
using RoleExpiries = void (*)(const EntitySlot &slot, std::vector<ExpiringItem> &out);
/// Periodic work of the role (from the server's refresher); optional.
using RoleRefresh = void (*)(const EntitySlot &slot, UnixTime now);

/// Trust Mark Issuer ("trust_mark_issuer"): the catalog and the signed marks;
/// /trust-mark, /trust-mark-list, /trust-mark-status. Built before the
/// entities, so that a holder hosted here asks its issuer directly.
Result<void> buildTrustMarkIssuerRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addTrustMarkIssuerRoutes(const EntitySlot &slot, RouteAdder &routes);
/// A type whose delegation file has expired since it was loaded (no mark of
/// it can be issued).
void trustMarkIssuerProblemsNow(const EntitySlot &slot, UnixTime now, std::vector<ItemProblem> &out);
/// Its delegation files (not renewed by the server) and the earliest mark
/// of each type (re-signed by it).
void trustMarkIssuerExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out);

/// Explicit registration ("explicit_registration", spec 12.2) of an OpenID
/// Provider or OAuth authorization server: /federation-registration (POST).
/// Built before the entity, whose Entity Configuration then publishes the
/// endpoint (HostedEntitySettings::registrationEntityType); a role that
/// cannot be built (its anchors, policy or client store) is left out, and
/// the endpoint with it.
Result<void> buildRegistrationRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addRegistrationRoutes(const EntitySlot &slot, RouteAdder &routes);
/// Client files that cannot be read, clients that could not be removed,
/// a client store that failed the last registration.
void registrationProblemsNow(const EntitySlot &slot, UnixTime now, std::vector<ItemProblem> &out);
/// The sweep: ended (and elsewhere replaced) registrations removed.
void refreshRegistration(const EntitySlot &slot, UnixTime now);

/// Trust API ("trust_api", docs/trust-api.md) of an OpenID Provider, OAuth
/// authorization server or credential issuer: /trust-api/client,
/// /trust-api/request-object, /trust-api/client-assertion (POST), for the
/// entity's own modules. A role that cannot be built (its anchors, a
/// store) is left out, and its endpoints with it.
Result<void> buildTrustApiRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addTrustApiRoutes(const EntitySlot &slot, RouteAdder &routes);

/// The entity itself (keys, subordinates, held marks, signed documents):
/// /.well-known/openid-federation and /historical-keys.
Result<void> buildEntityRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addEntityRoutes(const EntitySlot &slot, RouteAdder &routes);
/// A held trust mark whose last renewal failed.
void entityProblemsNow(const EntitySlot &slot, UnixTime now, std::vector<ItemProblem> &out);
/// Its retired keys (published until their exp) and the marks it holds.
void entityExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out);

/// Resolver ("resolver"): /resolve.
Result<void> buildResolverRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addResolverRoutes(const EntitySlot &slot, RouteAdder &routes);
/// The pinned keys of its trust anchors hosted here against the keys they
/// publish (found when it was built).
void resolverExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out);

/// Crawl ("resolver.crawl"): /collection and /federation-health from the
/// latest crawl (crawler.h, crawl_state.h). After the resolver role.
Result<void> buildCrawlRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addCrawlRoutes(const EntitySlot &slot, RouteAdder &routes);

/// Authority ("subordinates_dir"): the prepared list answers and the
/// resolver of the list's trust mark filters; /fetch and /list. After the
/// resolver role, whose resolver it uses.
Result<void> buildAuthorityRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot);
void addAuthorityRoutes(const EntitySlot &slot, RouteAdder &routes);

} // namespace oidfed::server
