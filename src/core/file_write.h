// Writing files so that a crash or a concurrent reader never sees a partial
// one: creating a file exclusively with an exact mode, replacing a file
// atomically (temporary file + rename), the two halves of that for batches,
// durability barriers, appending, removal, and private directories. Used by the key
// store, the trust-mark catalog and the CLI (keygen, subordinate add). POSIX
// only. Contents are never copied into errors.
//
// Nothing here is shared between threads; each function is self-contained.
#pragma once

#include <filesystem>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed {

/// When a write is made durable.
enum class Sync {
    Now,       ///< fsync of the file and of its directory before the call returns
    Deferred,  ///< by the caller, later, with syncFileSystem() (batched writes)
};

/// Creates `path` exclusively (never replacing a file or following a
/// symlink there) with exactly `mode` whatever the umask, holding
/// `content`: written to a temporary file beside it first, then linked into
/// place, so that a process killed meanwhile leaves no file or the whole
/// one, never a partly written one (only, at worst, the temporary file).
/// With Sync::Now also fsyncs it and its directory. InvalidArgument when
/// the file exists or cannot be written.
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

/// Appends `content` to `path` (created with `mode` when missing; a
/// symbolic link is not followed) in one write(2) of O_APPEND, then fsyncs
/// it (and its directory when it was created). Concurrent appenders must
/// hold a lock (a line may otherwise interleave). InvalidArgument on
/// failure.
Result<void> appendToFile(const std::filesystem::path &path, std::string_view content, unsigned mode);

/// rename(2). InvalidArgument naming `to` on failure.
Result<void> renameFile(const std::filesystem::path &from, const std::filesystem::path &to);

/// syncfs(2) on the file system holding `path` (a file or directory): on
/// return, every write made to that file system before the call is durable
/// (Linux waits for the I/O, and since 5.8 reports writeback errors), as if
/// each file and directory written had been fsynced. One call is the barrier
/// of a whole batch of writes, where an fsync per file costs a journal
/// commit each. InvalidArgument on failure.
Result<void> syncFileSystem(const std::filesystem::path &path);

/// Removes `path`; success when it did not exist. InvalidArgument otherwise.
Result<void> removeFile(const std::filesystem::path &path);

/// Creates `dir` with mode 0700 (missing parents with the default mode).
/// Success when it already is a directory (its mode is left alone).
/// InvalidArgument, with the reason, when it exists and is not a directory
/// or cannot be created.
Result<void> createPrivateDirectory(const std::filesystem::path &dir);

} // namespace oidfed
