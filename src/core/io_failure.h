// ioFailure: the one shape of a failed file operation's error, with the
// reason and its errno name, for the file helpers of src/core (file_write,
// file_read, directory_lock).
#pragma once

#include <string.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::detail {

/// "<strerror(error)> (<errno name>)", e.g. "Permission denied (EACCES)".
inline std::string errnoText(int error)
{
    const char *name = ::strerrorname_np(error);
    return std::string(std::strerror(error)) + (name ? " (" + std::string(name) + ")" : std::string());
}

/// InvalidArgument "<what> <path>: <strerror(error)> (<errno name>)".
inline Unexpected ioFailure(std::string_view what, const std::filesystem::path &path, int error)
{
    return fail(ErrorCode::InvalidArgument, std::string(what) + " " + path.string() + ": " + errnoText(error));
}

} // namespace oidfed::detail
