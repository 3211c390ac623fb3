// FakeFetcher: a Fetcher for unit tests of pure logic. Maps URLs to canned
// responses (or errors) and records every call. Thread-safe.
//
// For tests of concurrent callers (threat B08, the thundering herd) it can
// also hold calls: after hold(), every fetch waits inside fetch() until
// release(), so that a test knows that N calls are in flight at once
// (awaitWaiting), and setDelay() makes every answer take a while, so that
// callers overlap. maxInFlight() tells a test that concurrency was real.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
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

    /// From now on every fetch call waits, before answering, until release().
    void hold();
    /// Lets every waiting call go, and stops holding.
    void release();
    /// Waits until at least `n` calls are held at once, at most `limit`;
    /// returns whether they were.
    bool awaitWaiting(std::size_t n, std::chrono::milliseconds limit) const;
    /// Every answer from now on (held calls included) comes `delay` after the
    /// call (or its release); the caller stays in flight meanwhile.
    void setDelay(std::chrono::milliseconds delay);
    /// The most fetch calls ever in flight at once.
    std::size_t maxInFlight() const;

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;  // held calls and awaitWaiting(); signalled under mutex_
    // Guarded by mutex_.
    std::map<std::string, Result<FetchResponse>> responses_;
    std::vector<std::string> calls_;
    bool holding_ = false;
    std::size_t releases_ = 0;  ///< release() calls so far
    std::size_t waiting_ = 0;
    std::size_t inFlight_ = 0;
    std::size_t maxInFlight_ = 0;
    std::chrono::milliseconds delay_{0};
};

} // namespace oidfed::test
