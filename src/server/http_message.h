// HttpRequest / HttpResponse: the server's own view of an HTTP exchange,
// independent of Pistache, so the endpoints are plain functions that unit
// tests call directly and the in-process fetcher reuses.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace oidfed::server {

struct HttpRequest {
    std::string method = "GET";
    std::string path{};         ///< as received, percent-encoded, without the query
    std::string query{};        ///< raw query string, without '?'
    std::string host{};         ///< Host header
    std::string contentType{};  ///< Content-Type header
    std::string ifNoneMatch{};  ///< If-None-Match header
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
    /// Further headers (Cache-Control, ETag, Allow ...), in order.
    std::vector<std::pair<std::string, std::string>> headers{};

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
