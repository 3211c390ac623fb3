// ioFailure: the one shape of a failed file operation's error, for the file
// helpers of src/core (file_write, file_read, directory_lock).
#pragma once

#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::detail {

/// InvalidArgument "<what> <path>: <strerror(error)>".
inline Unexpected ioFailure(std::string_view what, const std::filesystem::path &path, int error)
{
    return fail(ErrorCode::InvalidArgument, std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

} // namespace oidfed::detail
