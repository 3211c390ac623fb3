/// oidfed::Clock — the one source of "now" (seconds since the Unix epoch).
///
/// Validation never reads the clock: callers pass `now`, taken from a Clock,
/// so tests can use a fixed one. Implementations must be safe to call from
/// any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace oidfed {

/// NumericDate (RFC 7519 section 2), whole seconds since the epoch.
using UnixTime = std::int64_t;

class Clock {
public:
    Clock() = default;
    Clock(const Clock &) = delete;
    Clock &operator=(const Clock &) = delete;
    virtual ~Clock() = default;

    virtual UnixTime now() const = 0;
};

/// The system wall clock.
std::unique_ptr<Clock> makeSystemClock();

/// A clock that always answers `fixed` (for --at and for tests).
std::unique_ptr<Clock> makeFixedClock(UnixTime fixed);

} // namespace oidfed
