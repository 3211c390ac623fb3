// Bearer tokens configured as hashes (RFC 6750): what the trust API's
// bearer callers and the admin API's operators share. The configuration
// holds the SHA-256 of each token, never the token; a request's token is
// hashed and compared with every configured digest, each comparison in
// constant time, so that neither the token nor how much of it matched
// leaks through timing, logs or answers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

#include "core/sha256.h"

namespace oidfed::server {

/// The token of an `Authorization: Bearer <token>` header (scheme
/// case-insensitive, RFC 6750 2.1, surrounding spaces dropped), or empty
/// when the header is not a bearer token.
std::string_view bearerToken(std::string_view authorizationHeader);

/// A configured `token_sha256`: 64 lowercase hexadecimal digits.
/// InvalidArgument "<path>: must be the SHA-256 ..." otherwise.
Result<Sha256Digest> parseTokenSha256(const Json &value, const std::string &path);

/// The index of the digest in `digests` that is the SHA-256 of `token`
/// (every digest is compared, each in constant time), or nullopt (also for
/// an empty token).
std::optional<std::size_t> matchBearerToken(std::string_view token, const std::vector<const Sha256Digest *> &digests);

} // namespace oidfed::server
