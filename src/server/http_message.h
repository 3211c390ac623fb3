// HttpRequest / HttpResponse: the server's own view of an HTTP exchange,
// independent of Pistache, so the endpoints are plain functions that unit
// tests call directly and the in-process fetcher reuses.
#pragma once

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oidfed::server {

/// `text` with A-Z lowered (host names and URL schemes compare this way).
inline std::string lowercaseAscii(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

struct HttpRequest {
    std::string method = "GET";
    std::string path{};         ///< as received, percent-encoded, without the query
    std::string query{};        ///< raw query string, without '?'
    std::string host{};         ///< Host header
    std::string contentType{};  ///< Content-Type header
    std::string ifNoneMatch{};  ///< If-None-Match header
    std::string ifMatch{};      ///< If-Match header (the admin API's changes)
    /// Authorization header (the trust API's bearer callers); never logged.
    std::string authorization{};
    std::string body{};
    /// The client's address as the connection shows it (IPv4 or IPv6
    /// text); empty for requests made inside the process, which no
    /// per-client limit applies to.
    std::string clientAddress{};
};

struct HttpResponse {
    int status = 200;
    std::string contentType{};
    std::string body{};
    /// Set instead of `body` for a large body kept ready by its endpoint (the
    /// list endpoint's prepared listings): shared, never copied per request.
    std::shared_ptr<const std::string> sharedBody{};
    /// Further headers (Cache-Control, ETag, Allow ...), in order.
    std::vector<std::pair<std::string, std::string>> headers{};

    /// The body, wherever it is kept. Valid while this response lives.
    std::string_view bodyView() const noexcept { return sharedBody ? std::string_view(*sharedBody) : body; }
    void addHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
    /// The value of header `name` (exact case), or an empty string.
    std::string header(std::string_view name) const
    {
        for (const auto &[key, value] : headers)
            if (key == name)
                return value;
        return {};
    }
};

} // namespace oidfed::server
