#include "cache/circuit_breaker.h"

#include <algorithm>

namespace oidfed::cache {

CircuitBreaker::CircuitBreaker(std::chrono::milliseconds initialBackoff, std::chrono::milliseconds maxBackoff,
                               std::size_t slowToOpen)
    : initialBackoff_(initialBackoff), maxBackoff_(maxBackoff), slowToOpen_(slowToOpen), backoff_(initialBackoff)
{
}

std::optional<CircuitBreaker::Permit> CircuitBreaker::tryAcquire(Clock::time_point now)
{
    std::lock_guard lock(mutex_);
    switch (state_) {
    case State::Closed:
        return Permit{epoch_, false};
    case State::Open:
        if (now < retryAt_)
            return std::nullopt;
        state_ = State::HalfOpen;
        probeInFlight_ = true;
        return Permit{epoch_, true};
    case State::HalfOpen:
        if (probeInFlight_)
            return std::nullopt;
        probeInFlight_ = true;
        return Permit{epoch_, true};
    }
    return std::nullopt;
}

void CircuitBreaker::recordSuccess(const Permit &permit)
{
    std::lock_guard lock(mutex_);
    slowInARow_ = 0;
    if (permit.epoch != epoch_ || !permit.probe || state_ != State::HalfOpen)
        return;
    state_ = State::Closed;
    probeInFlight_ = false;
    backoff_ = initialBackoff_;
}

bool CircuitBreaker::recordFailure(const Permit &permit, Clock::time_point now)
{
    std::lock_guard lock(mutex_);
    return failLocked(permit, now);
}

bool CircuitBreaker::recordSlowSuccess(const Permit &permit, Clock::time_point now)
{
    if (slowToOpen_ == 0) {
        recordSuccess(permit);
        return false;
    }
    std::lock_guard lock(mutex_);
    // Below slowToOpen_ in a row, a closed breaker only counts it.
    if (permit.epoch == epoch_ && state_ == State::Closed && ++slowInARow_ < slowToOpen_)
        return false;
    return failLocked(permit, now);
}

bool CircuitBreaker::failLocked(const Permit &permit, Clock::time_point now)
{
    if (permit.epoch != epoch_)
        return false;
    if (state_ == State::Closed) {
        backoff_ = initialBackoff_;
    } else if (state_ == State::HalfOpen && permit.probe) {
        backoff_ = std::min(backoff_ * 2, maxBackoff_);
    } else {
        return false;
    }
    state_ = State::Open;
    probeInFlight_ = false;
    retryAt_ = now + backoff_;
    slowInARow_ = 0;
    ++epoch_;
    return true;
}

void CircuitBreaker::abandon(const Permit &permit)
{
    std::lock_guard lock(mutex_);
    if (permit.epoch == epoch_ && permit.probe && state_ == State::HalfOpen)
        probeInFlight_ = false;
}

bool CircuitBreaker::probeNow(Clock::time_point now)
{
    std::lock_guard lock(mutex_);
    if (state_ != State::Open)
        return false;
    retryAt_ = std::min(retryAt_, now);
    return true;
}

CircuitBreaker::Snapshot CircuitBreaker::snapshot(Clock::time_point now) const
{
    std::lock_guard lock(mutex_);
    Snapshot s;
    s.state = state_;
    s.backoff = state_ == State::Closed ? initialBackoff_ : std::min(backoff_ * 2, maxBackoff_);
    s.retryIn = state_ == State::Open && now < retryAt_ ? retryAt_ - now : Clock::duration::zero();
    s.openings = epoch_;
    return s;
}

} // namespace oidfed::cache
