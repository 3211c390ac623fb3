#include "entity/key_files.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace oidfed::entity {

namespace fs = std::filesystem;

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd()
{
    if (fd_ >= 0)
        ::close(fd_);
}

int UniqueFd::release() noexcept
{
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

namespace {

Unexpected ioFailure(std::string_view what, const fs::path &path, int error)
{
    return fail(ErrorCode::InvalidArgument,
                std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

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

Result<std::string> readFileChecked(const fs::path &path, std::size_t maxBytes, bool requirePrivate)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!fd.valid()) {
        const int error = errno;
        if (error == ENOENT)
            return fail(ErrorCode::NotFound, path.string() + " does not exist");
        if (error == ELOOP)
            return fail(ErrorCode::InvalidArgument, path.string() + " is a symbolic link; refusing to follow it");
        return ioFailure("cannot open", path, error);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return ioFailure("cannot stat", path, errno);
    if (!S_ISREG(info.st_mode))
        return fail(ErrorCode::InvalidArgument, path.string() + " is not a regular file");
    if (requirePrivate && (info.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
        return fail(ErrorCode::InvalidArgument, "private key file " + path.string() + " has mode " + mode +
                                                    ", which gives group or others access; it must be 0600");
    }
    if (static_cast<std::size_t>(info.st_size) > maxBytes)
        return fail(ErrorCode::InvalidArgument, path.string() + " is larger than " + std::to_string(maxBytes) +
                                                    " bytes");
    // Sized from fstat (plus one byte to notice growth), not from maxBytes:
    // reading a 300-byte PEM must not zero a buffer of maxBytes.
    int error = 0;
    std::optional<std::string> content =
        readUpTo(fd.get(), std::min(static_cast<std::size_t>(info.st_size), maxBytes) + 1, maxBytes, error);
    if (!content)
        return ioFailure("cannot read", path, error);
    if (content->size() > maxBytes) {
        wipe(*content);
        return fail(ErrorCode::InvalidArgument, path.string() + " is larger than " + std::to_string(maxBytes) +
                                                    " bytes");
    }
    return std::move(*content);
}

} // namespace

Result<DirectoryLock> DirectoryLock::acquire(const fs::path &dir, Mode mode)
{
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return ioFailure("cannot open directory", dir, errno);
    const int operation = mode == Mode::Exclusive ? LOCK_EX : LOCK_SH;
    while (::flock(fd.get(), operation) != 0) {
        if (errno != EINTR)
            return ioFailure("cannot lock directory", dir, errno);
    }
    return DirectoryLock(std::move(fd));
}

Result<void> writeFileExclusive(const fs::path &path, std::string_view content, unsigned mode, Sync sync)
{
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                       static_cast<mode_t>(mode)));
    if (!fd.valid())
        return ioFailure("cannot create", path, errno);
    // The umask may have narrowed the mode; a private key must be exactly `mode`.
    Result<void> written = ::fchmod(fd.get(), static_cast<mode_t>(mode)) == 0
                               ? writeAll(fd.get(), content, path)
                               : Result<void>(ioFailure("cannot set the mode of", path, errno));
    if (written && sync == Sync::Now && ::fsync(fd.get()) != 0)
        written = ioFailure("cannot sync", path, errno);
    if (written && ::close(fd.release()) != 0)
        written = ioFailure("cannot close", path, errno);
    if (!written) {
        ::unlink(path.c_str());
        return written;
    }
    return sync == Sync::Now ? syncDirectory(parentOf(path)) : ok();
}

namespace {

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

std::optional<std::string> readUpTo(int fd, std::size_t initialSize, std::size_t maxBytes, int &error)
{
    std::string content(std::max<std::size_t>(initialSize, 1), '\0');
    std::size_t done = 0;
    for (;;) {
        if (done == content.size()) {
            if (content.size() > maxBytes)
                break;
            std::string larger(std::min(content.size() * 2, maxBytes + 1), '\0');
            std::memcpy(larger.data(), content.data(), done);
            wipe(content);
            content = std::move(larger);
        }
        const ssize_t n = ::read(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = errno;
            wipe(content);
            return std::nullopt;
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    content.resize(done);
    return content;
}

Result<std::string> readRegularFile(const fs::path &path, std::size_t maxBytes)
{
    return readFileChecked(path, maxBytes, false);
}

Result<std::string> readPrivateFile(const fs::path &path, std::size_t maxBytes)
{
    return readFileChecked(path, maxBytes, true);
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

void wipe(std::string &secret) noexcept
{
    if (!secret.empty())
        ::explicit_bzero(secret.data(), secret.size());
    secret.clear();
}

} // namespace oidfed::entity
