#include "server/federation_service.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <unordered_map>

#include <oidfed/resolver.h>

#include "entity/hosted_entity.h"
#include "entity/key_store.h"
#include "entity/subordinate.h"
#include "server/entity_endpoints.h"
#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

enum class Endpoint { Configuration, Fetch, List, Resolve, HistoricalKeys };

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
};

FederationService::FederationService(ServerConfig config, Dependencies dependencies)
    : config_(std::move(config)), deps_(dependencies),
      localFetcher_([this](const std::string &url) { return localResponse(url); }, dependencies.upstream)
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
    std::vector<entity::KeyStore> keyStores;
    std::map<std::string, JwkSet> hostedKeys;
    for (const HostedEntityConfig &hosted : config_.entities) {
        auto keys = entity::KeyStore::open(hosted.entity.keysDir, hosted.entity.keys, now);
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
        OIDFED_TRY(std::shared_ptr<entity::HostedEntity> created,
                   entity::HostedEntity::create(hosted.entity, std::move(keyStores[i]), std::move(subordinates),
                                                lookupHosted, now, statementOptions));
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
            *snapshot->entities[i], std::move(resolver), options.resolveEndpoint, gate_, metrics_));
    }

    for (std::size_t i = 0; i < snapshot->entities.size(); ++i) {
        const entity::HostedEntity &hosted = *snapshot->entities[i];
        const std::string &prefix = hosted.pathPrefix();
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
    }
    for (const auto &[path, routes] : snapshot->routes)
        if (path == "/healthz" || path == "/readyz" || path == "/metrics")
            return fail(ErrorCode::InvalidArgument, "an entity's endpoint would hide " + path);
    return std::shared_ptr<const ServiceSnapshot>(std::move(snapshot));
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
    for (const auto &hosted : snapshot->entities) {
        OIDFED_TRY(std::size_t count, hosted->refresh(now));
        resigned += count;
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
        if (deps_.sharedCache)
            gauges["oidfed_redis_up"] = deps_.sharedCache->health().state == CacheHealthState::Ok ? 1 : 0;
        response.body = metrics_.render(gauges);
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
    if (request.method != "GET") {
        // Spec 8: GET, or POST with client authentication, which this
        // server does not offer.
        HttpResponse refused = errorResponse("invalid_request", "only GET is supported by this endpoint");
        refused.status = 405;
        refused.addHeader("Allow", "GET");
        return refused;
    }
    auto params = QueryParams::parse(request.query);
    if (!params)
        return errorResponse("invalid_request", params.error().message);

    const entity::HostedEntity &hosted = *snapshot->entities[route->entity];
    const UnixTime now = deps_.clock.now();
    switch (route->endpoint) {
    case Endpoint::Configuration:
        return configurationEndpoint(hosted, now, request.ifNoneMatch);
    case Endpoint::Fetch:
        return fetchEndpoint(hosted, *params, EntityIdOptions{.allowHttp = config_.options.allowHttp}, now,
                             request.ifNoneMatch);
    case Endpoint::List:
        return listEndpoint(hosted, snapshot->lists[route->entity], *params, request.ifNoneMatch);
    case Endpoint::Resolve:
        return snapshot->resolvers[route->entity]->handle(*params, now, request.ifNoneMatch);
    case Endpoint::HistoricalKeys:
        return historicalKeysEndpoint(hosted, now, request.ifNoneMatch);
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

std::optional<HttpResponse> FederationService::localResponse(const std::string &url)
{
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

    // Any URL on the scheme and authority of a hosted entity is answered
    // here, also one that matches no endpoint (404): a request over HTTP to
    // this very server could wait for a worker thread that is busy with the
    // resolution asking for it.
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    std::string scheme = lowercase(url.substr(0, schemeEnd));
    bool hosted = std::any_of(snapshot->entities.begin(), snapshot->entities.end(), [&](const auto &entity) {
        const std::string &id = entity->entityId().str();
        return lowercase(entity->authority()) == authority && lowercase(id.substr(0, id.find("://"))) == scheme;
    });
    if (!hosted)
        return std::nullopt;
    std::string endpoint;
    return dispatch(request, endpoint);
}

} // namespace oidfed::server
