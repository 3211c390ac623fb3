/// What every guarded libcurl transfer of src/fetch shares (private header):
/// the destination check that runs on the address about to be connected to,
/// and the options of an easy handle that keep a transfer within the
/// FetchOptions (protocols, no redirects, no proxy, connect timeout, size
/// cap, TLS verification, CA file, fixed addresses). The Fetcher
/// (curl_fetcher.cpp) and the API client (api_client.h) build their handles
/// here, so both are held to the same limits and the same guard.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

#include <oidfed/fetch_options.h>
#include <oidfed/result.h>

#include "fetch/address_guard.h"
#include "fetch/curl_ptr.h"

namespace oidfed::fetch {

/// The state of the destination check of one transfer: the guard it
/// applies, and why it refused an address (set by onOpenSocket()).
struct DestinationCheck {
    const AddressGuard *guard = nullptr;
    std::optional<Error> refused{};
};

/// CURLOPT_OPENSOCKETFUNCTION; clientp is the transfer's DestinationCheck.
/// Runs the guard on the address libcurl is about to connect to and returns
/// CURL_SOCKET_BAD (recording why) when it is refused, so no socket is
/// created for it.
curl_socket_t onOpenSocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);

/// FetchOptions::resolve as a CURLOPT_RESOLVE list (null when empty).
/// Internal when libcurl cannot allocate it.
Result<CurlSlistPtr> makeResolveList(const std::vector<std::string> &entries);

/// What an easy handle is configured with besides the FetchOptions.
struct EasySetup {
    const FetchOptions &options;
    /// CURLOPT_PROTOCOLS_STR: "https", or "http,https" with allowHttp.
    const std::string &protocols;
    const std::string &userAgent;
    /// From makeResolveList(); may be null. Outlives the handle.
    curl_slist *resolve = nullptr;
};

/// A new easy handle with the options every guarded transfer has: no
/// signals, the protocols, no redirects, no proxy (the guard must see the
/// real destination), the connect timeout, the size cap as
/// CURLOPT_MAXFILESIZE_LARGE, the open-socket guard (CURLOPT_OPENSOCKETDATA
/// is the caller's, per transfer), peer and host verification, the CA file
/// and fixed addresses. No compressed bodies, cookies, netrc or Alt-Svc.
/// Internal when libcurl lacks an option.
Result<CurlPtr> newGuardedEasyHandle(const EasySetup &setup);

/// A URL parsed by libcurl (handed to it with CURLOPT_CURLU, so what was
/// checked is what is used) and the destination it names.
struct CheckedUrl {
    CurlUrlPtr url;
    /// "scheme://host:port", host lowercased, the port explicit.
    std::string destination;
};

/// Parses and checks `url` before any byte is sent: no NUL byte, absolute,
/// https (or http with `allowHttp`), no user info, no fragment, a host.
/// InvalidArgument "<where>: <reason>"; Internal when libcurl cannot
/// allocate.
Result<CheckedUrl> checkUrl(const std::string &url, bool allowHttp, const std::string &where);

/// "https", or "http,https" when `options.allowHttp`.
std::string allowedProtocols(const FetchOptions &options);

/// FetchOptions::userAgent, or "oidfed/<version>".
std::string userAgentOf(const FetchOptions &options);

} // namespace oidfed::fetch
