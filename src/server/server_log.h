// The server's log: one line per event on stderr, "oidfed: <level>: <text>",
// in printable ASCII: every other byte of `text` (control characters, and
// any non-ASCII byte) is written as \xNN, so that a hostile entity id, error
// message or request header cannot forge lines or terminal sequences
// (threat L02). Private keys never reach it (nothing here takes a Jwk).
#pragma once

#include <string_view>

namespace oidfed::server {

enum class LogLevel { Info, Warning, Error };

void logLine(LogLevel level, std::string_view text);

} // namespace oidfed::server
