#include "core/file_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#include "core/io_failure.h"
#include "core/unique_fd.h"

namespace oidfed {

namespace fs = std::filesystem;
using detail::ioFailure;

namespace {

Result<void> writeAll(int fd, std::string_view content, const fs::path &path)
{
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ioFailure("cannot write", path, n < 0 ? errno : EIO);
        done += static_cast<std::size_t>(n);
    }
    return ok();
}

Result<void> syncDirectory(const fs::path &dir)
{
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0)
        return ioFailure("cannot sync directory", dir, errno);
    return ok();
}

fs::path parentOf(const fs::path &path)
{
    fs::path parent = path.parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

// A new temporary file beside `path` holding `content`, fsynced when `sync`
// is Sync::Now. Removed again on failure.
Result<fs::path> writeTemporary(const fs::path &path, std::string_view content, unsigned mode, Sync sync)
{
    std::string pattern = path.string() + ".tmp.XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd.valid())
        return ioFailure("cannot create a temporary file for", path, errno);
    const fs::path temporary(name.data());
    Result<void> written = ::fchmod(fd.get(), static_cast<mode_t>(mode)) == 0
                               ? writeAll(fd.get(), content, temporary)
                               : Result<void>(ioFailure("cannot set the mode of", temporary, errno));
    if (written && sync == Sync::Now && ::fsync(fd.get()) != 0)
        written = ioFailure("cannot sync", temporary, errno);
    if (written && ::close(fd.release()) != 0)
        written = ioFailure("cannot close", temporary, errno);
    if (!written) {
        ::unlink(temporary.c_str());
        return fail(std::move(written).error());
    }
    return temporary;
}

} // namespace

Result<void> writeFileExclusive(const fs::path &path, std::string_view content, unsigned mode, Sync sync)
{
    // Written in full beside it first, then linked into place: link(2) never
    // replaces an existing name, and a process killed at any point leaves no
    // file or the whole one (at most a temporary file besides), never a
    // partly written file under its name.
    OIDFED_TRY(fs::path temporary, writeTemporary(path, content, mode, sync));
    if (::link(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        return ioFailure("cannot create", path, error);
    }
    if (::unlink(temporary.c_str()) != 0)
        return ioFailure("cannot remove", temporary, errno);
    return sync == Sync::Now ? syncDirectory(parentOf(path)) : ok();
}

Result<void> replaceFileAtomically(const fs::path &path, std::string_view content, unsigned mode)
{
    OIDFED_TRY(fs::path temporary, writeTemporary(path, content, mode, Sync::Now));
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        return ioFailure("cannot rename a temporary file to", path, error);
    }
    return syncDirectory(parentOf(path));
}

Result<fs::path> writeTemporaryFile(const fs::path &path, std::string_view content, unsigned mode)
{
    return writeTemporary(path, content, mode, Sync::Deferred);
}

Result<void> appendToFile(const fs::path &path, std::string_view content, unsigned mode)
{
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    const bool created = !fd.valid() && errno == ENOENT;
    if (created)
        fd = UniqueFd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                             static_cast<mode_t>(mode)));
    if (!fd.valid())
        return ioFailure("cannot open for appending", path, errno);
    if (created && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        return ioFailure("cannot set the mode of", path, errno);
    OIDFED_TRY_VOID(writeAll(fd.get(), content, path));
    if (::fsync(fd.get()) != 0)
        return ioFailure("cannot sync", path, errno);
    if (::close(fd.release()) != 0)
        return ioFailure("cannot close", path, errno);
    return created ? syncDirectory(parentOf(path)) : ok();
}

Result<void> renameFile(const fs::path &from, const fs::path &to)
{
    if (::rename(from.c_str(), to.c_str()) != 0)
        return ioFailure("cannot rename a temporary file to", to, errno);
    return ok();
}

Result<void> syncFileSystem(const fs::path &path)
{
    // A symlink is followed: what matters is the file system it leads to.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid() || ::syncfs(fd.get()) != 0)
        return ioFailure("cannot sync the file system of", path, errno);
    return ok();
}

Result<void> removeFile(const fs::path &path)
{
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return ioFailure("cannot remove", path, errno);
    return ok();
}

Result<void> createPrivateDirectory(const fs::path &dir)
{
    std::error_code ec;
    if (fs::is_directory(dir, ec))
        return ok();
    if (fs::exists(fs::symlink_status(dir, ec)))
        return fail(ErrorCode::InvalidArgument, dir.string() + " exists and is not a directory");
    const fs::path parent = dir.parent_path();
    if (!parent.empty()) {
        fs::create_directories(parent, ec);
        if (ec)
            return fail(ErrorCode::InvalidArgument, "cannot create " + parent.string() + ": " + ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0) {
        const int error = errno;
        if (error == EEXIST && fs::is_directory(dir, ec))
            return ok();  // created concurrently
        return ioFailure("cannot create directory", dir, error);
    }
    // The umask may have narrowed the mode (never widened it); make it exact.
    if (::chmod(dir.c_str(), 0700) != 0)
        return ioFailure("cannot set the mode of", dir, errno);
    return ok();
}

} // namespace oidfed
