// Just enough of RFC 3986 to judge a client's redirect URIs and URL
// parameters (OIDC Registration 2, RFC 7591 2, RFC 8252 7): the scheme, the
// host, and whether there is a fragment. Never used to fetch anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace oidfed::registration {

struct UriParts {
    std::string scheme;  ///< lower-cased
    std::string host;    ///< lower-cased, IPv6 literals with their brackets; empty without an authority
    bool hasAuthority = false;
    bool hasFragment = false;
};

/// The parts of an absolute URI, or nullopt when `text` is not one (no
/// scheme, a bad scheme, control characters or spaces, an empty host after
/// "//").
std::optional<UriParts> parseAbsoluteUri(std::string_view text);

/// 127.0.0.0/8, [::1] or localhost (RFC 8252 7.3, 8.3).
bool isLoopbackHost(std::string_view host);

} // namespace oidfed::registration
