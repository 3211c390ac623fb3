#include <oidfed/trust_anchor.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

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

Result<std::string> readFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(ErrorCode::InvalidArgument, "cannot read trust anchor file " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
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
        OIDFED_TRY(std::string text, readFile(file));
        auto json = parseJson(text);
        if (!json)
            return fail(ErrorCode::InvalidArgument, file.string() + ": " + json.error().message);
        auto anchors = parseTrustAnchors(*json, options);
        if (!anchors)
            return fail(Error(ErrorCode::InvalidArgument, file.string() + ": " + anchors.error().message));
        for (TrustAnchor &anchor : *anchors)
            all.push_back(std::move(anchor));
    }
    OIDFED_TRY_VOID(checkUnique(all));
    return all;
}

} // namespace oidfed
