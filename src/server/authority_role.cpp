// The authority role of a hosted entity ("subordinates_dir"): the fetch
// (spec 8.1) and list (8.2) endpoints over its subordinates, with the list
// answers prepared once per snapshot and the trust mark filters answered by
// a resolver.

#include "server/roles.h"


namespace oidfed::server {

namespace {

HttpResponse fetch(const EndpointCall &call)
{
    return withAuthenticatedParams(call, [&](const QueryParams &params, const TrustApiCaller *) {
        return fetchEndpoint(*call.slot.entity, params, call.idOptions, call.now, call.request.ifNoneMatch);
    });
}

HttpResponse list(const EndpointCall &call)
{
    Resolver *resolver = call.slot.markResolver;
    SubordinateMarks marks = [resolver](const std::string &subject) {
        std::vector<std::string> types;
        ResolveOutcome outcome = resolver->resolve(ResolveRequest{.subject = subject});
        if (outcome.chain)
            for (const VerifiedTrustMark &mark : (*outcome.chain)->trustMarks())
                types.push_back(mark.trustMarkType);
        return types;
    };
    return withAuthenticatedParams(call, [&](const QueryParams &params, const TrustApiCaller *) {
        return listEndpoint(*call.slot.entity, call.slot.list, params, resolver ? &marks : nullptr,
                            call.request.ifNoneMatch);
    });
}

} // namespace

Result<void> buildAuthorityRole(SnapshotBuild &build, std::size_t, EntitySlot &slot)
{
    const entity::HostedEntity &hosted = *slot.entity;
    if (!hosted.isAuthority())
        return ok();
    slot.list = makeListBody(hosted);
    // The list endpoint's trust mark filters: the entity's own resolver, or
    // for a trust anchor without one, a resolver under itself.
    if (slot.resolver) {
        slot.markResolver = &slot.resolver->resolver();
    } else if (hosted.settings().authorityHints.empty()) {
        std::optional<JwkSet> jwks = build.hostedKeysOf(hosted.entityId().str());
        OIDFED_TRY(std::unique_ptr<Resolver> own,
                   Resolver::create(build.options.resolver, {TrustAnchor{hosted.entityId(), std::move(*jwks)}},
                                    Resolver::Dependencies{.fetcher = build.localFetcher,
                                                           .clock = build.clock,
                                                           .cache = build.sharedCache}));
        slot.ownedMarkResolver = std::move(own);
        slot.markResolver = slot.ownedMarkResolver.get();
    }
    return ok();
}

void addAuthorityRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (!slot.entity->isAuthority())
        return;
    // POST with spec 8.8 client authentication too, for the entity's
    // trust API callers.
    const bool authenticatedPost = slot.trustApi != nullptr;
    routes.add(entity::kFetchPath, "fetch", "GET", fetch, authenticatedPost);
    routes.add(entity::kListPath, "list", "GET", list, authenticatedPost);
}

} // namespace oidfed::server
