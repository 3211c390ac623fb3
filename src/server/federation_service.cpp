#include "server/federation_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "server/http_responses.h"
#include "server/process_endpoints.h"
#include "server/server_log.h"
#include "server/service_snapshot.h"
#include "server/snapshot_builder.h"

namespace oidfed::server {

FederationService::FederationService(ServerConfig config, Dependencies dependencies)
    : config_(std::move(config)), deps_(dependencies), clients_(config_.options.resolveEndpoint),
      localFetcher_([this](const FetchRequest &fetch) { return localResponse(fetch); }, dependencies.upstream),
      crawler_(Crawler::Dependencies{.fetcher = localFetcher_,
                                     .clock = dependencies.clock,
                                     .sharedCache = dependencies.sharedCache,
                                     .state = *crawlState_},
               config_.options.resolver.statements)
{
}

FederationService::~FederationService() = default;

Result<std::unique_ptr<FederationService>> FederationService::create(ServerConfig config, Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateServerOptions(config.options));
    std::unique_ptr<FederationService> service(new FederationService(std::move(config), dependencies));
    OIDFED_TRY(service->snapshot_, service->buildSnapshot(service->config_, dependencies.clock.now()));
    return service;
}

Result<std::shared_ptr<ServiceSnapshot>> FederationService::buildSnapshot(const ServerConfig &config, UnixTime now)
{
    std::shared_ptr<const ServiceSnapshot> previous = current();
    OIDFED_TRY(std::shared_ptr<ServiceSnapshot> snapshot,
               server::buildSnapshot(config, now,
                                     SnapshotDependencies{.localFetcher = localFetcher_,
                                                          .upstream = deps_.upstream,
                                                          .clock = deps_.clock,
                                                          .sharedCache = deps_.sharedCache,
                                                          .resolveShared = {gate_, clients_, metrics_},
                                                          .crawlState = crawlState_},
                                     previous.get()));
    return snapshot;
}

std::shared_ptr<const ServiceSnapshot> FederationService::current() const
{
    std::lock_guard lock(mutex_);
    return snapshot_;
}

Result<void> FederationService::reload(Result<ServerConfig> config)
{
    std::lock_guard reloading(reloadMutex_);
    // Only the entities are applied; every other member needs a restart.
    ServerConfig next{.options = config_.options, .entities = config ? config->entities : config_.entities};
    auto snapshot = buildSnapshot(next, deps_.clock.now());
    metrics_.countReload(snapshot.has_value() && config.has_value());
    if (!snapshot)
        return fail(std::move(snapshot).error());
    if (!config) {
        ItemProblem problem{.kind = ItemKind::Configuration,
                            .item = "configuration file",
                            .error = config.error(),
                            .fallback = ItemFallback::Previous};
        (*snapshot)->problems.insert((*snapshot)->problems.begin(), std::move(problem));
    } else {
        config_.entities = std::move(next.entities);
    }
    std::shared_ptr<const ServiceSnapshot> old;
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(snapshot_, std::move(snapshot).value());
    }
    if (!config)
        return fail(std::move(config).error());
    return ok();
}

std::vector<ItemProblem> FederationService::problems() const
{
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    std::vector<ItemProblem> out = snapshot->problems;
    for (ItemProblem &problem : problemsNow(*snapshot, deps_.clock.now()))
        out.push_back(std::move(problem));
    return out;
}

std::vector<ExpiringItem> FederationService::expiries() const
{
    return expiriesOf(*current());
}

void FederationService::warnExpiring()
{
    const UnixTime now = deps_.clock.now();
    for (const ExpiringItem &item : expiries()) {
        if (!dueWithin(item, now, config_.options.expiryWarning))
            continue;
        const std::string key = item.entity + " " + std::string(expiryKindName(item.kind)) + " " + item.item + " " +
                                std::to_string(item.expiresAt);
        {
            std::lock_guard lock(warnedMutex_);
            if (!warned_.insert(key).second)
                continue;
        }
        logLine(LogLevel::Warning, describeExpiring(item, now));
    }
}

std::vector<GaugeFamily> FederationService::gauges() const
{
    const UnixTime now = deps_.clock.now();
    std::shared_ptr<const ServiceSnapshot> snapshot = current();

    // Every label comes from a bounded set: configured entities, fixed kinds.
    std::map<std::pair<std::string, std::string>, double> problemCounts;
    for (const ItemProblem &problem : problems())
        problemCounts[{problem.entity, std::string(itemKindName(problem.kind))}] += 1;
    GaugeFamily itemProblems{.name = "oidfed_item_problems",
                             .help = "Configured items not served as configured (left out, or served from their "
                                     "previous state), by entity and kind; /readyz lists them."};
    for (const auto &[key, count] : problemCounts)
        itemProblems.series.push_back({{{"entity", key.first}, {"kind", key.second}}, count});

    std::map<std::pair<std::string, std::string>, UnixTime> least;
    for (const ExpiringItem &item : expiriesOf(*snapshot)) {
        if (item.expiresAt < 0)
            continue;
        auto [at, added] = least.try_emplace({item.entity, std::string(expiryKindName(item.kind))}, item.expiresAt);
        if (!added)
            at->second = std::min(at->second, item.expiresAt);
    }
    GaugeFamily expiry{.name = "oidfed_expiry_seconds",
                       .help = "Seconds until the first item of a kind an entity relies on expires (delegation, "
                               "trust_mark_issued, trust_mark_held, key_retired, anchor_pin); negative once expired."};
    for (const auto &[key, expiresAt] : least)
        expiry.series.push_back({{{"entity", key.first}, {"kind", key.second}}, static_cast<double>(expiresAt - now)});

    GaugeFamily nextKeys{.name = "oidfed_key_next_age_seconds",
                         .help = "Seconds since an entity's next key was announced (oidfed keys rotate) without "
                                 "being activated."};
    for (const EntitySlot &slot : snapshot->slots)
        for (const entity::KeyRecord &record : slot.entity->keys().records())
            if (record.state == entity::KeyState::Next && !record.revoked)
                nextKeys.series.push_back(
                    {{{"entity", slot.entity->entityId().str()}}, static_cast<double>(now - record.createdAt)});
    std::vector<GaugeFamily> families{std::move(itemProblems), std::move(expiry), std::move(nextKeys)};
    for (GaugeFamily &family : crawlState_->gauges())
        families.push_back(std::move(family));
    return families;
}

std::vector<std::string> FederationService::membersNeedingRestart(const ServerConfig &next) const
{
    std::set<std::string> changed;
    const Json &running = config_.restartMembers;
    for (const auto &[name, value] : next.restartMembers.asObject())
        if (const Json *before = running.find(name); !before || !(*before == value))
            changed.insert(name);
    for (const auto &[name, value] : running.asObject())
        if (!next.restartMembers.contains(name))
            changed.insert(name);
    return {changed.begin(), changed.end()};
}

std::vector<std::string> FederationService::servedEntityIds() const
{
    std::vector<std::string> out;
    for (const EntitySlot &slot : current()->slots)
        out.push_back(slot.entity->entityId().str());
    return out;
}

std::optional<std::filesystem::path> FederationService::subordinatesDirOf(std::string_view entityId) const
{
    for (const EntitySlot &slot : current()->slots)
        if (slot.entity->entityId().str() == entityId)
            return slot.entity->settings().subordinatesDir;
    return std::nullopt;
}

std::optional<entity::KeyStoreLocation> FederationService::keyStoreOf(std::string_view entityId) const
{
    for (const EntitySlot &slot : current()->slots)
        if (slot.entity->entityId().str() == entityId)
            return entity::KeyStoreLocation{.dir = slot.entity->settings().keysDir,
                                            .options = slot.entity->settings().keys};
    return std::nullopt;
}

std::optional<std::filesystem::path> FederationService::trustMarkDirOf(std::string_view entityId) const
{
    for (const EntitySlot &slot : current()->slots)
        if (slot.entity->entityId().str() == entityId && slot.entity->settings().trustMarkIssuer)
            return slot.entity->settings().trustMarkIssuer->directory;
    return std::nullopt;
}

std::chrono::seconds FederationService::crawlDue()
{
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    return crawler_.runDue(*snapshot);
}

Result<std::size_t> FederationService::refresh()
{
    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    UnixTime now = deps_.clock.now();
    std::size_t resigned = 0;
    for (const EntitySlot &slot : snapshot->slots) {
        if (!slot.issuer)
            continue;
        OIDFED_TRY(std::size_t count, slot.issuer->refresh(now));
        resigned += count;
    }
    for (const EntitySlot &slot : snapshot->slots) {
        const std::shared_ptr<entity::HostedEntity> &hosted = slot.entity;
        OIDFED_TRY(std::size_t count, hosted->refresh(now));
        resigned += count;
        if (hosted->heldMarks())
            for (const std::string &problem : hosted->heldMarks()->takeProblems())
                logLine(LogLevel::Warning, problem);
    }
    metrics_.countResigned(resigned);
    refreshRoles(*snapshot, now);
    warnExpiring();
    return resigned;
}

HttpResponse FederationService::dispatch(const HttpRequest &request, std::string &endpointName)
{
    if (isProcessPath(request.path))
        return processEndpoint(request,
                               ProcessState{.metrics = metrics_,
                                            .sharedCache = deps_.sharedCache,
                                            .problems = [this] { return problems(); },
                                            .gauges = [this] { return gauges(); }},
                               endpointName);

    std::shared_ptr<const ServiceSnapshot> snapshot = current();
    auto found = snapshot->routes.find(request.path);
    if (found == snapshot->routes.end()) {
        endpointName = "unknown";
        return errorResponse("not_found", "no such endpoint");
    }
    const Route *route = &found->second.front();
    if (found->second.size() > 1) {
        route = nullptr;
        std::string host = lowercaseAscii(request.host);
        for (const Route &candidate : found->second)
            if (lowercaseAscii(snapshot->slots[candidate.slot].entity->authority()) == host)
                route = &candidate;
        if (!route) {
            endpointName = "unknown";
            return errorResponse("not_found", "no entity with this path is hosted for this Host");
        }
    }
    endpointName = std::string(route->name);
    // Spec 8: GET, or POST with client authentication (8.8), which fetch,
    // list and resolve take for an entity with trust API callers; the trust
    // mark status endpoint is POST only (8.4.1).
    if (request.method != route->method && !(route->authenticatedPost && request.method == "POST")) {
        const std::string allowed = std::string(route->method) + (route->authenticatedPost ? ", POST" : "");
        HttpResponse refused = errorResponse("invalid_request", "only " + allowed + " is supported by this endpoint");
        refused.status = 405;
        refused.addHeader("Allow", allowed);
        return refused;
    }
    return route->handler(EndpointCall{.request = request,
                                       .slot = snapshot->slots[route->slot],
                                       .now = deps_.clock.now(),
                                       .idOptions = EntityIdOptions{.allowHttp = config_.options.allowHttp}});
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
    std::string authority = lowercaseAscii(url.substr(authorityBegin, pathBegin - authorityBegin));
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
    if (!snapshot->origins.contains(lowercaseAscii(url.substr(0, schemeEnd)) + "://" + authority))
        return std::nullopt;
    std::string endpoint;
    return dispatch(request, endpoint);
}

} // namespace oidfed::server
