// SHA-256 of a byte string, raw or as lowercase hexadecimal: the digests an
// operator compares by eye or with sha256sum (a bearer token's configured
// hash, a file's ETag and the audit log's before/after digests).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace oidfed {

using Sha256Digest = std::array<unsigned char, 32>;

/// SHA-256 of `bytes` (OpenSSL's EVP). std::bad_alloc when OpenSSL cannot
/// allocate its context, its only failure.
Sha256Digest sha256(std::string_view bytes);

/// `digest` as 64 lowercase hexadecimal digits.
std::string hexOf(const Sha256Digest &digest);

/// sha256(bytes) as 64 lowercase hexadecimal digits, what `sha256sum` prints.
inline std::string sha256Hex(std::string_view bytes) { return hexOf(sha256(bytes)); }

} // namespace oidfed
