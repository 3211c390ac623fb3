// FakeFetcher: a Fetcher for unit tests of pure logic. Maps URLs to canned
// responses (or errors) and records every call. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <oidfed/fetcher.h>

namespace oidfed::test {

class FakeFetcher final : public Fetcher {
public:
    /// Serves `body` at `url` as an entity statement.
    void serve(const std::string &url, std::string body);
    /// Answers `url` with an error.
    void fail(const std::string &url, Error error);

    Result<FetchResponse> fetch(const FetchRequest &request) override;
    std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) override;

    /// Every URL requested so far, in order.
    std::vector<std::string> calls() const;
    std::size_t callCount(const std::string &url) const;
    void clearCalls();

private:
    mutable std::mutex mutex_;
    // Guarded by mutex_.
    std::map<std::string, Result<FetchResponse>> responses_;
    std::vector<std::string> calls_;
};

} // namespace oidfed::test
