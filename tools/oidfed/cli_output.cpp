#include "cli_output.h"

#include <cstdio>
#include <iostream>
#include <iterator>

#include <unistd.h>

#include "core/file_read.h"

namespace oidfed::cli {

namespace {

/// Largest file a command reads as input (a policy, metadata, a JWT, a list).
constexpr std::size_t kMaxInputBytes = 64u << 20;

} // namespace

Format GlobalOptions::resolved() const
{
    if (format == "json")
        return Format::Json;
    if (format == "text")
        return Format::Text;
    return isatty(STDOUT_FILENO) ? Format::Text : Format::Json;
}

int exitCodeFor(const Error &error)
{
    switch (error.code) {
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
        return kExitUnavailable;
    case ErrorCode::InvalidArgument:
        return kExitUsage;
    default:
        return kExitInvalid;
    }
}

void printJson(const Json &value)
{
    std::cout << value.dump(true) << '\n';
}

int reportError(const Error &error, Format format, std::string_view specCode)
{
    if (format == Format::Json) {
        printJson(errorToJson(error, specCode));
    } else {
        std::cerr << "error: " << error.describe() << '\n';
    }
    return exitCodeFor(error);
}

void printReloadNote()
{
    std::cout << "reload: " << kReloadNote << '\n';
}

Result<std::string> readInput(const std::string &path, std::string_view what)
{
    if (path == "-") {
        std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        return data;
    }
    return readInputFile(path, kMaxInputBytes, what);
}

} // namespace oidfed::cli
