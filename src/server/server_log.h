// The server's log: one line per event on stderr, in printable ASCII: every
// other byte of `text` (control characters, and any non-ASCII byte) is
// written as \xNN, so that a hostile entity id, error message or request
// header cannot forge lines or terminal sequences (threat L02). Private keys
// never reach it (nothing here takes a Jwk).
//
// Two formats, chosen once per process (LogOptions, the configuration's
// "log": {"format"}):
//   text  2026-01-07T12:00:00.123Z oidfed: <level>: <text>
//   json  {"time":"2026-01-07T12:00:00.123Z","level":"<level>","message":"<text>"}
// with the time in RFC 3339 (UTC, milliseconds) and level info, warning or
// error. A JSON line is one object per line for log shippers; its message
// is the text escaped as above, then as a JSON string (\\ and \" only, as
// nothing else outside printable ASCII remains).
//
// Thread-safe: lines from several threads never interleave.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::server {

enum class LogLevel { Info, Warning, Error };

enum class LogFormat { Text, Json };

/// "text" or "json"; InvalidArgument otherwise.
Result<LogFormat> parseLogFormat(std::string_view name);

/// One line in `format`, ending in '\n' (see above).
std::string formatLogLine(LogLevel level, std::string_view text, std::chrono::system_clock::time_point time,
                          LogFormat format);

/// Sets the format of every later line. Process-wide, like the stream it
/// writes to: `oidfed serve` sets it once, from its configuration, before
/// any other thread starts. Default: text.
void setLogFormat(LogFormat format) noexcept;

/// Writes one line (formatLogLine, the time now) to stderr.
void logLine(LogLevel level, std::string_view text);

} // namespace oidfed::server
