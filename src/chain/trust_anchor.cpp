#include <oidfed/trust_anchor.h>

#include <algorithm>
#include <filesystem>
#include <string_view>

#include "core/file_read.h"

namespace oidfed {

std::string TrustAnchor::keysFingerprint() const
{
    std::vector<std::string> thumbprints;
    for (const Jwk &key : jwks.keys())
        thumbprints.push_back(key.thumbprint());
    std::sort(thumbprints.begin(), thumbprints.end());
    std::string out;
    for (const std::string &t : thumbprints) {
        if (!out.empty())
            out += ',';
        out += t;
    }
    return out;
}

namespace {

Result<TrustAnchor> parseOne(const Json &json, const EntityIdOptions &options)
{
    if (!json.isObject())
        return fail(ErrorCode::Malformed, "a trust anchor must be an object {\"entity_id\", \"jwks\"}");
    const std::string *id = json.findString("entity_id");
    if (!id)
        return fail(Error(ErrorCode::Malformed, "trust anchor without a string entity_id").withClaim("entity_id"));
    auto entityId = EntityId::parse(*id, options);
    if (!entityId)
        return fail(std::move(entityId).error().withClaim("entity_id"));
    const Json *jwks = json.find("jwks");
    if (!jwks)
        return fail(Error(ErrorCode::Malformed, "trust anchor " + *id + " has no jwks").withClaim("jwks").withEntity(*id));
    auto keys = JwkSet::fromJson(*jwks);
    if (!keys)
        return fail(std::move(keys).error().withClaim("jwks").withEntity(*id));
    if (keys->empty())
        return fail(Error(ErrorCode::InvalidKey, "trust anchor " + *id + " pins no key").withClaim("jwks").withEntity(*id));
    return TrustAnchor{std::move(entityId).value(), std::move(keys).value()};
}

/// A compact JWS (three base64url parts, the header a JSON object), with
/// surrounding whitespace: what a trust anchor's Entity Configuration is.
bool looksLikeCompactJws(std::string_view text)
{
    auto isSpace = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    auto isJwsChar = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    };
    return text.starts_with("eyJ") && std::count(text.begin(), text.end(), '.') == 2 &&
           std::all_of(text.begin(), text.end(), isJwsChar);
}

Result<void> checkUnique(const std::vector<TrustAnchor> &anchors)
{
    for (std::size_t i = 0; i < anchors.size(); ++i)
        for (std::size_t j = i + 1; j < anchors.size(); ++j)
            if (anchors[i].entityId == anchors[j].entityId)
                return fail(ErrorCode::InvalidArgument, "trust anchor " + anchors[i].entityId.str() + " is pinned twice");
    return ok();
}

} // namespace

Result<std::vector<TrustAnchor>> parseTrustAnchors(const Json &json, const EntityIdOptions &options)
{
    std::vector<TrustAnchor> anchors;
    if (json.isArray()) {
        for (const Json &entry : json.asArray()) {
            OIDFED_TRY(TrustAnchor anchor, parseOne(entry, options));
            anchors.push_back(std::move(anchor));
        }
    } else {
        OIDFED_TRY(TrustAnchor anchor, parseOne(json, options));
        anchors.push_back(std::move(anchor));
    }
    OIDFED_TRY_VOID(checkUnique(anchors));
    return anchors;
}

Result<std::vector<TrustAnchor>> loadTrustAnchors(const std::string &path, const EntityIdOptions &options)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(path, ec)) {
        for (const auto &entry : fs::directory_iterator(path, ec))
            if (entry.is_regular_file() && entry.path().extension() == ".json")
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(path);
    }
    std::vector<TrustAnchor> all;
    for (const fs::path &file : files) {
        OIDFED_TRY(std::string text, readInputFile(file, JsonLimits{}.maxBytes, "trust anchor file"));
        auto json = parseJson(text);
        if (!json && looksLikeCompactJws(text))
            return fail(ErrorCode::InvalidArgument,
                        file.string() + " is a JWT, not a trust anchor file: a trust anchor file is JSON, "
                                        "{\"entity_id\", \"jwks\"} or an array of those (`oidfed keys pin` "
                                        "prints one)");
        if (!json)
            return fail(ErrorCode::InvalidArgument, file.string() + ": " + json.error().message);
        auto anchors = parseTrustAnchors(*json, options);
        if (!anchors)
            return fail(Error(ErrorCode::InvalidArgument, file.string() + ": " + anchors.error().message));
        for (TrustAnchor &anchor : *anchors) {
            anchor.source = file.string();
            all.push_back(std::move(anchor));
        }
    }
    OIDFED_TRY_VOID(checkUnique(all));
    return all;
}

} // namespace oidfed
