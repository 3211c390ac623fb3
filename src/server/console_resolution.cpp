// The web console's views that resolve: the federation walked under an
// anchor and judged entity by entity (as `oidfed graph`), and the explain
// report of one entity (as `oidfed resolve --explain`), both with a hosted
// entity's resolver (console_data.h).

#include "server/console_data.h"

#include <algorithm>

#include <oidfed/error_json.h>
#include <oidfed/jws.h>

#include "chain/explain_json.h"
#include "chain/federation_graph.h"

namespace oidfed::server::console {

namespace {

/// A hosted resolver and the anchor to use: the one pinning `trustAnchor`,
/// or (empty) the first resolver and its first anchor.
struct AnchoredResolver {
    Resolver *resolver = nullptr;
    const TrustAnchor *anchor = nullptr;
};

Result<AnchoredResolver> resolverFor(const ServiceSnapshot &snapshot, const std::string &trustAnchor)
{
    bool anyResolver = false;
    for (const EntitySlot &slot : snapshot.slots) {
        if (!slot.resolver)
            continue;
        anyResolver = true;
        Resolver &resolver = slot.resolver->resolver();
        for (const TrustAnchor &anchor : resolver.trustAnchors())
            if (trustAnchor.empty() || anchor.entityId.str() == trustAnchor)
                return AnchoredResolver{.resolver = &resolver, .anchor = &anchor};
    }
    if (!anyResolver)
        return fail(Error(ErrorCode::NotFound, "no hosted entity is a resolver (\"resolver\" in the configuration): "
                                               "there is no trust anchor to resolve under"));
    return fail(Error(ErrorCode::NotFound, "no hosted resolver pins the trust anchor " + trustAnchor)
                    .withClaim("trust_anchor"));
}

Json anchorsJson(const ServiceSnapshot &snapshot)
{
    Json out = Json::array();
    std::vector<std::string> seen;
    for (const EntitySlot &slot : snapshot.slots)
        if (slot.resolver)
            for (const TrustAnchor &anchor : slot.resolver->resolver().trustAnchors())
                if (std::find(seen.begin(), seen.end(), anchor.entityId.str()) == seen.end()) {
                    seen.push_back(anchor.entityId.str());
                    out.push(anchor.entityId.str());
                }
    return out;
}

/// {"iss", "sub", "iat", "exp"} of each statement of a chain.
Json chainJson(const TrustChain &chain)
{
    Json out = Json::array();
    for (const std::string &jwt : chain.statements()) {
        Json entry = Json::object();
        auto jws = Jws::parse(jwt);
        auto claims = jws ? jws->payloadJson() : Result<Json>(fail(jws.error()));
        if (claims && claims->isObject())
            for (const char *name : {"iss", "sub", "iat", "exp"})
                if (const Json *value = claims->find(name))
                    entry.set(name, *value);
        out.push(std::move(entry));
    }
    return out;
}

} // namespace

Result<Json> federationView(const ServiceSnapshot &snapshot, Fetcher &fetcher, const std::string &trustAnchor,
                            bool allowHttp, UnixTime now)
{
    OIDFED_TRY(AnchoredResolver found, resolverFor(snapshot, trustAnchor));
    detail::WalkOptions options;
    options.statements.entityIds.allowHttp = allowHttp;
    const detail::FederationWalk walk = detail::walkFederation(*found.anchor, fetcher, options, now);
    Json out = detail::federationGraphJson(walk, detail::judgeWalk(walk, *found.resolver, false));
    out.set("trust_anchors", anchorsJson(snapshot));
    return out;
}

Result<Json> explainView(const ServiceSnapshot &snapshot, const std::string &subject, const std::string &trustAnchor)
{
    OIDFED_TRY(AnchoredResolver found, resolverFor(snapshot, trustAnchor));
    ResolveRequest request{.subject = subject, .explain = true};
    if (!trustAnchor.empty())
        request.trustAnchors.push_back(trustAnchor);
    const ResolveOutcome outcome = found.resolver->resolve(request);
    Json out = Json::object();
    out.set("sub", subject);
    out.set("trust_anchors", anchorsJson(snapshot));
    if (outcome.chain) {
        const TrustChain &chain = **outcome.chain;
        out.set("verdict", "valid");
        out.set("trust_anchor", chain.trustAnchor().str());
        out.set("exp", chain.expiresAt());
        out.set("metadata", chain.metadata());
        out.set("chain", chainJson(chain));
    } else {
        out.set("verdict", "invalid");
        out.set("error", errorToJson(outcome.chain.error()));
    }
    out.set("explain", detail::explainJson(outcome));
    return out;
}

} // namespace oidfed::server::console
