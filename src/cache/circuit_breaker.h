/// A circuit breaker for the Redis cache (private header).
///
/// Closed: every call may try Redis. The first failure opens it: for
/// `initialBackoff` no call may try (they fail fast). When that time has
/// passed, exactly one call (the probe) may try: the breaker is half-open.
/// A successful probe closes it and resets the backoff; a failed one opens
/// it again with the backoff doubled, up to `maxBackoff`. So a dead Redis
/// sees at most one attempt per backoff period from this process, never a
/// hot reconnect loop (threats R1-R4, R11, R12).
///
/// Latency counts too (threat R4): a success slower than the caller's
/// latency objective is reported as slow. `slowToOpen` slow successes in a
/// row, with no fast one between, open a closed breaker as a failure does,
/// and a slow probe is a failed probe: a Redis that answers, but too slowly,
/// is skipped like a dead one instead of slowing every request.
///
/// Outcomes are reported with the Permit that allowed the attempt. Each
/// opening starts a new epoch, and outcomes of permits from an older epoch
/// are ignored: when several calls in flight fail together, only the first
/// opens the breaker, and a late success of a call that started before the
/// outage does not close it.
///
/// Time is passed in (a steady clock), so the logic is tested without
/// sleeping. Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace oidfed::cache {

class CircuitBreaker {
public:
    using Clock = std::chrono::steady_clock;

    enum class State { Closed, Open, HalfOpen };

    /// Leave to make one attempt.
    struct Permit {
        std::uint64_t epoch = 0;
        bool probe = false;  ///< the one attempt of a half-open breaker
    };

    struct Snapshot {
        State state = State::Closed;
        /// Open: time until the next probe is allowed (zero when it is due).
        Clock::duration retryIn{};
        /// The wait that applies after the next failure of a probe.
        std::chrono::milliseconds backoff{};
        /// Times the breaker opened since it was made.
        std::uint64_t openings = 0;
    };

    /// REQUIRES: 0 < initialBackoff <= maxBackoff. slowToOpen 0: latency
    /// never opens the breaker.
    CircuitBreaker(std::chrono::milliseconds initialBackoff, std::chrono::milliseconds maxBackoff,
                   std::size_t slowToOpen = 0);
    CircuitBreaker(const CircuitBreaker &) = delete;
    CircuitBreaker &operator=(const CircuitBreaker &) = delete;

    /// A permit when a call may try now; nullopt when it must fail fast.
    std::optional<Permit> tryAcquire(Clock::time_point now);

    /// The attempt worked: a probe closes the breaker. Ends a run of slow
    /// successes.
    void recordSuccess(const Permit &permit);

    /// The attempt worked, but more slowly than the latency objective.
    /// Returns true when this opened the breaker: the slowToOpen-th slow
    /// success in a row of a closed breaker, or a slow probe.
    bool recordSlowSuccess(const Permit &permit, Clock::time_point now);

    /// The attempt failed. Returns true when this failure opened the breaker
    /// (a closed breaker's first failure, or a failed probe).
    bool recordFailure(const Permit &permit, Clock::time_point now);

    /// The attempt did not reach Redis (e.g. no free connection): a probe
    /// permit is handed back so that another call can probe.
    void abandon(const Permit &permit);

    /// The cause of the outage is reported gone (Sentinel announced a new
    /// master): an open breaker lets the next call probe at once instead of
    /// after its backoff; a failed probe still doubles the backoff. Returns
    /// true when the breaker was open.
    bool probeNow(Clock::time_point now);

    Snapshot snapshot(Clock::time_point now) const;

private:
    /// A failed attempt of `permit`: opens a closed breaker, or reopens it
    /// with the backoff doubled after a failed probe. Returns whether it
    /// opened; outcomes of an older epoch change nothing. REQUIRES: mutex_.
    bool failLocked(const Permit &permit, Clock::time_point now);

    const std::chrono::milliseconds initialBackoff_;
    const std::chrono::milliseconds maxBackoff_;
    const std::size_t slowToOpen_;

    mutable std::mutex mutex_;
    // guarded by mutex_:
    State state_ = State::Closed;
    // guarded by mutex_: bumped at every opening.
    std::uint64_t epoch_ = 0;
    // guarded by mutex_: when Open, the earliest time of the next probe.
    Clock::time_point retryAt_{};
    // guarded by mutex_: the wait used at the last opening.
    std::chrono::milliseconds backoff_;
    // guarded by mutex_: HalfOpen and the probe has not reported yet.
    bool probeInFlight_ = false;
    // guarded by mutex_: slow successes since the last fast one or opening.
    std::size_t slowInARow_ = 0;
};

} // namespace oidfed::cache
