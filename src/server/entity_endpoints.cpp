#include "server/entity_endpoints.h"

#include <algorithm>

#include <oidfed/json.h>

#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

std::string arrayBody(const std::vector<std::string> &ids)
{
    Json array = Json::array();
    for (const std::string &id : ids)
        array.push(id);
    return array.dump();
}

HttpResponse signingFailure(const Error &error)
{
    // The entity could not sign its own document: a server fault. The
    // detail goes to the log, not to the client.
    logLine(LogLevel::Error, "signing failed: " + error.describe());
    return errorResponse("server_error", "the statement could not be signed");
}

} // namespace

ListBody makeListBody(const entity::HostedEntity &entity)
{
    ListBody out;
    if (!entity.subordinates())
        return out;
    out.body = arrayBody(entity.subordinates()->list({}));
    out.etag = entity::strongEtag(out.body);
    return out;
}

HttpResponse configurationEndpoint(const entity::HostedEntity &entity, UnixTime now, std::string_view ifNoneMatch)
{
    auto document = entity.entityConfiguration(now);
    if (!document)
        return signingFailure(document.error());
    return documentResponse(kEntityStatementMediaType, **document, now, kMaxDocumentAge, ifNoneMatch);
}

HttpResponse fetchEndpoint(const entity::HostedEntity &entity, const QueryParams &params,
                           const EntityIdOptions &idOptions, UnixTime now, std::string_view ifNoneMatch)
{
    auto sub = params.single("sub");
    if (!sub)
        return errorResponse("invalid_request", sub.error().message);
    if (!*sub || (*sub)->empty())
        return errorResponse("invalid_request", "the sub parameter is required");
    auto subject = EntityId::parse(**sub, idOptions);
    if (!subject)
        return errorResponse("invalid_request", "sub is not a valid Entity Identifier");
    if (*subject == entity.entityId())
        return errorResponse("invalid_request",
                             "sub is the issuer itself; its Entity Configuration is at /.well-known/openid-federation");
    auto document = entity.subordinateStatement(subject->str(), now);
    if (!document) {
        if (document.error().code == ErrorCode::NotFound)
            return errorResponse("not_found", "no Immediate Subordinate with that Entity Identifier");
        return signingFailure(document.error());
    }
    return documentResponse(kEntityStatementMediaType, **document, now, kMaxDocumentAge, ifNoneMatch);
}

HttpResponse listEndpoint(const entity::HostedEntity &entity, const ListBody &full, const QueryParams &params,
                          const SubordinateMarks *marks, std::string_view ifNoneMatch)
{
    // The trust mark filters need verified marks: without a resolver for
    // them they are refused, as spec 8.2 requires for unsupported ones.
    if (!marks)
        for (std::string_view unsupported : {"trust_marked", "trust_mark_type"})
            if (params.has(unsupported))
                return errorResponse("unsupported_parameter",
                                     "the " + std::string(unsupported) + " filter is not supported by this entity");
    auto trustMarked = params.single("trust_marked");
    if (!trustMarked)
        return errorResponse("invalid_request", trustMarked.error().message);
    bool onlyMarked = false;
    if (*trustMarked) {
        if (**trustMarked == "true")
            onlyMarked = true;
        else if (**trustMarked != "false")  // false: no filtering
            return errorResponse("invalid_request", "trust_marked must be true or false");
    }
    auto markType = params.single("trust_mark_type");
    if (!markType)
        return errorResponse("invalid_request", markType.error().message);
    if (*markType && (*markType)->empty())
        return errorResponse("invalid_request", "trust_mark_type is empty");
    entity::SubordinateFilter filter;
    auto intermediate = params.single("intermediate");
    if (!intermediate)
        return errorResponse("invalid_request", intermediate.error().message);
    if (*intermediate) {
        if (**intermediate == "true")
            filter.intermediate = true;
        else if (**intermediate == "false")
            filter.intermediate = false;
        else
            return errorResponse("invalid_request", "intermediate must be true or false");
    }
    filter.entityTypes = params.all("entity_type");
    for (const std::string &type : filter.entityTypes)
        if (type.empty())
            return errorResponse("invalid_request", "an entity_type parameter is empty");
    const bool byMarks = onlyMarked || *markType;
    if (!filter.intermediate && filter.entityTypes.empty() && !byMarks)
        return cacheableResponse("application/json", full.body, full.etag, 0, ifNoneMatch);
    std::vector<std::string> ids = entity.subordinates()->list(filter);
    if (byMarks) {
        std::vector<std::string> kept;
        for (std::string &id : ids) {
            std::vector<std::string> types = (*marks)(id);
            bool keep = *markType ? std::find(types.begin(), types.end(), **markType) != types.end() : !types.empty();
            if (keep)
                kept.push_back(std::move(id));
        }
        ids = std::move(kept);
    }
    std::string body = arrayBody(ids);
    std::string etag = entity::strongEtag(body);
    return cacheableResponse("application/json", std::move(body), std::move(etag), 0, ifNoneMatch);
}

HttpResponse historicalKeysEndpoint(const entity::HostedEntity &entity, UnixTime now, std::string_view ifNoneMatch)
{
    auto document = entity.historicalKeys(now);
    if (!document)
        return signingFailure(document.error());
    return documentResponse(kJwkSetMediaType, **document, now, kMaxDocumentAge, ifNoneMatch);
}

} // namespace oidfed::server
