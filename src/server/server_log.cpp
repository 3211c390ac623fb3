#include "server/server_log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/time_text.h"

namespace oidfed::server {

namespace {

// The format of every line; set once at start (setLogFormat).
std::atomic<LogFormat> logFormat{LogFormat::Text};

std::string_view levelName(LogLevel level)
{
    return level == LogLevel::Info ? "info" : level == LogLevel::Warning ? "warning" : "error";
}

// Printable ASCII only: C0 controls and DEL, and every byte of non-ASCII text
// too, since some of it is C1 controls (0x9B is CSI) or, in UTF-8, a line
// break to log readers (U+0085, U+2028).
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out;
}

// A JSON string of printable ASCII: only the quote and the backslash need
// escaping.
std::string jsonString(std::string_view printableText)
{
    std::string out = "\"";
    for (char c : printableText) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

Result<LogFormat> parseLogFormat(std::string_view name)
{
    if (name == "text")
        return LogFormat::Text;
    if (name == "json")
        return LogFormat::Json;
    return fail(ErrorCode::InvalidArgument, "log format must be \"text\" or \"json\", not \"" + std::string(name) + "\"");
}

std::string formatLogLine(LogLevel level, std::string_view text, std::chrono::system_clock::time_point time,
                          LogFormat format)
{
    const std::string when = formatRfc3339Millis(time);
    if (format == LogFormat::Json)
        return "{\"time\":\"" + when + "\",\"level\":\"" + std::string(levelName(level)) +
               "\",\"message\":" + jsonString(printable(text)) + "}\n";
    return when + " oidfed: " + std::string(levelName(level)) + ": " + printable(text) + "\n";
}

void setLogFormat(LogFormat format) noexcept
{
    logFormat.store(format, std::memory_order_relaxed);
}

void logLine(LogLevel level, std::string_view text)
{
    static std::mutex mutex;
    const std::string line =
        formatLogLine(level, text, std::chrono::system_clock::now(), logFormat.load(std::memory_order_relaxed));
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace oidfed::server
