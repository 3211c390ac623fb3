#include "fake_fetcher.h"

#include <algorithm>
#include <thread>

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
    std::unique_lock lock(mutex_);
    calls_.push_back(request.url);
    maxInFlight_ = std::max(maxInFlight_, ++inFlight_);
    if (holding_) {
        const std::size_t releases = releases_;  // a release() lets this call go even if hold() follows it
        ++waiting_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !holding_ || releases_ != releases; });
        --waiting_;
    }
    auto it = responses_.find(request.url);
    Result<FetchResponse> answer = it == responses_.end()
                                       ? oidfed::fail(ErrorCode::NotFound, "fake: nothing at " + request.url)
                                       : it->second;
    const std::chrono::milliseconds delay = delay_;
    if (delay.count() > 0) {
        lock.unlock();
        std::this_thread::sleep_for(delay);
        lock.lock();
    }
    --inFlight_;
    return answer;
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

void FakeFetcher::hold()
{
    std::lock_guard lock(mutex_);
    holding_ = true;
}

void FakeFetcher::release()
{
    std::lock_guard lock(mutex_);
    holding_ = false;
    ++releases_;
    changed_.notify_all();
}

bool FakeFetcher::awaitWaiting(std::size_t n, std::chrono::milliseconds limit) const
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return waiting_ >= n; });
}

void FakeFetcher::setDelay(std::chrono::milliseconds delay)
{
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

std::size_t FakeFetcher::maxInFlight() const
{
    std::lock_guard lock(mutex_);
    return maxInFlight_;
}

} // namespace oidfed::test
