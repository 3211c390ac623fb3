// ServiceSnapshot: everything `oidfed serve` answers from at one moment —
// one EntitySlot per hosted entity, the path -> route table, and the origins
// answered in process. FederationService builds a complete snapshot at start
// and on every reload (snapshot_builder.h) and swaps it in at once; requests
// in flight finish on the snapshot they started with.
//
// An EntitySlot holds one hosted entity and each of its roles. A role is one
// file (src/server/*_role.cpp, declared in roles.h) with two functions — a
// build step that fills the role's member of the slot, and one that adds the
// role's routes — and one member here. docs/architecture.md ("Entity
// service") says how to add one.
//
// Immutable once built: any number of request threads read a snapshot.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/resolver.h>

#include "entity/hosted_entity.h"
#include "entity/trust_mark_issuer.h"
#include "server/crawl_settings.h"
#include "server/crawl_state.h"
#include "server/entity_endpoints.h"
#include "server/expiry.h"
#include "server/http_message.h"
#include "server/item_problem.h"
#include "server/registration_endpoint.h"
#include "server/resolve_endpoint.h"
#include "server/trust_api_endpoint.h"

namespace oidfed::server {

/// A delegation_file's delegation, checked when loaded: the type, the file
/// and its exp.
struct DelegationExpiry {
    std::string trustMarkType{};
    std::string file{};
    UnixTime expiresAt = -1;  ///< -1: no exp
};

/// One hosted entity and its roles. A member is null / empty when the entity
/// does not have that role.
struct EntitySlot {
    /// The entity itself: Entity Configuration and historical keys (always set).
    std::shared_ptr<entity::HostedEntity> entity{};
    /// Authority (subordinates_dir): the list endpoint's prepared answers.
    ListBody list{};
    /// Authority: the resolver whose verified marks answer the list
    /// endpoint's trust_marked / trust_mark_type filters (nullptr: the
    /// filters are unsupported). The resolver role's resolver, or
    /// ownedMarkResolver.
    Resolver *markResolver = nullptr;
    std::shared_ptr<Resolver> ownedMarkResolver{};
    /// Resolver ("resolver"): the resolve endpoint, and how the keys it pins
    /// for anchors hosted here compare with the keys they publish.
    std::shared_ptr<ResolveEndpoint> resolver{};
    std::vector<ExpiringItem> anchorPins{};
    /// Trust Mark Issuer ("trust_mark_issuer"): its marks and endpoints, and
    /// the expiry of each delegation_file of the types it issues.
    std::shared_ptr<entity::TrustMarkIssuer> issuer{};
    std::vector<DelegationExpiry> delegations{};
    /// Explicit registration ("explicit_registration"): the registration
    /// endpoint and its client store.
    std::shared_ptr<RegistrationEndpoint> registration{};
    /// Trust API ("trust_api"): the calls of the entity's own modules.
    std::shared_ptr<TrustApiEndpoint> trustApi{};
    /// Crawl ("resolver.crawl"): its settings, and the crawls the
    /// collection and health endpoints answer from.
    std::shared_ptr<const CrawlSettings> crawl{};
    std::shared_ptr<CrawlState> crawlState{};
};

/// What an endpoint handler gets: the request, the slot of the entity it is
/// addressed to, and the time it is answered at.
struct EndpointCall {
    const HttpRequest &request;
    const EntitySlot &slot;
    UnixTime now = 0;
    EntityIdOptions idOptions{};
};

using EndpointHandler = HttpResponse (*)(const EndpointCall &call);

/// One endpoint of one hosted entity.
struct Route {
    std::size_t slot = 0;           ///< index into ServiceSnapshot::slots
    std::string_view name{};        ///< the metrics' endpoint label (a fixed string)
    std::string_view method{};      ///< "GET" or "POST": others get 405
    EndpointHandler handler = nullptr;
    /// A GET endpoint that also takes POST with spec 8.8 client
    /// authentication (the slot has trust API callers).
    bool authenticatedPost = false;
};

/// Adds the routes of one slot: path relative to the entity identifier.
class RouteAdder {
public:
    RouteAdder(std::unordered_map<std::string, std::vector<Route>> &routes, std::string prefix, std::size_t slot)
        : routes_(routes), prefix_(std::move(prefix)), slot_(slot)
    {
    }
    void add(std::string_view path, std::string_view name, std::string_view method, EndpointHandler handler,
             bool authenticatedPost = false)
    {
        routes_[prefix_ + std::string(path)].push_back(Route{slot_, name, method, handler, authenticatedPost});
    }

private:
    std::unordered_map<std::string, std::vector<Route>> &routes_;
    std::string prefix_;
    std::size_t slot_;
};

struct ServiceSnapshot {
    /// The entities served, in configuration order (an entity that could
    /// not be served at all has none).
    std::vector<EntitySlot> slots;
    /// What could not be served as configured when it was built.
    std::vector<ItemProblem> problems;
    /// path -> routes (several when entities on different hosts share a path).
    std::unordered_map<std::string, std::vector<Route>> routes;
    /// "scheme://authority" (lowercase) of every hosted entity: the URLs
    /// the LocalFetcher answers in process.
    std::set<std::string> origins;
};

} // namespace oidfed::server
