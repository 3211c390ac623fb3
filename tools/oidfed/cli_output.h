// Output conventions shared by every oidfed subcommand (PRODUCT.md 3.1):
// exit codes, JSON vs text format, and JSON error objects.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/error.h>
#include <oidfed/error_json.h>
#include <oidfed/json.h>

namespace oidfed::cli {

/// Process exit codes, identical for every subcommand.
enum ExitCode : int {
    kExitOk = 0,           ///< success / valid
    kExitInvalid = 1,      ///< the thing examined is invalid
    kExitUsage = 2,        ///< usage or configuration error
    kExitUnavailable = 3,  ///< network, timeout, upstream error
};

enum class Format { Json, Text };

/// Options every subcommand shares; filled by main() from --format.
struct GlobalOptions {
    std::string format;  ///< "json", "text" or empty (auto: text on a terminal)
    Format resolved() const;
};

/// The exit code an error maps to: Unavailable/Timeout -> 3,
/// InvalidArgument -> 2, everything else -> 1.
int exitCodeFor(const Error &error);

/// Prints `value` on stdout: pretty JSON in both formats unless the caller
/// prints its own text.
void printJson(const Json &value);

/// An error as JSON (the library's, shared with the server's trust API).
using oidfed::errorToJson;

/// Prints an error: in JSON mode {"error": <spec 8.9 code>,
/// "error_description", "code", "rule"?, "claim"?, "entity_id"?} on stdout;
/// in text mode one line on stderr. Returns exitCodeFor(error).
int reportError(const Error &error, Format format, std::string_view specCode = {});

/// What a command that changes files a running `oidfed serve` reads (key
/// directories, subordinate files) says: the change is published after a
/// reload, and how to send one. JSON output carries it as "reload"; text
/// output prints it on a line of its own (printReloadNote).
inline constexpr std::string_view kReloadNote =
    "a running oidfed serve publishes this change after a reload: kill -HUP <its pid>, or systemctl reload oidfed";

/// Prints "reload: " + kReloadNote on stdout (text output).
void printReloadNote();

/// Reads a whole file (at most 64 MiB), or stdin for "-". InvalidArgument
/// when unreadable, with the reason: "cannot read [WHAT ]PATH: Permission
/// denied (EACCES)".
Result<std::string> readInput(const std::string &path, std::string_view what = {});

} // namespace oidfed::cli
