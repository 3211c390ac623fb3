// RFC 3339 text of a time (src/core/time_text.h): UTC, whole seconds or
// milliseconds, across the range a NumericDate may take.
#include <doctest/doctest.h>

#include <chrono>

#include "core/time_text.h"

using namespace oidfed;

TEST_CASE("formatRfc3339: UTC, whole seconds")
{
    CHECK(formatRfc3339(0) == "1970-01-01T00:00:00Z");
    CHECK(formatRfc3339(1767787200) == "2026-01-07T12:00:00Z");
    CHECK(formatRfc3339(951782400) == "2000-02-29T00:00:00Z");
    CHECK(formatRfc3339(253402300799) == "9999-12-31T23:59:59Z");
}

TEST_CASE("relativeTime: seconds, then minutes, hours and days, rounded down")
{
    constexpr UnixTime now = 1767800000;
    CHECK(relativeTime(now, now) == "now");
    CHECK(relativeTime(now - 68, now) == "68 s ago");
    CHECK(relativeTime(now + 68, now) == "in 68 s");
    CHECK(relativeTime(now - 119, now) == "119 s ago");
    CHECK(relativeTime(now - 120, now) == "2 min ago");
    CHECK(relativeTime(now + 2 * 3600 - 1, now) == "in 119 min");
    CHECK(relativeTime(now - 2 * 3600, now) == "2 h ago");
    CHECK(relativeTime(now - 2 * 86400 + 1, now) == "47 h ago");
    CHECK(relativeTime(now + 30 * 86400, now) == "in 30 days");
    CHECK(describeTime(now - 68, now) == "2026-01-07T15:32:12Z, 68 s ago");
}

TEST_CASE("formatRfc3339Millis: three digits of milliseconds")
{
    using namespace std::chrono;
    const system_clock::time_point at = system_clock::time_point(seconds(1767787200)) + milliseconds(7);
    CHECK(formatRfc3339Millis(at) == "2026-01-07T12:00:00.007Z");
    CHECK(formatRfc3339Millis(system_clock::time_point(milliseconds(999))) == "1970-01-01T00:00:00.999Z");
}
