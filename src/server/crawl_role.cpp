// The crawl role of a resolver entity ("resolver.crawl"): the entity
// collection endpoint ({entity}/collection, Entity Collection Endpoint draft
// 00) and the health report ({entity}/federation-health), both answered from
// the latest crawl in the CrawlState (the crawler thread fills it,
// crawler.h). Built after the resolver role, whose resolver the crawler uses.

#include "core/sha256.h"
#include "server/roles.h"

namespace oidfed::server {

namespace {

/// The anchor a collection request is about: its trust_anchor, else the
/// entity itself when it is one of its anchors, else its first anchor.
Result<std::string> collectionAnchor(const EntitySlot &slot, const QueryParams &params)
{
    OIDFED_TRY(std::optional<std::string> requested, params.single("trust_anchor"));
    const std::vector<TrustAnchor> &anchors = slot.resolver->resolver().trustAnchors();
    auto crawled = [&](const std::string &id) {
        return std::any_of(anchors.begin(), anchors.end(),
                           [&](const TrustAnchor &anchor) { return anchor.entityId.str() == id; });
    };
    if (requested) {
        if (!crawled(*requested))
            return fail(ErrorCode::NoTrustAnchor, "this entity does not collect under that trust anchor");
        return *requested;
    }
    const std::string &self = slot.entity->entityId().str();
    return crawled(self) ? self : anchors.front().entityId.str();
}

HttpResponse jsonAnswer(int status, std::string text, std::string_view ifNoneMatch, std::int64_t maxAge)
{
    if (status == 200) {
        std::string etag = "\"" + sha256Hex(text) + "\"";
        return cacheableResponse("application/json", std::move(text), std::move(etag), maxAge, ifNoneMatch);
    }
    HttpResponse response{.status = status, .contentType = "application/json", .body = std::move(text)};
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse notYetCrawled()
{
    HttpResponse busy = errorResponse("temporarily_unavailable", "the first crawl has not finished yet");
    busy.addHeader("Retry-After", "10");
    return busy;
}

HttpResponse collection(const EndpointCall &call)
{
    return withAuthenticatedParams(call, [&](const QueryParams &params, const TrustApiCaller *) {
        auto anchor = collectionAnchor(call.slot, params);
        if (!anchor)
            return anchor.error().code == ErrorCode::NoTrustAnchor
                       ? errorResponse("invalid_trust_anchor", anchor.error().message)
                       : errorResponse("invalid_request", anchor.error().message);
        std::shared_ptr<const ServedCrawl> crawl =
            call.slot.crawlState->latest(call.slot.entity->entityId().str(), *anchor);
        if (!crawl)
            return notYetCrawled();
        crawl::CollectionAnswer answer = crawl->collection.page(params.items(), call.slot.crawl->collectionPageLimit);
        // Clients may reuse a page for a tenth of the crawl interval at most.
        return jsonAnswer(answer.status, std::move(answer.body), call.request.ifNoneMatch,
                          std::max<std::int64_t>(1, call.slot.crawl->interval.count() / 10));
    });
}

HttpResponse federationHealth(const EndpointCall &call)
{
    const std::string &crawler = call.slot.entity->entityId().str();
    std::vector<std::shared_ptr<const ServedCrawl>> crawls = call.slot.crawlState->latestOf(crawler);
    if (crawls.empty())
        return notYetCrawled();
    Json list = Json::array();
    for (const std::shared_ptr<const ServedCrawl> &crawl : crawls)
        list.push(crawl->health);
    Json body = Json::object();
    body.set("entity_id", crawler);
    body.set("crawls", std::move(list));
    return jsonAnswer(200, body.dump(), call.request.ifNoneMatch,
                      std::max<std::int64_t>(1, call.slot.crawl->interval.count() / 10));
}

} // namespace

Result<void> buildCrawlRole(SnapshotBuild &build, std::size_t index, EntitySlot &slot)
{
    const HostedEntityConfig &hosted = build.entities[index];
    if (!hosted.crawl || !slot.resolver)
        return ok();
    slot.crawl = std::make_shared<const CrawlSettings>(*hosted.crawl);
    slot.crawlState = build.crawlState;
    return ok();
}

void addCrawlRoutes(const EntitySlot &slot, RouteAdder &routes)
{
    if (!slot.crawl)
        return;
    routes.add(entity::kCollectionPath, "collection", "GET", collection, slot.trustApi != nullptr);
    routes.add(entity::kFederationHealthPath, "federation_health", "GET", federationHealth);
}

} // namespace oidfed::server
