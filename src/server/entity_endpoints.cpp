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

// Accumulates one JSON array of already encoded strings.
class ArrayBuilder {
public:
    void add(std::string_view encoded)
    {
        text_ += text_.empty() ? '[' : ',';
        text_ += encoded;
    }
    PreparedList finish()
    {
        if (text_.empty())
            text_ = "[";
        text_ += ']';
        text_.shrink_to_fit();
        PreparedList out;
        out.etag = entity::strongEtag(text_);
        out.body = std::make_shared<const std::string>(std::move(text_));
        return out;
    }

private:
    std::string text_;
};

std::size_t intermediateIndex(std::optional<bool> intermediate)
{
    return !intermediate ? 0 : *intermediate ? 1 : 2;
}

// 200 with a prepared body (shared, not copied), or 304.
HttpResponse preparedResponse(const PreparedList &list, std::string_view ifNoneMatch)
{
    HttpResponse response = cacheableResponse("application/json", std::string(), list.etag, 0, ifNoneMatch);
    if (response.status == 200)
        response.sharedBody = list.body;
    return response;
}

} // namespace

const PreparedList *ListBody::find(const std::vector<std::string> &entityTypes, std::optional<bool> intermediate) const
{
    if (!all[0].body || entityTypes.size() > 1)
        return nullptr;
    const std::size_t index = intermediateIndex(intermediate);
    if (entityTypes.empty())
        return &all[index];
    auto it = byType.find(entityTypes.front());
    return it == byType.end() ? &none : &it->second[index];
}

ListBody makeListBody(const entity::HostedEntity &entity)
{
    ListBody out;
    const entity::SubordinateSet *set = entity.subordinates();
    if (!set)
        return out;
    // One pass over the subordinates (sorted by entity id, as list() sorts),
    // each id JSON-encoded once and appended to every list it belongs to.
    std::array<ArrayBuilder, 3> all;
    std::map<std::string, std::array<ArrayBuilder, 3>, std::less<>> byType;
    for (const entity::Subordinate &subordinate : set->all()) {
        const std::string encoded = Json(subordinate.entityId.str()).dump();
        const std::size_t index = intermediateIndex(subordinate.intermediate);
        all[0].add(encoded);
        all[index].add(encoded);
        for (const std::string &type : subordinate.entityTypes) {
            std::array<ArrayBuilder, 3> &lists = byType[type];
            lists[0].add(encoded);
            lists[index].add(encoded);
        }
    }
    for (std::size_t i = 0; i < all.size(); ++i)
        out.all[i] = all[i].finish();
    for (auto &[type, lists] : byType) {
        ListBody::ByIntermediate &prepared = out.byType[type];
        for (std::size_t i = 0; i < lists.size(); ++i)
            prepared[i] = lists[i].finish();
    }
    out.none = ArrayBuilder().finish();
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

HttpResponse listEndpoint(const entity::HostedEntity &entity, const ListBody &prepared, const QueryParams &params,
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
    if (!byMarks)
        if (const PreparedList *list = prepared.find(filter.entityTypes, filter.intermediate))
            return preparedResponse(*list, ifNoneMatch);
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
