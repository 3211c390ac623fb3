/// ApiClient: outbound HTTP calls to an API with a JSON body and headers
/// (private header) — POST, PUT, GET and DELETE, any status returned to the
/// caller. The RFC 7591 / 7592 client store of `oidfed serve` uses it to
/// manage clients at an OpenID Provider's registration endpoint.
///
/// It is held to the same rules as the Fetcher (fetcher.h), from the same
/// FetchOptions: https only (http with allowHttp), no redirects, no proxy,
/// the destination guard on the very address connected to (loopback only
/// with allowLoopback, private networks only when listed in
/// allowedNetworks), connect and total timeouts, and the response body cut
/// off at maxResponseBytes. Unlike the Fetcher, every HTTP status is an
/// answer: the caller judges 201, 204 or 400.
///
/// Request headers may carry secrets (`Authorization: Bearer ...`): they are
/// never copied into an error message, and their bytes are overwritten
/// before the memory holding them is freed.
///
/// Thread safety: call() may run on many threads at once (one easy handle
/// per call; connections are not reused between calls).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/fetch_options.h>
#include <oidfed/result.h>

namespace oidfed::fetch {

struct ApiRequest {
    /// "GET", "POST", "PUT" or "DELETE".
    std::string method = "GET";
    /// Absolute http(s) URL without user info or fragment.
    std::string url{};
    /// Extra request headers, "Name: value". May hold secrets.
    std::vector<std::string> headers{};
    /// Sent as the body, with Content-Type `contentType`.
    std::optional<std::string> jsonBody{};
    /// The body's media type (the registration request of `oidfed register`
    /// is application/entity-statement+jwt). No line breaks.
    std::string contentType = "application/json";
    /// The Accept header's value. No line breaks.
    std::string accept = "application/json";
};

struct ApiResponse {
    int status = 0;
    std::string contentType{};
    /// At most FetchOptions::maxResponseBytes bytes.
    std::string body{};
};

class ApiClient {
public:
    /// Errors: as makeCurlFetcher() (options out of range, an allowedNetworks
    /// entry that is not a CIDR block, an unreadable caFile).
    static Result<std::unique_ptr<ApiClient>> create(const FetchOptions &options);
    ~ApiClient();
    ApiClient(const ApiClient &) = delete;
    ApiClient &operator=(const ApiClient &) = delete;

    /// Performs one call. Returns the answer whatever its status. Errors
    /// (the message names the method and URL, never a header):
    /// - InvalidArgument: an unknown method, a URL refused before any byte
    ///   is sent (not absolute http(s), http without allowHttp, user info, a
    ///   fragment, a NUL byte), or a refused destination address;
    /// - Unavailable: DNS failure, connection refused or reset, TLS failure,
    ///   a malformed reply;
    /// - Timeout: the connect timeout or the total deadline passed;
    /// - LimitExceeded: the body is larger than maxResponseBytes.
    Result<ApiResponse> call(const ApiRequest &request) const;

private:
    struct Impl;
    explicit ApiClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed::fetch
