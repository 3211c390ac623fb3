#include <oidfed/cache_key.h>

#include <algorithm>
#include <array>

#include <openssl/sha.h>

#include <oidfed/base64url.h>

namespace oidfed {

namespace {

void appendPart(std::string &out, std::string_view part)
{
    out += std::to_string(part.size());
    out += ':';
    out += part;
}

} // namespace

std::string_view cacheNamespaceTag(CacheNamespace ns) noexcept
{
    switch (ns) {
    case CacheNamespace::Statement:
        return "stmt";
    case CacheNamespace::Verification:
        return "sig";
    case CacheNamespace::Resolution:
        return "res";
    case CacheNamespace::TrustMarkStatus:
        return "tms";
    case CacheNamespace::Registration:
        return "reg";
    case CacheNamespace::Replay:
        return "jti";
    case CacheNamespace::Crawl:
        return "crawl";
    }
    return "unknown";
}

std::string cacheKey(CacheNamespace ns, std::span<const std::string_view> parts)
{
    std::string key = "v" + std::to_string(kCacheKeySchemaVersion) + ":";
    key += cacheNamespaceTag(ns);
    key += ':';
    std::size_t total = 0;
    for (std::string_view part : parts)
        total += part.size() + 8;
    key.reserve(key.size() + total);
    for (std::string_view part : parts)
        appendPart(key, part);
    return key;
}

std::string cacheKey(CacheNamespace ns, std::initializer_list<std::string_view> parts)
{
    return cacheKey(ns, std::span<const std::string_view>(parts.begin(), parts.size()));
}

std::string cacheKeySetPart(std::vector<std::string> items)
{
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    std::string part = std::to_string(items.size()) + ":";
    for (const std::string &item : items)
        appendPart(part, item);
    return part;
}

std::string cacheKeyDigest(std::string_view bytes)
{
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), digest.data());
    return base64urlEncode(std::string_view(reinterpret_cast<const char *>(digest.data()), digest.size()));
}

} // namespace oidfed
