// The file operations of a key directory (KeyStore): creating a private key
// file exclusively, replacing the manifest atomically, reading a private key
// file only when its mode keeps it private, and an advisory lock that
// serializes writers. POSIX only. Contents are never copied into errors.
//
// Nothing here is shared between threads; each function is self-contained.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::entity {

/// Owns a file descriptor and closes it on destruction. Move-only.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd();

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    [[nodiscard]] int release() noexcept;

private:
    int fd_ = -1;
};

/// An advisory lock (flock) on a directory, released on destruction.
/// Writers take it exclusive, readers shared, so a reader never sees a
/// manifest whose key files a writer is still changing.
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

/// When a write is made durable.
enum class Sync {
    Now,       ///< fsync of the file and of its directory before the call returns
    Deferred,  ///< by the caller, later, with syncFileSystem() (batched writes)
};

/// Creates `path` exclusively (O_EXCL, no symlink followed) with exactly
/// `mode` whatever the umask and writes `content`; with Sync::Now also
/// fsyncs it and its directory. InvalidArgument when the file exists or
/// cannot be written; a partly written file is removed.
Result<void> writeFileExclusive(const std::filesystem::path &path, std::string_view content, unsigned mode,
                                Sync sync = Sync::Now);

/// Replaces `path` atomically: writes a temporary file in the same
/// directory with `mode`, fsyncs it, renames it over `path` and fsyncs the
/// directory. A reader sees the old or the new content, never a mix.
/// InvalidArgument on any failure (the temporary file is removed).
Result<void> replaceFileAtomically(const std::filesystem::path &path, std::string_view content, unsigned mode);

/// The first half of replaceFileAtomically() for a batch: writes a new
/// temporary file beside `path` with `mode` and returns its path, neither
/// synced nor renamed. The caller makes it durable (syncFileSystem), then
/// renames it over `path` (renameFile), then makes the rename durable
/// (syncFileSystem). InvalidArgument on failure (nothing is left behind).
Result<std::filesystem::path> writeTemporaryFile(const std::filesystem::path &path, std::string_view content,
                                                 unsigned mode);

/// rename(2). InvalidArgument naming `to` on failure.
Result<void> renameFile(const std::filesystem::path &from, const std::filesystem::path &to);

/// syncfs(2) on the file system holding `path` (a file or directory): on
/// return, every write made to that file system before the call is durable
/// (Linux waits for the I/O, and since 5.8 reports writeback errors), as if
/// each file and directory written had been fsynced. One call is the barrier
/// of a whole batch of writes, where an fsync per file costs a journal
/// commit each. InvalidArgument on failure.
Result<void> syncFileSystem(const std::filesystem::path &path);

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

/// As readRegularFile, and also InvalidArgument (naming the file and its
/// mode) when the mode grants any access to group or others. The check is
/// made on the opened file, so it cannot be swapped in between.
Result<std::string> readPrivateFile(const std::filesystem::path &path, std::size_t maxBytes);

/// Removes `path`; success when it did not exist. InvalidArgument otherwise.
Result<void> removeFile(const std::filesystem::path &path);

/// Creates `dir` with mode 0700 (missing parents with the default mode).
/// Success when it already is a directory (its mode is left alone).
Result<void> createPrivateDirectory(const std::filesystem::path &dir);

/// Overwrites the bytes of `secret` (not optimized away), then clears it.
void wipe(std::string &secret) noexcept;

} // namespace oidfed::entity
