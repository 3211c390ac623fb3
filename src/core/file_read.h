// Reading files with a size bound and without following symbolic links:
// configuration-like files (subordinate files, trust-mark files) and private
// key files, whose mode must keep them private. POSIX only. Contents are
// never copied into errors, and a buffer that may hold secret bytes is wiped
// before it is dropped.
//
// Nothing here is shared between threads; each function is self-contained.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed {

/// Reads `fd` to its end, or until it has more than `maxBytes` bytes (so
/// that a caller sees an oversized file: the result then holds maxBytes + 1
/// bytes), into a buffer of `initialSize` bytes (at least 1) that doubles as
/// needed: size it from fstat so that a small file costs a small buffer.
/// A buffer left behind is wiped first (it may hold secret bytes). On a read
/// error: nullopt, with errno in `error`.
std::optional<std::string> readUpTo(int fd, std::size_t initialSize, std::size_t maxBytes, int &error);

/// Reads a regular file of at most `maxBytes`. NotFound when it does not
/// exist; InvalidArgument when it is a symlink, not a regular file,
/// unreadable or too large.
Result<std::string> readRegularFile(const std::filesystem::path &path, std::size_t maxBytes);

/// Reads a whole file that a person named as input (a symbolic link is
/// followed; stdin is the caller's business). InvalidArgument "cannot read
/// <what> <path>: <reason> (<errno name>)" (`what` may be empty) when it
/// cannot be opened or read, is a directory, or is larger than `maxBytes`.
Result<std::string> readInputFile(const std::filesystem::path &path, std::size_t maxBytes, std::string_view what = {});

/// As readRegularFile, and also InvalidArgument (naming the file and its
/// mode) when the mode grants any access to group or others. The check is
/// made on the opened file, so it cannot be swapped in between.
Result<std::string> readPrivateFile(const std::filesystem::path &path, std::size_t maxBytes);

} // namespace oidfed
