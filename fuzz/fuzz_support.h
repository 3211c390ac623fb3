// Helpers shared by the libFuzzer targets of this folder: an invariant check
// that stays active in every build type, and the fixed public keys that the
// JWS and Entity Statement targets verify against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <oidfed/jwk.h>

namespace oidfed::fuzz {

/// Prints `invariant` and aborts (libFuzzer then saves the input as a crash)
/// when `holds` is false. Unlike assert, never compiled out.
void check(bool holds, const char *invariant);

/// The fuzzer's input bytes as text.
inline std::string_view asText(const std::uint8_t *data, std::size_t size)
{
    return {reinterpret_cast<const char *>(data), size};
}

/// A fixed set of public keys whose kids match signed inputs that
/// fuzz/make_seeds.py takes from ../shared: the Trust Anchor RSA key of
/// OpenID Federation Figure 4, Wycheproof's ES256 key, the RFC 7520 P-521 key
/// and the RFC 8037 Ed25519 key (given a kid here). Built on first use and
/// never destroyed; a failure to build it is a bug and aborts.
const JwkSet &fixedKeys();

} // namespace oidfed::fuzz
