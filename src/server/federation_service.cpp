#include "server/federation_service.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <unordered_map>

#include <oidfed/resolver.h>

#include "entity/hosted_entity.h"
#include "entity/key_store.h"
#include "entity/subordinate.h"
#include "server/entity_endpoints.h"
#include "entity/trust_mark_catalog.h"
#include "entity/trust_mark_issuer.h"
#include "server/http_responses.h"
#include "server/server_log.h"
#include "server/trust_mark_endpoints.h"
#include "server/trust_mark_fetch.h"

namespace oidfed::server {

namespace {

enum class Endpoint {
    Configuration,
    Fetch,
    List,
    Resolve,
    HistoricalKeys,
    TrustMark,
    TrustMarkList,
    TrustMarkStatus,
};

struct Route {
    std::size_t entity = 0;
    Endpoint endpoint = Endpoint::Configuration;
};

std::string_view routeName(Endpoint endpoint)
{
    switch (endpoint) {
    case Endpoint::Configuration:
        return "entity_configuration";
    case Endpoint::Fetch:
        return "fetch";
    case Endpoint::List:
        return "list";
    case Endpoint::Resolve:
        return "resolve";
    case Endpoint::HistoricalKeys:
        return "historical_keys";
    case Endpoint::TrustMark:
        return "trust_mark";
    case Endpoint::TrustMarkList:
        return "trust_mark_list";
    case Endpoint::TrustMarkStatus:
        return "trust_mark_status";
    }
    return "unknown";
}

std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

struct ServiceSnapshot {
    std::vector<std::shared_ptr<entity::HostedEntity>> entities;
    std::vector<ListBody> lists;                              ///< per entity (empty for non-authorities)
    std::vector<std::unique_ptr<ResolveEndpoint>> resolvers;  ///< per entity (nullptr unless resolver)
    std::unordered_map<std::string, std::vector<Route>> routes;  ///< path -> routes (several: hosts differ)
    /// Per entity: its Trust Mark Issuer role (nullptr unless configured).
    std::vector<std::shared_ptr<entity::TrustMarkIssuer>> issuers;
    /// Per entity: the resolver whose verified marks answer the list
    /// endpoint's trust_marked / trust_mark_type filters (nullptr: the
    /// filters are unsupported). Points into resolvers or ownedResolvers.
    std::vector<Resolver *> markResolvers;
    std::vector<std::unique_ptr<Resolver>> ownedResolvers;
    /// "scheme://authority" (lowercase) of every hosted entity: the URLs
    /// the LocalFetcher answers in process.
    std::set<std::string> origins;
};

FederationService::FederationService(ServerConfig config, Dependencies dependencies)
    : config_(std::move(config)), deps_(dependencies), clients_(config_.options.resolveEndpoint),
      localFetcher_([this](const FetchRequest &fetch) { return localResponse(fetch); }, dependencies.upstream)
{
}

FederationService::~FederationService() = default;

Result<std::unique_ptr<FederationService>> FederationService::create(ServerConfig config, Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateResolverOptions(config.options.resolver));
    std::unique_ptr<FederationService> service(new FederationService(std::move(config), dependencies));
    OIDFED_TRY(service->snapshot_, service->buildSnapshot(dependencies.clock.now()));
    return service;
}

Result<std::shared_ptr<const ServiceSnapshot>> FederationService::buildSnapshot(UnixTime now)
{
    auto snapshot = std::make_shared<ServiceSnapshot>();
    const ServerOptions &options = config_.options;
    const EntityIdOptions idOptions{.allowHttp = options.allowHttp};

    // Keys first: a subordinate or trust anchor hosted here takes its keys
    // from its own key store.
    // openAll: on a first start, thousands of stores are created with their
    // writes made durable together, not four fsyncs each.
    std::vector<entity::KeyStoreLocation> locations;
    for (const HostedEntityConfig &hosted : config_.entities)
        locations.push_back({hosted.entity.keysDir, hosted.entity.keys});
    std::vector<Result<entity::KeyStore>> opened = entity::KeyStore::openAll(locations, now);
    std::vector<entity::KeyStore> keyStores;
    std::map<std::string, JwkSet> hostedKeys;
    for (std::size_t i = 0; i < config_.entities.size(); ++i) {
        const HostedEntityConfig &hosted = config_.entities[i];
        Result<entity::KeyStore> &keys = opened[i];
        if (!keys)
            return fail(keys.error().code, hosted.entity.entityId.str() + ": keys in " +
                                               hosted.entity.keysDir.string() + ": " + keys.error().message);
        hostedKeys.emplace(hosted.entity.entityId.str(), keys->publishedKeys(now));
        keyStores.push_back(std::move(keys).value());
    }
    auto lookupHosted = [&](const std::string &id) -> std::optional<JwkSet> {
        auto it = hostedKeys.find(id);
        return it == hostedKeys.end() ? std::nullopt : std::optional<JwkSet>(it->second);
    };

    StatementOptions statementOptions = options.resolver.statements;
    OIDFED_TRY(std::vector<entity::HostedEntitySettings> settingsList, settingsWithHostedOwners(lookupHosted));

    // Trust Mark Issuers next: a holder hosted here asks its issuer directly.
    auto ownerKey = [&](const std::string &id) -> std::optional<Jwk> {
        for (std::size_t i = 0; i < config_.entities.size(); ++i)
            if (config_.entities[i].entity.entityId.str() == id)
                return keyStores[i].activeKey();
        return std::nullopt;
    };
    auto issuersById = std::make_shared<std::map<std::string, std::shared_ptr<entity::TrustMarkIssuer>>>();
    for (std::size_t i = 0; i < config_.entities.size(); ++i) {
        const entity::HostedEntitySettings &settings = settingsList[i];
        if (!settings.trustMarkIssuer) {
            snapshot->issuers.push_back(nullptr);
            continue;
        }
        auto catalog = entity::TrustMarkCatalog::loadDirectory(settings.trustMarkIssuer->directory, idOptions);
        if (!catalog)
            return fail(catalog.error().code, settings.entityId.str() + ": trust marks in " +
                                                  settings.trustMarkIssuer->directory.string() + ": " +
                                                  catalog.error().message);
        OIDFED_TRY(std::shared_ptr<entity::TrustMarkIssuer> issuer,
                   entity::TrustMarkIssuer::create(settings.entityId, *settings.trustMarkIssuer, keyStores[i],
                                                   std::move(catalog).value(), ownerKey, now, statementOptions));
        issuersById->emplace(settings.entityId.str(), issuer);
        snapshot->issuers.push_back(std::move(issuer));
    }

    for (std::size_t i = 0; i < config_.entities.size(); ++i) {
        const HostedEntityConfig &hosted = config_.entities[i];
        std::shared_ptr<const entity::SubordinateSet> subordinates;
        if (hosted.entity.subordinatesDir) {
            auto loaded = entity::SubordinateSet::loadDirectory(*hosted.entity.subordinatesDir, idOptions);
            if (!loaded)
                return fail(loaded.error().code, hosted.entity.entityId.str() + ": subordinates in " +
                                                     hosted.entity.subordinatesDir->string() + ": " +
                                                     loaded.error().message);
            subordinates = std::move(loaded).value();
        }
        std::shared_ptr<entity::HeldTrustMarks> held;
        if (!settingsList[i].trustMarkSources.empty()) {
            Fetcher &upstream = deps_.upstream;
            entity::HeldTrustMarks::Obtain obtain = [issuersById, &upstream, statementOptions,
                                                     holder = settingsList[i].entityId](
                                                        const entity::HeldTrustMarkSetting &setting,
                                                        UnixTime at) -> Result<std::string> {
                auto issuer = issuersById->find(setting.issuer.str());
                if (issuer == issuersById->end())
                    return fetchHeldTrustMark(upstream, setting, holder, statementOptions);
                OIDFED_TRY(entity::DocumentPtr mark, issuer->second->mark(setting.trustMarkType, holder.str(), at));
                return mark->body;
            };
            held = std::make_shared<entity::HeldTrustMarks>(settingsList[i].entityId,
                                                            settingsList[i].trustMarkSources, std::move(obtain),
                                                            statementOptions);
        }
        OIDFED_TRY(std::shared_ptr<entity::HostedEntity> created,
                   entity::HostedEntity::create(std::move(settingsList[i]),
                                                entity::HostedEntityParts{.keys = std::move(keyStores[i]),
                                                                          .subordinates = std::move(subordinates),
                                                                          .heldMarks = std::move(held)},
                                                lookupHosted, now, statementOptions));
        if (created->heldMarks())
            for (const std::string &problem : created->heldMarks()->takeProblems())
                logLine(LogLevel::Warning, problem);
        snapshot->lists.push_back(makeListBody(*created));
        snapshot->entities.push_back(std::move(created));
    }

    for (std::size_t i = 0; i < config_.entities.size(); ++i) {
        const HostedEntityConfig &hosted = config_.entities[i];
        if (!hosted.entity.resolver) {
            snapshot->resolvers.push_back(nullptr);
            continue;
        }
        std::vector<TrustAnchor> anchors;
        for (const TrustAnchorSetting &setting : hosted.resolverTrustAnchors) {
            std::optional<JwkSet> jwks = setting.jwks ? setting.jwks : lookupHosted(setting.entityId.str());
            if (!jwks)
                return fail(ErrorCode::InvalidArgument, hosted.entity.entityId.str() + ": trust anchor " +
                                                            setting.entityId.str() +
                                                            " has no jwks and is not hosted by this server");
            anchors.push_back(TrustAnchor{setting.entityId, std::move(*jwks)});
        }
        OIDFED_TRY(std::unique_ptr<Resolver> resolver,
                   Resolver::create(options.resolver, std::move(anchors),
                                    Resolver::Dependencies{.fetcher = localFetcher_,
                                                           .clock = deps_.clock,
                                                           .cache = deps_.sharedCache}));
        snapshot->resolvers.push_back(std::make_unique<ResolveEndpoint>(
            *snapshot->entities[i], std::move(resolver), options.resolveEndpoint, options.resolver.trustMarks,
            ResolveEndpoint::Shared{gate_, clients_, metrics_}));
    }

    // The list endpoint's trust mark filters: the entity's own resolver, or
    // for a trust anchor without one, a resolver under itself.
    for (std::size_t i = 0; i < snapshot->entities.size(); ++i) {
        const entity::HostedEntity &hosted = *snapshot->entities[i];
        Resolver *resolver = nullptr;
        if (hosted.isAuthority() && snapshot->resolvers[i]) {
            resolver = &snapshot->resolvers[i]->resolver();
        } else if (hosted.isAuthority() && hosted.settings().authorityHints.empty()) {
            std::optional<JwkSet> jwks = lookupHosted(hosted.entityId().str());
            OIDFED_TRY(std::unique_ptr<Resolver> own,
                       Resolver::create(options.resolver, {TrustAnchor{hosted.entityId(), std::move(*jwks)}},
                                        Resolver::Dependencies{.fetcher = localFetcher_,
                                                               .clock = deps_.clock,
                                                               .cache = deps_.sharedCache}));
            resolver = own.get();
            snapshot->ownedResolvers.push_back(std::move(own));
        }
        snapshot->markResolvers.push_back(resolver);
    }

    for (std::size_t i = 0; i < snapshot->entities.size(); ++i) {
        const entity::HostedEntity &hosted = *snapshot->entities[i];
        const std::string &prefix = hosted.pathPrefix();
        const std::string &id = hosted.entityId().str();
        snapshot->origins.insert(lowercase(id.substr(0, id.find("://"))) + "://" + lowercase(hosted.authority()));
        auto add = [&](std::string_view path, Endpoint endpoint) {
            snapshot->routes[prefix + std::string(path)].push_back(Route{i, endpoint});
        };
        add(entity::kConfigurationPath, Endpoint::Configuration);
        add(entity::kHistoricalKeysPath, Endpoint::HistoricalKeys);
        if (hosted.isAuthority()) {
            add(entity::kFetchPath, Endpoint::Fetch);
            add(entity::kListPath, Endpoint::List);
        }
        if (snapshot->resolvers[i])
            add(entity::kResolvePath, Endpoint::Resolve);
        if (snapshot->issuers[i]) {
            add(entity::kTrustMarkPath, Endpoint::TrustMark);
            add(entity::kTrustMarkListPath, Endpoint::TrustMarkList);
            add(entity::kTrustMarkStatusPath, Endpoint::TrustMarkStatus);
        }
    }
    for (const auto &[path, routes] : snapshot->routes)
        if (path == "/healthz" || path == "/readyz" || path == "/metrics")
            return fail(ErrorCode::InvalidArgument, "an entity's endpoint would hide " + path);
    return std::shared_ptr<const ServiceSnapshot>(std::move(snapshot));
}

Result<std::vector<entity::HostedEntitySettings>> FederationService::settingsWithHostedOwners(
    const std::function<std::optional<JwkSet>(const std::string &)> &lookupHosted) const
{
    std::vector<entity::HostedEntitySettings> out;
    for (const HostedEntityConfig &hosted : config_.entities) {
        entity::HostedEntitySettings settings = hosted.entity;
        if (settings.trustMarkOwners.isObject()) {
            for (auto &[type, owner] : settings.trustMarkOwners.asObject()) {
                const std::string *sub = owner.isObject() ? owner.findString("sub") : nullptr;
                if (!sub || owner.contains("jwks"))
                    continue;  // the statement issuer checks the shape
                std::optional<JwkSet> jwks = lookupHosted(*sub);
                if (!jwks)
                    return fail(ErrorCode::InvalidArgument, settings.entityId.str() + ": trust_mark_owners." + type +
                                                                " has no jwks and " + *sub +
                                                                " is not hosted by this server");
                owner.set("jwks", jwks->toJson());
            }
        }
        out.push_back(std::move(settings));
    }
    return out;
}

std::shared_ptr<const ServiceSnapshot> FederationService::current() const
{
    std::lock_guard lock(mutex_);
    return snapshot_;
}

Result<void> FederationService::reload()
{
    std::lock_guard reloading(reloadMutex_);
    auto snapshot = buildSnapshot(deps_.clock.now());
    metrics_.countReload(snapshot.has_value());
    if (!snapshot)
        return fail(std::move(snapshot).error());
    std::shared_ptr<const ServiceSnapshot> old;
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(snapshot_, std::move(snapshot).value());
    }
    // `old` is released here, or by the last request still using it.
    return ok();
}

Result<std::size_t> FederationService::refresh()
{
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    UnixTime now = deps_.clock.now();
    std::size_t resigned = 0;
    for (const auto &issuer : snapshot->issuers) {
        if (!issuer)
            continue;
        OIDFED_TRY(std::size_t count, issuer->refresh(now));
        resigned += count;
    }
    for (const auto &hosted : snapshot->entities) {
        OIDFED_TRY(std::size_t count, hosted->refresh(now));
        resigned += count;
        if (hosted->heldMarks())
            for (const std::string &problem : hosted->heldMarks()->takeProblems())
                logLine(LogLevel::Warning, problem);
    }
    metrics_.countResigned(resigned);
    return resigned;
}

HttpResponse FederationService::readiness()
{
    Json body = Json::object();
    body.set("status", "ready");
    if (deps_.sharedCache) {
        CacheHealth health = deps_.sharedCache->health();
        if (health.state == CacheHealthState::Degraded) {
            // Degraded by design: answers keep coming from the in-process
            // cache or fresh resolution.
            body.set("status", "degraded");
            body.set("redis", "unreachable");
            body.set("detail", health.detail);
        } else {
            body.set("redis", "ok");
        }
    }
    HttpResponse response;
    response.contentType = "application/json";
    response.body = body.dump();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse FederationService::dispatch(const HttpRequest &request, std::string &endpointName)
{
    if (request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics") {
        endpointName = request.path.substr(1);
        if (request.method != "GET") {
            HttpResponse refused = errorResponse("invalid_request", "only GET is supported here");
            refused.status = 405;
            refused.addHeader("Allow", "GET");
            return refused;
        }
        if (request.path == "/healthz") {
            HttpResponse response;
            response.contentType = "application/json";
            response.body = R"({"status":"up"})";
            response.addHeader("Cache-Control", "no-store");
            return response;
        }
        if (request.path == "/readyz")
            return readiness();
        HttpResponse response;
        response.contentType = "text/plain; version=0.0.4";
        std::map<std::string, double> gauges;
        gauges["oidfed_ready"] = 1;
        std::optional<CacheStats> redis;
        if (deps_.sharedCache) {
            gauges["oidfed_redis_up"] = deps_.sharedCache->health().state == CacheHealthState::Ok ? 1 : 0;
            redis = deps_.sharedCache->stats();
        }
        response.body = metrics_.render(gauges, redis ? &*redis : nullptr);
        response.addHeader("Cache-Control", "no-store");
        return response;
    }

    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    auto found = snapshot->routes.find(request.path);
    if (found == snapshot->routes.end()) {
        endpointName = "unknown";
        return errorResponse("not_found", "no such endpoint");
    }
    const Route *route = &found->second.front();
    if (found->second.size() > 1) {
        route = nullptr;
        std::string host = lowercase(request.host);
        for (const Route &candidate : found->second)
            if (lowercase(snapshot->entities[candidate.entity]->authority()) == host)
                route = &candidate;
        if (!route) {
            endpointName = "unknown";
            return errorResponse("not_found", "no entity with this path is hosted for this Host");
        }
    }
    endpointName = std::string(routeName(route->endpoint));
    // Spec 8: GET, or POST with client authentication, which this server
    // does not offer; the trust mark status endpoint is POST only (8.4.1).
    const std::string allowed = route->endpoint == Endpoint::TrustMarkStatus ? "POST" : "GET";
    if (request.method != allowed) {
        HttpResponse refused = errorResponse("invalid_request", "only " + allowed + " is supported by this endpoint");
        refused.status = 405;
        refused.addHeader("Allow", allowed);
        return refused;
    }
    const entity::HostedEntity &hosted = *snapshot->entities[route->entity];
    const UnixTime now = deps_.clock.now();
    const EntityIdOptions idOptions{.allowHttp = config_.options.allowHttp};
    if (route->endpoint == Endpoint::TrustMarkStatus)
        return trustMarkStatusEndpoint(*snapshot->issuers[route->entity], request, now);

    auto params = QueryParams::parse(request.query);
    if (!params)
        return errorResponse("invalid_request", params.error().message);
    switch (route->endpoint) {
    case Endpoint::Configuration:
        return configurationEndpoint(hosted, now, request.ifNoneMatch);
    case Endpoint::Fetch:
        return fetchEndpoint(hosted, *params, idOptions, now, request.ifNoneMatch);
    case Endpoint::List: {
        Resolver *resolver = snapshot->markResolvers[route->entity];
        SubordinateMarks marks = [resolver](const std::string &subject) {
            std::vector<std::string> types;
            ResolveOutcome outcome = resolver->resolve(ResolveRequest{.subject = subject});
            if (outcome.chain)
                for (const VerifiedTrustMark &mark : (*outcome.chain)->trustMarks())
                    types.push_back(mark.trustMarkType);
            return types;
        };
        return listEndpoint(hosted, snapshot->lists[route->entity], *params, resolver ? &marks : nullptr,
                            request.ifNoneMatch);
    }
    case Endpoint::Resolve:
        return snapshot->resolvers[route->entity]->handle(*params, now, request.ifNoneMatch, request.clientAddress);
    case Endpoint::HistoricalKeys:
        return historicalKeysEndpoint(hosted, now, request.ifNoneMatch);
    case Endpoint::TrustMark:
        return trustMarkEndpoint(*snapshot->issuers[route->entity], *params, idOptions, now, request.ifNoneMatch);
    case Endpoint::TrustMarkList:
        return trustMarkListEndpoint(*snapshot->issuers[route->entity], *params, idOptions, now);
    case Endpoint::TrustMarkStatus:
        break;  // answered above
    }
    return errorResponse("server_error", "unrouted endpoint");
}

HttpResponse FederationService::handle(const HttpRequest &request)
{
    auto start = std::chrono::steady_clock::now();
    std::string endpoint;
    HttpResponse response = dispatch(request, endpoint);
    metrics_.countRequest(endpoint, response.status, std::chrono::steady_clock::now() - start);
    return response;
}

std::optional<HttpResponse> FederationService::localResponse(const FetchRequest &fetch)
{
    const std::string &url = fetch.url;
    // scheme://authority/path?query, as the collector builds them.
    std::size_t schemeEnd = url.find("://");
    if (schemeEnd == std::string::npos)
        return std::nullopt;
    std::size_t authorityBegin = schemeEnd + 3;
    std::size_t pathBegin = url.find_first_of("/?#", authorityBegin);
    std::string authority = lowercase(url.substr(authorityBegin, pathBegin - authorityBegin));
    std::string rest = pathBegin == std::string::npos ? std::string() : url.substr(pathBegin);
    if (rest.find('#') != std::string::npos)
        return std::nullopt;
    std::size_t queryBegin = rest.find('?');

    HttpRequest request;
    request.path = rest.substr(0, queryBegin);
    request.query = queryBegin == std::string::npos ? std::string() : rest.substr(queryBegin + 1);
    request.host = authority;
    if (fetch.formBody) {
        request.method = "POST";
        request.contentType = "application/x-www-form-urlencoded";
        request.body = *fetch.formBody;
    }

    // Any URL on the scheme and authority of a hosted entity is answered
    // here, also one that matches no endpoint (404): a request over HTTP to
    // this very server could wait for a worker thread that is busy with the
    // resolution asking for it.
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    if (!snapshot->origins.contains(lowercase(url.substr(0, schemeEnd)) + "://" + authority))
        return std::nullopt;
    std::string endpoint;
    return dispatch(request, endpoint);
}

} // namespace oidfed::server
