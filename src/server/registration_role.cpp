// The explicit registration role of a hosted OpenID Provider or OAuth
// authorization server ("explicit_registration", spec 12.2): the
// federation_registration_endpoint (registration_endpoint.h), its own
// resolver over the anchors registrations rest on (fetching through the
// LocalFetcher, like the resolver role), the OP's registration policy from
// its metadata and the configuration, and its client store.

#include "server/roles.h"

#include <oidfed/registration_policy.h>

namespace oidfed::server {

namespace {

HttpResponse registration(const EndpointCall &call)
{
    return call.slot.registration->handle(call.request, *call.slot.entity, call.now);
}

/// The OP's policy: what its metadata supports, then the configuration's
/// anchors, lifetime, defaults and switches.
Result<RegistrationPolicy> policyOf(const SnapshotBuild &build, const HostedEntityConfig &hosted,
                                    const std::vector<TrustAnchor> &anchors)
{
    const RegistrationSettings &settings = *hosted.registration;
    const Json *provider = hosted.entity.metadata.find(settings.entityType);
    OIDFED_TRY(RegistrationPolicy policy,
               registrationPolicyFor(settings.entityType, provider ? *provider : Json::object()));
    for (const TrustAnchor &anchor : anchors)
        policy.trustAnchors.push_back(anchor.entityId.str());
    policy.maxLifetime = settings.maxLifetime;
    policy.requireTrustChain = settings.requireTrustChain;
    policy.defaults = settings.clientDefaults;
    // The test switch for http identifiers also lets test RPs register
    // http redirect URIs on loopback (the demo's).
    policy.allowHttpLoopbackForWeb = build.options.allowHttp;
    OIDFED_TRY_VOID(validateRegistrationPolicy(policy));
    return policy;
}

} // namespace

Result<void> buildRegistrationRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    if (!hosted.registration)
        return ok();
    const RegistrationSettings &settings = *hosted.registration;
    const ServerOptions &options = build.options;
    std::vector<TrustAnchor> anchors = build.pinnedAnchors(
        index, settings.trustAnchors.empty() ? hosted.resolverTrustAnchors : settings.trustAnchors);
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "none of the trust anchors of explicit_registration can be used");
    OIDFED_TRY(RegistrationPolicy policy, policyOf(build, hosted, anchors));
    OIDFED_TRY(std::unique_ptr<ClientStore> store,
               openClientStore(settings.store, ClientStoreContext{.fetch = options.fetch}));
    OIDFED_TRY(std::unique_ptr<Resolver> resolver,
               Resolver::create(options.resolver, std::move(anchors),
                                Resolver::Dependencies{
                                    .fetcher = build.localFetcher, .clock = build.clock, .cache = build.sharedCache}));
    RegistrationRequestOptions request;
    request.statements = options.resolver.statements;
    request.clockSkew = options.resolver.clockSkew;
    request.maxBodyBytes = settings.maxBodyBytes;
    ChainValidationOptions validation{.clockSkew = options.resolver.clockSkew,
                                      .statements = options.resolver.statements};
    const std::string clientType = policy.entityType;
    slot.registration = std::make_shared<RegistrationEndpoint>(
        hosted.entity.entityId,
        RegistrationEndpoint::Parts{.resolver = std::move(resolver),
                                    .policy = std::move(policy),
                                    .request = std::move(request),
                                    .validation = std::move(validation),
                                    .store = std::move(store),
                                    .shared = SharedRegistrations(build.sharedCache, hosted.entity.entityId, clientType),
                                    .limits = options.resolveEndpoint},
        build.resolveShared);
    // The Entity Configuration, signed next, publishes the endpoint.
    build.settings[index].registrationEntityType = settings.entityType;
    return ok();
}

void addRegistrationRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (slot.registration)
        routes.add(entity::kRegistrationPath, "registration", "POST", registration);
}

void registrationProblemsNow(const EntitySlot &slot, UnixTime, std::vector<ItemProblem> &out)
{
    if (!slot.registration)
        return;
    for (ItemProblem &problem : slot.registration->problems(slot.entity->entityId().str()))
        out.push_back(std::move(problem));
}

void refreshRegistration(const EntitySlot &slot, UnixTime now)
{
    if (slot.registration)
        slot.registration->sweep(*slot.entity, now);
}

} // namespace oidfed::server
