// The resolver role of a hosted entity ("resolver"): the resolve endpoint
// (spec 8.3) for the trust anchors it lists, fetching through the
// LocalFetcher so that entities hosted here are answered in process.

#include "server/roles.h"


namespace oidfed::server {

namespace {

HttpResponse resolve(const EndpointCall &call)
{
    return withAuthenticatedParams(call, [&](const QueryParams &params, const TrustApiCaller *caller) {
        // An authenticated caller resolves on its own budget, not its address's.
        if (caller) {
            const ResolveEndpoint::CallerBudget budget{call.slot.trustApi->callerLimiter(), caller->name};
            return call.slot.resolver->handle(params, call.now, call.request.ifNoneMatch, {}, &budget);
        }
        return call.slot.resolver->handle(params, call.now, call.request.ifNoneMatch, call.request.clientAddress);
    });
}

// The keys pinned in the configuration for trust anchors hosted here, against
// the keys those anchors publish: a pinned key no longer published, and a
// published key (a next key announced) that the pin lacks.
std::vector<ExpiringItem> comparePins(const SnapshotBuild &build, std::size_t index)
{
    std::vector<ExpiringItem> out;
    const HostedEntityConfig &hosted = build.entities[index];
    for (const TrustAnchorSetting &setting : hosted.resolverTrustAnchors) {
        std::optional<JwkSet> published = build.hostedKeysOf(setting.entityId.str());
        if (!setting.jwks || !published)
            continue;
        for (const Jwk &key : setting.jwks->keys())
            if (!published->find(key.kid()))
                out.push_back(ExpiringItem{.entity = hosted.entity.entityId.str(),
                                           .kind = ExpiryKind::AnchorPin,
                                           .item = setting.entityId.str() + " " + key.kid(),
                                           .expiresAt = build.now,
                                           .note = "pinned, but the anchor no longer publishes it: update the pin "
                                                   "(oidfed keys pin) in the resolver's trust_anchors"});
        for (const Jwk &key : published->keys())
            if (!setting.jwks->find(key.kid()))
                out.push_back(ExpiringItem{.entity = hosted.entity.entityId.str(),
                                           .kind = ExpiryKind::AnchorPin,
                                           .item = setting.entityId.str() + " " + key.kid(),
                                           .note = "published by the anchor but not pinned: add it to the pin "
                                                   "before the anchor signs with it"});
    }
    return out;
}

} // namespace

Result<void> buildResolverRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    if (!hosted.entity.resolver)
        return ok();
    std::vector<TrustAnchor> anchors = build.pinnedAnchors(index, hosted.resolverTrustAnchors);
    slot.anchorPins = comparePins(build, index);
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "none of the resolver's trust anchors can be used");
    const ServerOptions &options = build.options;
    OIDFED_TRY(std::unique_ptr<Resolver> resolver,
               Resolver::create(options.resolver, std::move(anchors),
                                Resolver::Dependencies{
                                    .fetcher = build.localFetcher, .clock = build.clock, .cache = build.sharedCache}));
    // A resolver that crawls answers anonymous callers from its caches (18.1).
    ResolveEndpointOptions endpoint = options.resolveEndpoint;
    if (hosted.crawl && !hosted.crawl->anonymousOnDemand)
        endpoint.anonymousOnDemand = false;
    slot.resolver = std::make_shared<ResolveEndpoint>(slot.entity, std::move(resolver), endpoint,
                                                      options.resolver.trustMarks, build.resolveShared);
    return ok();
}

void resolverExpiries(const EntitySlot &slot, std::vector<ExpiringItem> &out)
{
    out.insert(out.end(), slot.anchorPins.begin(), slot.anchorPins.end());
}

void addResolverRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (slot.resolver)
        routes.add(entity::kResolvePath, "resolve", "GET", resolve, slot.trustApi != nullptr);
}

} // namespace oidfed::server
