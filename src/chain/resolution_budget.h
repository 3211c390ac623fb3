// ResolutionBudget: the work one resolution may still do (PowerDNS
// ValidationContext; Unbound MAX_TARGET_COUNT). The collector spends it and
// stops with LimitExceeded or Timeout when it runs out.
#pragma once

#include <chrono>
#include <cstddef>

#include <oidfed/result.h>

namespace oidfed::detail {

class ResolutionBudget {
public:
    using Clock = std::chrono::steady_clock;

    ResolutionBudget(std::size_t maxFetches, std::chrono::milliseconds deadline)
        : fetchesLeft_(maxFetches), maxFetches_(maxFetches), deadline_(Clock::now() + deadline)
    {
    }

    /// Takes up to `wanted` fetches; returns how many were granted.
    std::size_t takeFetches(std::size_t wanted)
    {
        std::size_t granted = wanted < fetchesLeft_ ? wanted : fetchesLeft_;
        fetchesLeft_ -= granted;
        if (granted < wanted)
            fetchLimitHit_ = true;
        return granted;
    }

    /// Time left before the deadline; zero once it has passed.
    std::chrono::milliseconds timeLeft() const
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        return left.count() > 0 ? left : std::chrono::milliseconds(0);
    }

    bool expired() const { return timeLeft().count() == 0; }
    std::size_t fetchesUsed() const { return maxFetches_ - fetchesLeft_; }

    /// Why work stopped early, if it did: Timeout or LimitExceeded.
    Result<void> status() const
    {
        if (expired())
            return fail(Error(ErrorCode::Timeout, "the resolution deadline passed").withRule("resolveDeadline"));
        if (fetchLimitHit_)
            return fail(Error(ErrorCode::LimitExceeded, "the resolution used all " + std::to_string(maxFetches_) +
                                                            " fetches it may make")
                            .withRule("maxFetchesPerResolution"));
        return ok();
    }

private:
    std::size_t fetchesLeft_;
    std::size_t maxFetches_;
    Clock::time_point deadline_;
    bool fetchLimitHit_ = false;
};

} // namespace oidfed::detail
