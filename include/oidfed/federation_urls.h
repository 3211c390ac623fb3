/// URL construction for federation requests (OpenID Federation 9, 8.1.1).
///
/// Pure functions of their arguments: no I/O, no state; call them from any
/// thread. They build URLs; whether a URL may be fetched (https, destination
/// address) is decided by the Fetcher.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed {

/// The URL of an entity's Entity Configuration (spec 9): `entityId` with one
/// trailing "/" removed, followed by "/.well-known/openid-federation".
/// "https://example.org:8443/a/b/" gives
/// "https://example.org:8443/a/b/.well-known/openid-federation".
///
/// Errors: InvalidArgument when `entityId` is not an http(s) URL with a host,
/// or has user info, a query, a fragment, a space or a control character
/// (spec 1.2). http is accepted here for test federations; the Fetcher
/// refuses it unless FetchOptions::allowHttp is set.
Result<std::string> entityConfigurationUrl(std::string_view entityId);

/// The GET URL of a fetch request (spec 8.1.1): `endpoint` (a
/// federation_fetch_endpoint) with the `sub` parameter appended, after "?" or,
/// when the endpoint already has a query, after "&". `sub` is percent-encoded
/// as one parameter value: every byte other than A-Z a-z 0-9 - . _ ~ becomes
/// %XX, so "&", "=", "#", CR and LF cannot inject parameters (threat A13).
/// ("https://ta.example/fetch", "https://rp.example") gives
/// "https://ta.example/fetch?sub=https%3A%2F%2Frp.example".
///
/// Errors: InvalidArgument when `endpoint` is not an http(s) URL with a host,
/// or has user info, a fragment (spec 5), a space or a control character, or
/// when `sub` is empty.
Result<std::string> fetchEndpointUrl(std::string_view endpoint, std::string_view sub);

/// Percent-encodes `value` for use as one query parameter value: every byte
/// other than A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex).
std::string percentEncode(std::string_view value);

} // namespace oidfed
