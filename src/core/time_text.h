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

} // namespace oidfed
