// DirectoryLock: an advisory lock (flock) on a directory, released on
// destruction. Writers of a directory of files that belong together (a key
// directory, a trust-mark directory) take it exclusive, readers shared, so a
// reader never sees a half-made change. POSIX only; move-only, not shared
// between threads.
#pragma once

#include <filesystem>

#include <oidfed/result.h>

#include "core/unique_fd.h"

namespace oidfed {

class DirectoryLock {
public:
    enum class Mode { Shared, Exclusive };

    /// Opens `dir` and waits for the lock. InvalidArgument when `dir`
    /// cannot be opened as a directory or locked.
    static Result<DirectoryLock> acquire(const std::filesystem::path &dir, Mode mode);

private:
    explicit DirectoryLock(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;  ///< closing it releases the lock
};

} // namespace oidfed
