#include "core/entity_file_stem.h"

#include <cstdint>
#include <cstdio>
#include <string_view>

namespace oidfed {

namespace {

/// Longest stem (before ".json").
constexpr std::size_t kMaxFileStemBytes = 200;

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

} // namespace

std::string entityFileStem(const EntityId &id)
{
    const std::string &text = id.str();
    std::string_view host = id.host();
    std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(host.data() - text.data()) + host.size());
    std::string_view port;
    if (rest.starts_with(':')) {
        std::size_t slash = rest.find('/');
        port = rest.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    while (rest.starts_with('/'))
        rest.remove_prefix(1);
    while (rest.ends_with('/'))
        rest.remove_suffix(1);

    std::string stem(host);
    if (!port.empty())
        stem += "_" + std::string(port);
    if (!rest.empty())
        stem += "_" + std::string(rest);
    for (char &c : stem) {
        bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!safe)
            c = '_';
    }
    if (stem.empty() || stem.front() == '.')
        stem.insert(stem.begin(), '_');
    if (stem.size() > kMaxFileStemBytes) {
        char hash[17];
        std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
        stem = stem.substr(0, kMaxFileStemBytes - 17) + "_" + hash;
    }
    return stem;
}

} // namespace oidfed
