#include <doctest/doctest.h>

#include "cache/circuit_breaker.h"

using namespace oidfed::cache;
using namespace std::chrono_literals;
using State = CircuitBreaker::State;

TEST_CASE("circuit breaker: opens on a failure, probes once, backs off exponentially up to the cap")
{
    CircuitBreaker breaker(100ms, 500ms);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;

    auto p = breaker.tryAcquire(t0);
    REQUIRE(p);
    CHECK_FALSE(p->probe);
    CHECK(breaker.recordFailure(*p, t0));
    CHECK(breaker.snapshot(t0).state == State::Open);
    CHECK(breaker.snapshot(t0).retryIn == 100ms);

    // Fails fast during the backoff.
    CHECK_FALSE(breaker.tryAcquire(t0 + 99ms));

    // Then exactly one probe.
    auto probe = breaker.tryAcquire(t0 + 100ms);
    REQUIRE(probe);
    CHECK(probe->probe);
    CHECK(breaker.snapshot(t0 + 100ms).state == State::HalfOpen);
    CHECK_FALSE(breaker.tryAcquire(t0 + 100ms));

    // Failed probes double the wait: 200, 400, then capped at 500.
    auto now = t0 + 100ms;
    for (auto expected : {200ms, 400ms, 500ms, 500ms}) {
        CHECK(breaker.recordFailure(*probe, now));
        CHECK(breaker.snapshot(now).retryIn == expected);
        CHECK_FALSE(breaker.tryAcquire(now + expected - 1ms));
        now += expected;
        probe = breaker.tryAcquire(now);
        REQUIRE(probe);
    }

    // A successful probe closes it and resets the backoff.
    breaker.recordSuccess(*probe);
    CHECK(breaker.snapshot(now).state == State::Closed);
    p = breaker.tryAcquire(now);
    REQUIRE(p);
    CHECK(breaker.recordFailure(*p, now));
    CHECK(breaker.snapshot(now).retryIn == 100ms);
}

TEST_CASE("circuit breaker: outcomes of an older epoch are ignored")
{
    CircuitBreaker breaker(100ms, 1000ms);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;
    auto a = breaker.tryAcquire(t0);
    auto b = breaker.tryAcquire(t0);
    auto c = breaker.tryAcquire(t0);
    REQUIRE((a && b && c));
    CHECK(breaker.recordFailure(*a, t0));
    // The other calls in flight fail too: no further opening, no longer wait.
    CHECK_FALSE(breaker.recordFailure(*b, t0 + 50ms));
    CHECK(breaker.snapshot(t0).retryIn == 100ms);
    CHECK(breaker.snapshot(t0).openings == 1);
    // A late success of a call that started before the outage does not close it.
    breaker.recordSuccess(*c);
    CHECK(breaker.snapshot(t0).state == State::Open);
}

TEST_CASE("circuit breaker: an abandoned probe lets another call probe")
{
    CircuitBreaker breaker(10ms, 10ms);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;
    auto p = breaker.tryAcquire(t0);
    REQUIRE(p);
    breaker.recordFailure(*p, t0);
    auto probe = breaker.tryAcquire(t0 + 10ms);
    REQUIRE(probe);
    CHECK_FALSE(breaker.tryAcquire(t0 + 10ms));
    breaker.abandon(*probe);
    auto second = breaker.tryAcquire(t0 + 10ms);
    REQUIRE(second);
    CHECK(second->probe);
    breaker.recordSuccess(*second);
    CHECK(breaker.snapshot(t0 + 10ms).state == State::Closed);
}

TEST_CASE("circuit breaker: slowToOpen slow successes in a row open it (R4); a fast one in between resets the run")
{
    CircuitBreaker breaker(100ms, 1000ms, 3);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;
    auto permit = [&](CircuitBreaker::Clock::time_point now) {
        auto p = breaker.tryAcquire(now);
        REQUIRE(p);
        return *p;
    };
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0), t0));
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0), t0));
    breaker.recordSuccess(permit(t0));  // a fast one: the run starts again
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0), t0));
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0), t0));
    CHECK(breaker.snapshot(t0).state == State::Closed);
    CHECK(breaker.recordSlowSuccess(permit(t0), t0));
    CHECK(breaker.snapshot(t0).state == State::Open);
    CHECK(breaker.snapshot(t0).retryIn == 100ms);
    CHECK(breaker.snapshot(t0).openings == 1);

    // A slow probe is a failed probe: open again, backoff doubled.
    auto probe = permit(t0 + 100ms);
    REQUIRE(probe.probe);
    CHECK(breaker.recordSlowSuccess(probe, t0 + 100ms));
    CHECK(breaker.snapshot(t0 + 100ms).retryIn == 200ms);

    // A fast probe closes it, and the count starts from zero.
    probe = permit(t0 + 300ms);
    breaker.recordSuccess(probe);
    CHECK(breaker.snapshot(t0 + 300ms).state == State::Closed);
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0 + 300ms), t0 + 300ms));
    CHECK_FALSE(breaker.recordSlowSuccess(permit(t0 + 300ms), t0 + 300ms));
    CHECK(breaker.snapshot(t0 + 300ms).state == State::Closed);
}

TEST_CASE("circuit breaker: with slowToOpen 0, slow successes are successes")
{
    CircuitBreaker breaker(100ms, 1000ms);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;
    for (int i = 0; i < 100; ++i) {
        auto p = breaker.tryAcquire(t0);
        REQUIRE(p);
        CHECK_FALSE(breaker.recordSlowSuccess(*p, t0));
    }
    CHECK(breaker.snapshot(t0).state == State::Closed);
    // ...and a slow probe closes an open breaker.
    auto p = breaker.tryAcquire(t0);
    REQUIRE(p);
    REQUIRE(breaker.recordFailure(*p, t0));
    auto probe = breaker.tryAcquire(t0 + 100ms);
    REQUIRE(probe);
    CHECK_FALSE(breaker.recordSlowSuccess(*probe, t0 + 100ms));
    CHECK(breaker.snapshot(t0 + 100ms).state == State::Closed);
}

TEST_CASE("circuit breaker: probeNow lets the next call probe at once; a failed probe still backs off")
{
    CircuitBreaker breaker(100ms, 1000ms);
    const auto t0 = CircuitBreaker::Clock::time_point{} + 1h;
    CHECK_FALSE(breaker.probeNow(t0));  // closed: nothing to do
    CHECK(breaker.snapshot(t0).state == State::Closed);

    auto p = breaker.tryAcquire(t0);
    REQUIRE(p);
    CHECK(breaker.recordFailure(*p, t0));
    auto probe = breaker.tryAcquire(t0 + 100ms);
    REQUIRE(probe);
    CHECK(breaker.recordFailure(*probe, t0 + 100ms));  // waits 200 ms now
    CHECK_FALSE(breaker.tryAcquire(t0 + 150ms));

    // A new master announced: the next call probes at once.
    CHECK(breaker.probeNow(t0 + 150ms));
    probe = breaker.tryAcquire(t0 + 150ms);
    REQUIRE(probe);
    CHECK(probe->probe);
    CHECK_FALSE(breaker.probeNow(t0 + 150ms));  // half-open: the probe is already out
    // It fails too: the backoff doubles from where it was.
    CHECK(breaker.recordFailure(*probe, t0 + 150ms));
    CHECK(breaker.snapshot(t0 + 150ms).retryIn == 400ms);
}
