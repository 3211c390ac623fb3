// A plain HTTP client for tests (libcurl): the raw status, headers and body,
// with none of the Fetcher's checks, so tests can see error responses.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace oidfed::test {

struct HttpReply {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lowercased names

    std::string header(const std::string &lowercaseName) const
    {
        auto it = headers.find(lowercaseName);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// GET (or POST with `postBody` when `method` is "POST"; another method,
/// with `postBody` when it is not empty) with extra request headers
/// ("Name: value"). Throws std::runtime_error when no reply came.
HttpReply httpRequest(const std::string &url, const std::vector<std::string> &headers = {},
                      const std::string &method = "GET", const std::string &postBody = {});

} // namespace oidfed::test
