/// The closed allow-list of JWS algorithms oidfed signs and verifies with.
///
/// There is deliberately no value for "none" or for any HMAC algorithm.
#pragma once

#include <optional>
#include <string_view>

namespace oidfed {

enum class JwsAlgorithm { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };

/// "RS256" -> RS256; exact, case-sensitive. nullopt for anything else,
/// including "none", "HS256" and "ES256K".
std::optional<JwsAlgorithm> parseJwsAlgorithm(std::string_view name) noexcept;

/// The registered JWA name, e.g. "PS384".
std::string_view jwsAlgorithmName(JwsAlgorithm alg) noexcept;

} // namespace oidfed
