#include "server/local_fetcher.h"

#include "fetch/media_type.h"

namespace oidfed::server {

std::optional<Result<FetchResponse>> LocalFetcher::fetchLocal(const FetchRequest &request)
{
    std::optional<HttpResponse> response = local_(request);
    if (!response)
        return std::nullopt;
    if (response->status == 404 || response->status == 410)
        return Result<FetchResponse>(fail(ErrorCode::NotFound, request.url + ": HTTP " + std::to_string(response->status) +
                                                                   " (hosted here): " + response->body));
    if (response->status != 200)
        return Result<FetchResponse>(fail(ErrorCode::Unavailable, request.url + ": HTTP " +
                                                                      std::to_string(response->status) +
                                                                      " (hosted here): " + response->body));
    if (!request.expectedMediaType.empty() &&
        !fetch::mediaTypeMatches(response->contentType, request.expectedMediaType))
        return Result<FetchResponse>(fail(ErrorCode::Malformed, request.url + ": Content-Type " + response->contentType +
                                                                    ", expected " + request.expectedMediaType));
    return Result<FetchResponse>(FetchResponse{
        .status = 200,
        .contentType = response->contentType,
        .body = response->sharedBody ? *response->sharedBody : std::move(response->body),
        .remoteAddress = "in-process",
    });
}

Result<FetchResponse> LocalFetcher::fetch(const FetchRequest &request)
{
    if (auto local = fetchLocal(request))
        return std::move(*local);
    return upstream_.fetch(request);
}

std::vector<Result<FetchResponse>> LocalFetcher::fetchAll(const std::vector<FetchRequest> &requests)
{
    std::vector<std::optional<Result<FetchResponse>>> answers(requests.size());
    std::vector<FetchRequest> remote;
    std::vector<std::size_t> remoteIndex;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        answers[i] = fetchLocal(requests[i]);
        if (!answers[i]) {
            remote.push_back(requests[i]);
            remoteIndex.push_back(i);
        }
    }
    if (!remote.empty()) {
        std::vector<Result<FetchResponse>> fetched = upstream_.fetchAll(remote);
        for (std::size_t k = 0; k < fetched.size(); ++k)
            answers[remoteIndex[k]] = std::move(fetched[k]);
    }
    std::vector<Result<FetchResponse>> out;
    out.reserve(answers.size());
    for (auto &answer : answers)
        out.push_back(std::move(*answer));
    return out;
}

} // namespace oidfed::server
