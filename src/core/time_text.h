// Times as text: RFC 3339 in UTC, for logs, reports and CLI output.
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <string>

#include <oidfed/clock.h>

namespace oidfed {

/// "2026-01-07T12:00:00Z" (seconds since the epoch, UTC; any value of
/// UnixTime from year 0 to 9999).
std::string formatRfc3339(UnixTime t);

/// With milliseconds: "2026-01-07T12:00:00.123Z" (log lines).
std::string formatRfc3339Millis(std::chrono::system_clock::time_point t);

/// How far `t` is from `now`, e.g. "68 s ago", "in 5 min", "now": seconds
/// under 2 minutes, then whole minutes under 2 hours, hours under 2 days,
/// then days (rounded down).
std::string relativeTime(UnixTime t, UnixTime now);

/// For messages: "2026-01-07T12:00:00Z, 68 s ago" (formatRfc3339 and
/// relativeTime), so that an operator reads when and how long ago.
std::string describeTime(UnixTime t, UnixTime now);

} // namespace oidfed
