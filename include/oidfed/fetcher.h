/// oidfed::Fetcher — the only way the resolver performs network I/O.
///
/// A Fetcher turns a FetchRequest (a URL and the media type the caller
/// expects) into a FetchResponse, or into an Error whose code says what went
/// wrong. It performs HTTP GET (and a form POST when a request carries a body), follows no redirects and accepts only
/// status 200 (spec 8.1.2, 9.2): everything else is an error. The collector
/// uses fetchAll() to fetch the superiors of one level in parallel; tests
/// replace the whole interface with a fake (tests/support).
///
/// Thread safety: implementations must allow fetch() and fetchAll() to be
/// called concurrently from several threads on one Fetcher (`--batch` does).
/// The libcurl implementation from makeCurlFetcher() does.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/fetch_options.h>
#include <oidfed/result.h>

namespace oidfed {

/// One GET request (or a form POST, see formBody).
struct FetchRequest {
    /// Absolute http(s) URL, e.g. from entityConfigurationUrl() or
    /// fetchEndpointUrl(). No user info, no fragment.
    std::string url{};
    /// Media type the response must carry, e.g.
    /// "application/entity-statement+jwt"; compared case-insensitively and
    /// ignoring parameters such as "; charset=utf-8". It is also sent as the
    /// Accept header. Empty: any Content-Type is accepted.
    std::string expectedMediaType{};
    /// Deadline for this transfer; zero means FetchOptions::totalTimeout. A
    /// larger value is clamped to FetchOptions::totalTimeout. The collector
    /// passes what is left of its per-resolution deadline here.
    std::chrono::milliseconds timeout{0};
    /// Set: the request is a POST with this application/x-www-form-urlencoded
    /// body (the trust mark status endpoint, spec 8.4.1, is POST only).
    /// Unset: a GET.
    std::optional<std::string> formBody{};
};

/// A successful response (status 200, expected media type, body within the
/// size cap).
struct FetchResponse {
    /// HTTP status code. Always 200 today: the spec defines no other success.
    int status = 0;
    /// The Content-Type header as received (may be empty when the request
    /// expected no particular type and the server sent none).
    std::string contentType{};
    /// The body, at most FetchOptions::maxResponseBytes bytes.
    std::string body{};
    /// The IP address that served the response, for logs and explain output.
    std::string remoteAddress{};
};

class Fetcher {
public:
    virtual ~Fetcher() = default;
    Fetcher(const Fetcher &) = delete;
    Fetcher &operator=(const Fetcher &) = delete;

    /// Performs one GET. Returns the response when the status is 200, the
    /// Content-Type matches and the body fits the cap. Errors:
    /// - InvalidArgument: the URL is refused before any byte is sent: not an
    ///   absolute URL, a scheme other than https (http only with allowHttp),
    ///   user info or a fragment; or every address the host resolved to is a
    ///   refused destination (loopback, private, link-local, CGNAT,
    ///   multicast, unspecified, reserved; threats A01-A04). No connection is
    ///   attempted to a refused address.
    /// - NotFound: the server answered 404 or 410 (unsigned, so not
    ///   authoritative: do not cache it as a long-lived verdict; threat S-6).
    /// - Unavailable: DNS failure, connection refused or reset, TLS failure
    ///   (including certificate verification), premature close, any other
    ///   status than 200 (a 3xx is not followed), or a malformed HTTP reply;
    ///   also, without any connection attempt, when maxWaitingPerHost
    ///   transfers already wait for a slot of the same destination.
    /// - Timeout: the connect timeout or the transfer deadline passed,
    ///   possibly while waiting for a per-host slot (maxTransfersPerHost).
    /// - LimitExceeded: Content-Length or the body exceeds maxResponseBytes.
    /// - Malformed: status 200 but the Content-Type is missing or is not
    ///   request.expectedMediaType.
    /// The message names the URL and the cause (status, curl reason, and the
    /// `error`/`error_description` of a JSON error body when present).
    virtual Result<FetchResponse> fetch(const FetchRequest &request) = 0;

    /// Performs every request concurrently (at most maxConcurrentTransfers at
    /// a time) and returns one Result per request, in the order of
    /// `requests`, each as fetch() would have returned it. One failure does
    /// not affect the others. An empty input gives an empty output.
    virtual std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) = 0;

protected:
    Fetcher() = default;
};

/// Builds the libcurl Fetcher. It keeps a small pool of connection caches, so
/// sequential fetches to one host reuse the connection, and shares DNS and TLS
/// sessions between all its transfers. Every connection is checked against
/// the destination guard on the address actually connected to, after name
/// resolution, so a DNS answer that changes between lookups cannot bypass it.
///
/// REQUIRES: curl_global_init() has been called once in this process before
/// this function, and curl_global_cleanup() is not called while the Fetcher
/// lives. The library never calls either (process-wide setup belongs to
/// main(); tests call it in their own set-up).
///
/// Errors: InvalidArgument when an option is out of range, an allowedNetworks
/// entry is not a CIDR block, or caFile is not readable; Internal when libcurl
/// is older than 7.85 or cannot allocate its handles.
Result<std::unique_ptr<Fetcher>> makeCurlFetcher(const FetchOptions &options = {});

} // namespace oidfed
