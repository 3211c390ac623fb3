#include "fake_fetcher.h"

#include <algorithm>

namespace oidfed::test {

void FakeFetcher::serve(const std::string &url, std::string body)
{
    std::lock_guard lock(mutex_);
    responses_.insert_or_assign(url, Result<FetchResponse>(FetchResponse{200, "application/entity-statement+jwt",
                                                                         std::move(body), "127.0.0.1"}));
}

void FakeFetcher::fail(const std::string &url, Error error)
{
    std::lock_guard lock(mutex_);
    responses_.insert_or_assign(url, Result<FetchResponse>(Unexpected{std::move(error)}));
}

Result<FetchResponse> FakeFetcher::fetch(const FetchRequest &request)
{
    std::lock_guard lock(mutex_);
    calls_.push_back(request.url);
    auto it = responses_.find(request.url);
    if (it == responses_.end())
        return oidfed::fail(ErrorCode::NotFound, "fake: nothing at " + request.url);
    return it->second;
}

std::vector<Result<FetchResponse>> FakeFetcher::fetchAll(const std::vector<FetchRequest> &requests)
{
    std::vector<Result<FetchResponse>> out;
    for (const FetchRequest &request : requests)
        out.push_back(fetch(request));
    return out;
}

std::vector<std::string> FakeFetcher::calls() const
{
    std::lock_guard lock(mutex_);
    return calls_;
}

std::size_t FakeFetcher::callCount(const std::string &url) const
{
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(calls_.begin(), calls_.end(), url));
}

void FakeFetcher::clearCalls()
{
    std::lock_guard lock(mutex_);
    calls_.clear();
}

} // namespace oidfed::test
