// The trust API role of a hosted OpenID Provider, OAuth authorization
// server or credential issuer ("trust_api", docs/trust-api.md): its own
// resolver over the anchors its clients are trusted under (fetching through
// the LocalFetcher, like the resolver role), a protocol key store, the jti
// replay store (shared through Redis when configured, so that every replica
// refuses a used jti; in process otherwise, kept across reloads), the
// callers and their budget (trust_api_endpoint.h).

#include "server/roles.h"

#include <algorithm>

namespace oidfed::server {

namespace {

HttpResponse client(const EndpointCall &call)
{
    return call.slot.trustApi->handle(TrustApiEndpoint::Call::Client, call.request, call.now);
}

HttpResponse requestObject(const EndpointCall &call)
{
    return call.slot.trustApi->handle(TrustApiEndpoint::Call::RequestObject, call.request, call.now);
}

HttpResponse clientAssertion(const EndpointCall &call)
{
    return call.slot.trustApi->handle(TrustApiEndpoint::Call::ClientAssertion, call.request, call.now);
}

Result<std::shared_ptr<ReplayStore>> replayStoreOf(SnapshotBuild &build, std::size_t index,
                                                   const ReplayStoreOptions &options)
{
    if (build.sharedCache) {
        OIDFED_TRY(std::unique_ptr<ReplayStore> shared, makeCacheReplayStore(*build.sharedCache, options));
        return std::shared_ptr<ReplayStore>(std::move(shared));
    }
    // A jti used before a reload stays used after it.
    if (const EntitySlot *previous = build.previousSlot(index); previous && previous->trustApi)
        return previous->trustApi->replayStore();
    OIDFED_TRY(std::unique_ptr<ReplayStore> memory, makeMemoryReplayStore(options));
    return std::shared_ptr<ReplayStore>(std::move(memory));
}

} // namespace

Result<void> buildTrustApiRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    if (!hosted.trustApi)
        return ok();
    const TrustApiSettings &settings = *hosted.trustApi;
    const ServerOptions &options = build.options;
    std::vector<TrustAnchor> anchors = build.pinnedAnchors(
        index, settings.trustAnchors.empty() ? hosted.resolverTrustAnchors : settings.trustAnchors);
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "none of the trust anchors of trust_api can be used");

    AutomaticRegistrationOptions verification{.entityType = settings.clientEntityType,
                                              .clockSkew = options.resolver.clockSkew,
                                              .maxJwtLifetime = settings.maxJwtLifetime,
                                              .requireTrustChain = settings.requireTrustChain};
    for (const TrustAnchor &anchor : anchors)
        verification.trustAnchors.push_back(anchor.entityId.str());
    OIDFED_TRY_VOID(validateAutomaticRegistrationOptions(verification));

    // A jti is kept until its JWT's exp, which is at most maxJwtLifetime
    // (and the clock skew) ahead.
    ReplayStoreOptions replayOptions;
    replayOptions.maxLifetime = settings.maxJwtLifetime + options.resolver.clockSkew + std::chrono::seconds(60);
    OIDFED_TRY(std::shared_ptr<ReplayStore> replay, replayStoreOf(build, index, replayOptions));

    ProtocolKeyOptions keyOptions;
    keyOptions.clockSkew = options.resolver.clockSkew;
    OIDFED_TRY(std::unique_ptr<ProtocolKeyStore> keys,
               ProtocolKeyStore::create(keyOptions, {.fetcher = build.localFetcher, .clock = build.clock}));
    OIDFED_TRY(std::unique_ptr<Resolver> resolver,
               Resolver::create(options.resolver, std::move(anchors),
                                Resolver::Dependencies{
                                    .fetcher = build.localFetcher, .clock = build.clock, .cache = build.sharedCache}));

    std::map<std::string, JwkSet> hostedCallerKeys;
    for (const TrustApiCaller &caller : settings.callers)
        if (caller.entityId)
            if (std::optional<JwkSet> published = build.hostedKeysOf(caller.entityId->str()))
                hostedCallerKeys.emplace(caller.entityId->str(), std::move(*published));
    const EntityIdOptions ids = options.resolver.statements.entityIds;
    auto callers = std::make_unique<TrustApiCallers>(hosted.entity.entityId, settings.callers,
                                                     std::move(hostedCallerKeys), verification, ids);

    ResolveEndpointOptions budget;
    budget.maxOnDemandPerClient = settings.maxConcurrentPerCaller;
    budget.onDemandPerClientRate = settings.perCallerRate;
    budget.onDemandPerClientBurst = settings.perCallerBurst;
    budget.maxTrackedClients = std::max<std::size_t>(1, settings.callers.size());

    ChainValidationOptions validation{.clockSkew = options.resolver.clockSkew,
                                      .statements = options.resolver.statements};
    slot.trustApi = std::make_shared<TrustApiEndpoint>(
        hosted.entity.entityId,
        TrustApiEndpoint::Parts{.resolver = std::move(resolver),
                                .keys = std::move(keys),
                                .replay = std::move(replay),
                                .callerLimits = std::make_shared<ClientLimiter>(budget),
                                .callers = std::move(callers),
                                .options = std::move(verification),
                                .validation = std::move(validation),
                                .assertionAudiences = settings.assertionAudiences,
                                .maxBodyBytes = settings.maxBodyBytes,
                                .maxConcurrentOnDemand = options.resolveEndpoint.maxConcurrentOnDemand},
        build.resolveShared);
    return ok();
}

void addTrustApiRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (!slot.trustApi)
        return;
    routes.add(kTrustApiClientPath, "trust_api_client", "POST", client);
    routes.add(kTrustApiRequestObjectPath, "trust_api_request_object", "POST", requestObject);
    routes.add(kTrustApiClientAssertionPath, "trust_api_client_assertion", "POST", clientAssertion);
}

} // namespace oidfed::server
