#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <oidfed/jwk.h>

namespace oidfed::test {

std::string sharedPath(std::string_view relative)
{
    const char *dir = std::getenv("OIDFED_SHARED_DIR");
    if (!dir || !*dir)
        throw std::runtime_error("OIDFED_SHARED_DIR is not set (run the tests through meson)");
    return std::string(dir) + "/" + std::string(relative);
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::filesystem::path> jsonFilesIn(const std::filesystem::path &dir)
{
    std::vector<std::filesystem::path> out;
    if (std::filesystem::exists(dir))
        for (const auto &entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".json")
                out.push_back(entry.path());
    return out;
}

Json loadSharedJson(std::string_view relative)
{
    JsonLimits limits;
    limits.maxBytes = 64u << 20;
    limits.maxMembers = 1u << 20;
    limits.maxStringBytes = 16u << 20;
    auto parsed = parseJson(readFile(sharedPath(relative)), limits);
    if (!parsed)
        throw std::runtime_error("cannot parse " + std::string(relative) + ": " + parsed.error().describe());
    return std::move(parsed).value();
}

Json json(std::string_view text)
{
    auto parsed = parseJson(text);
    if (!parsed)
        throw std::runtime_error("bad test JSON: " + parsed.error().describe());
    return std::move(parsed).value();
}

EntityId entityId(std::string_view text)
{
    auto parsed = EntityId::parse(text, {.allowHttp = true});
    if (!parsed)
        throw std::runtime_error("bad test entity id: " + parsed.error().describe());
    return std::move(parsed).value();
}

const Json &generatedPublicJwks()
{
    static const Json jwks = [] {
        auto key = Jwk::generate(JwsAlgorithm::ES256);
        if (!key)
            throw std::runtime_error("cannot generate a key: " + key.error().describe());
        auto set = JwkSet::fromKeys({*key});
        if (!set)
            throw std::runtime_error("cannot build a key set: " + set.error().describe());
        return set->toJson();
    }();
    return jwks;
}

} // namespace oidfed::test
