#include <oidfed/jws_algorithm.h>

#include <array>
#include <utility>

namespace oidfed {

namespace {

constexpr std::array<std::pair<JwsAlgorithm, std::string_view>, 10> kNames{{
    {JwsAlgorithm::RS256, "RS256"},
    {JwsAlgorithm::RS384, "RS384"},
    {JwsAlgorithm::RS512, "RS512"},
    {JwsAlgorithm::PS256, "PS256"},
    {JwsAlgorithm::PS384, "PS384"},
    {JwsAlgorithm::PS512, "PS512"},
    {JwsAlgorithm::ES256, "ES256"},
    {JwsAlgorithm::ES384, "ES384"},
    {JwsAlgorithm::ES512, "ES512"},
    {JwsAlgorithm::EdDSA, "EdDSA"},
}};

} // namespace

std::optional<JwsAlgorithm> parseJwsAlgorithm(std::string_view name) noexcept
{
    for (const auto &[alg, algName] : kNames)
        if (algName == name)
            return alg;
    return std::nullopt;
}

std::string_view jwsAlgorithmName(JwsAlgorithm alg) noexcept
{
    for (const auto &[candidate, algName] : kNames)
        if (candidate == alg)
            return algName;
    return "unknown";
}

} // namespace oidfed
