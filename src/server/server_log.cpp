#include "server/server_log.h"

#include <cstdio>
#include <mutex>
#include <string>

namespace oidfed::server {

void logLine(LogLevel level, std::string_view text)
{
    static std::mutex mutex;
    std::string line = "oidfed: ";
    line += level == LogLevel::Info ? "info: " : level == LogLevel::Warning ? "warning: " : "error: ";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        // Printable ASCII only: C0 controls and DEL, and every byte of
        // non-ASCII text too, since some of it is C1 controls (0x9B is CSI)
        // or, in UTF-8, a line break to log readers (U+0085, U+2028).
        if (byte < 0x20 || byte >= 0x7F) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            line += escaped;
        } else {
            line += c;
        }
    }
    line += '\n';
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace oidfed::server
