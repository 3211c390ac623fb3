// The server's log: one line per event on stderr, "oidfed: <level>: <text>",
// with control characters escaped so that a hostile entity id or error
// message cannot forge lines or terminal sequences (threat L02). Private
// keys never reach it (nothing here takes a Jwk).
#pragma once

#include <string_view>

namespace oidfed::server {

enum class LogLevel { Info, Warning, Error };

void logLine(LogLevel level, std::string_view text);

} // namespace oidfed::server
