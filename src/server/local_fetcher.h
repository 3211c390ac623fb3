// LocalFetcher: the Fetcher of the resolvers inside `oidfed serve`. A URL
// that belongs to an entity hosted by the same server is answered in process
// by the server's own endpoints (same bytes, no socket, no HTTP worker
// thread held while another waits for it); every other URL goes to the
// upstream Fetcher (libcurl, with its SSRF guard and limits).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <oidfed/fetcher.h>

#include "server/http_message.h"

namespace oidfed::server {

class LocalFetcher : public Fetcher {
public:
    /// Answers a request (URL, and a form body for a POST) when it is hosted
    /// here; nullopt otherwise.
    using LocalHandler = std::function<std::optional<HttpResponse>(const FetchRequest &request)>;

    LocalFetcher(LocalHandler local, Fetcher &upstream) : local_(std::move(local)), upstream_(upstream) {}

    Result<FetchResponse> fetch(const FetchRequest &request) override;
    std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) override;

private:
    /// nullopt when the URL is not hosted here.
    std::optional<Result<FetchResponse>> fetchLocal(const FetchRequest &request);

    LocalHandler local_;
    Fetcher &upstream_;
};

} // namespace oidfed::server
