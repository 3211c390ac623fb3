// RFC 3339 <-> NumericDate for the CLI (UTC only on output).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/result.h>

#include "core/time_text.h"

namespace oidfed::cli {

/// "2026-01-07T12:00:00Z" (src/core/time_text.h).
using oidfed::formatRfc3339;

/// Parses "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM"
/// (fractions of a second are dropped), or a plain integer NumericDate.
/// InvalidArgument otherwise.
Result<UnixTime> parseRfc3339(std::string_view text);

/// A duration given on the command line: "30d", "12h", "15m", "90s" or
/// plain seconds, at most 100 years. InvalidArgument naming `option` (e.g.
/// "--within") in the message and in Error::claim otherwise.
Result<std::chrono::seconds> parseDuration(std::string_view text, std::string_view option);

} // namespace oidfed::cli
