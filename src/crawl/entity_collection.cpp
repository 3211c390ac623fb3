#include "crawl/entity_collection.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

namespace oidfed::crawl {

namespace {

constexpr std::array<std::string_view, 4> kEntityClaims = {"entity_id", "entity_types", "ui_infos", "trust_marks"};
constexpr std::array<std::string_view, 6> kUiClaims = {"display_name", "description",    "keywords",
                                                       "logo_uri",     "policy_uri",     "information_uri"};

std::string lowered(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// The UI claim a member name is, with or without a language tag
/// ("display_name#fr" is display_name).
std::string_view uiClaimOf(std::string_view member)
{
    return member.substr(0, member.find('#'));
}

bool isUiClaim(std::string_view name)
{
    return std::find(kUiClaims.begin(), kUiClaims.end(), name) != kUiClaims.end();
}

/// The UI infos of one entity type's resolved metadata: the UI claims and
/// their language-tagged variants, as resolved. Also appends the display
/// names and keywords to `search`.
Json uiInfoOf(const Json &metadata, std::string &search)
{
    Json info = Json::object();
    if (!metadata.isObject())
        return info;
    for (const auto &[name, value] : metadata.asObject()) {
        const std::string_view claim = uiClaimOf(name);
        if (!isUiClaim(claim))
            continue;
        info.set(name, value);
        if (claim == "display_name" && value.isString())
            search += "\n" + lowered(value.asString());
        if (claim == "keywords" && value.isArray())
            for (const Json &keyword : value.asArray())
                if (keyword.isString())
                    search += "\n" + lowered(keyword.asString());
    }
    return info;
}

CollectionAnswer refusal(int status, std::string_view error, std::string description)
{
    Json body = Json::object();
    body.set("error", error);
    body.set("error_description", std::move(description));
    return {status, body.dump()};
}

struct Request {
    std::optional<std::string> from;
    std::optional<std::size_t> limit;
    std::vector<std::string> entityTypes;
    std::vector<std::string> trustMarkTypes;
    std::string query;  ///< lowercased
    std::vector<std::string> entityClaims;
    std::vector<std::string> uiClaims;
};

std::optional<CollectionAnswer> readRequest(const std::vector<std::pair<std::string, std::string>> &params,
                                            Request &request)
{
    bool seenFrom = false, seenLimit = false, seenQuery = false;
    for (const auto &[name, value] : params) {
        if (name == "from_entity_id" || name == "limit" || name == "query") {
            bool &seen = name == "limit" ? seenLimit : name == "query" ? seenQuery : seenFrom;
            if (seen)
                return refusal(400, "invalid_request", name + " appears more than once");
            seen = true;
        }
        if (name == "from_entity_id") {
            request.from = value;
        } else if (name == "limit") {
            std::size_t limit = 0;
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), limit);
            if (error != std::errc() || end != value.data() + value.size() || limit == 0)
                return refusal(400, "invalid_request", "limit must be a positive integer");
            request.limit = limit;
        } else if (name == "entity_type") {
            request.entityTypes.push_back(value);
        } else if (name == "trust_mark_type") {
            request.trustMarkTypes.push_back(value);
        } else if (name == "query") {
            request.query = lowered(value);
        } else if (name == "entity_claims") {
            if (std::find(kEntityClaims.begin(), kEntityClaims.end(), value) == kEntityClaims.end())
                return refusal(400, "unsupported_parameter", "entity_claims: " + value + " is not supported");
            request.entityClaims.push_back(value);
        } else if (name == "ui_claims") {
            if (!isUiClaim(value))
                return refusal(400, "unsupported_parameter", "ui_claims: " + value + " is not supported");
            request.uiClaims.push_back(value);
        }
        // trust_anchor: the caller's. Others: ignored, as spec 8 endpoints do.
    }
    return std::nullopt;
}

bool contains(const std::vector<std::string> &items, std::string_view item)
{
    return std::find(items.begin(), items.end(), item) != items.end();
}

bool matches(const EntityCollection::Entry &entry, const Request &request)
{
    if (!request.entityTypes.empty() &&
        std::none_of(request.entityTypes.begin(), request.entityTypes.end(),
                     [&](const std::string &type) { return contains(entry.entityTypes, type); }))
        return false;
    for (const std::string &type : request.trustMarkTypes)
        if (!std::binary_search(entry.trustMarkTypes.begin(), entry.trustMarkTypes.end(), type))
            return false;
    return request.query.empty() || entry.searchText.find(request.query) != std::string::npos;
}

Json entryJson(const EntityCollection::Entry &entry, const Request &request)
{
    auto wanted = [&](std::string_view claim) {
        return request.entityClaims.empty() || contains(request.entityClaims, claim);
    };
    Json out = Json::object();
    out.set("entity_id", entry.entityId);
    if (wanted("entity_types")) {
        Json types = Json::array();
        for (const std::string &type : entry.entityTypes)
            types.push(type);
        out.set("entity_types", std::move(types));
    }
    if (wanted("ui_infos")) {
        Json infos = Json::object();
        for (const auto &[type, info] : entry.uiInfos.asObject()) {
            // With an entity_type filter: those types, and federation_entity.
            if (!request.entityTypes.empty() && type != "federation_entity" && !contains(request.entityTypes, type))
                continue;
            Json selected = Json::object();
            for (const auto &[name, value] : info.asObject())
                if (request.uiClaims.empty() || contains(request.uiClaims, uiClaimOf(name)))
                    selected.set(name, value);
            if (!selected.asObject().empty())
                infos.set(type, std::move(selected));
        }
        if (!infos.asObject().empty())
            out.set("ui_infos", std::move(infos));
    }
    if (wanted("trust_marks") && !entry.trustMarks.asArray().empty())
        out.set("trust_marks", entry.trustMarks);
    return out;
}

} // namespace

EntityCollection EntityCollection::fromReport(const CrawlReport &report)
{
    EntityCollection collection;
    collection.trustAnchor_ = report.trustAnchor;
    collection.lastUpdated_ = report.finishedAt;
    for (const CrawledEntity &entity : report.entities) {
        if (!entity.chain || entity.error)
            continue;
        const TrustChain &chain = *entity.chain;
        Entry entry{.entityId = entity.entityId, .entityTypes = {}, .uiInfos = Json::object(),
                    .trustMarkTypes = {}, .trustMarks = Json::array(), .searchText = lowered(entity.entityId),
                    .fullJson = {}};
        if (chain.metadata().isObject())
            for (const auto &[type, metadata] : chain.metadata().asObject()) {
                entry.entityTypes.push_back(type);
                Json info = uiInfoOf(metadata, entry.searchText);
                if (!info.asObject().empty())
                    entry.uiInfos.set(type, std::move(info));
            }
        for (const VerifiedTrustMark &mark : chain.trustMarks()) {
            entry.trustMarkTypes.push_back(mark.trustMarkType);
            Json item = Json::object();
            item.set("trust_mark_type", mark.trustMarkType);
            item.set("trust_mark", mark.jwt);
            entry.trustMarks.push(std::move(item));
        }
        std::sort(entry.trustMarkTypes.begin(), entry.trustMarkTypes.end());
        entry.fullJson = entryJson(entry, Request{}).dump();
        collection.entries_.push_back(std::move(entry));
    }
    std::sort(collection.entries_.begin(), collection.entries_.end(),
              [](const Entry &a, const Entry &b) { return a.entityId < b.entityId; });
    return collection;
}

CollectionAnswer EntityCollection::page(const std::vector<std::pair<std::string, std::string>> &params,
                                        std::size_t serverLimit) const
{
    Request request;
    if (auto refused = readRequest(params, request))
        return std::move(*refused);
    const std::size_t limit = std::min(request.limit.value_or(serverLimit), serverLimit);

    auto byId = [](const Entry &entry, const std::string &id) { return entry.entityId < id; };
    auto it = entries_.begin();
    if (request.from) {
        it = std::lower_bound(entries_.begin(), entries_.end(), *request.from, byId);
        if (it == entries_.end() || it->entityId != *request.from)
            return refusal(404, "entity_id_not_found", "from_entity_id is not in the collection");
    }
    // Precomputed entries serve requests that choose no claims and filter no
    // entity type (which narrows ui_infos).
    const bool plain = request.entityClaims.empty() && request.uiClaims.empty() && request.entityTypes.empty();
    std::string body = "{\"entities\":[";
    std::size_t taken = 0;
    for (; it != entries_.end(); ++it) {
        if (!matches(*it, request))
            continue;
        if (taken == limit)
            break;
        if (taken > 0)
            body += ',';
        body += plain ? it->fullJson : entryJson(*it, request).dump();
        ++taken;
    }
    body += ']';
    if (it != entries_.end())
        body += ",\"next_entity_id\":" + Json(it->entityId).dump();
    body += ",\"last_updated\":" + std::to_string(lastUpdated_) + "}";
    return {200, std::move(body)};
}

} // namespace oidfed::crawl
