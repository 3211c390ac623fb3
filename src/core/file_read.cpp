#include "core/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/io_failure.h"
#include "core/secret_wipe.h"
#include "core/unique_fd.h"

namespace oidfed {

namespace fs = std::filesystem;
using detail::ioFailure;

namespace {

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

Result<std::string> readInputFile(const fs::path &path, std::size_t maxBytes, std::string_view what)
{
    const std::string action = what.empty() ? "cannot read" : "cannot read " + std::string(what);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return ioFailure(action, path, errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return ioFailure(action, path, errno);
    if (S_ISDIR(info.st_mode))
        return ioFailure(action, path, EISDIR);
    // A regular file is read into a buffer of its size; a pipe or a device grows one.
    const std::size_t initial = S_ISREG(info.st_mode) ? std::min(static_cast<std::size_t>(info.st_size), maxBytes) + 1
                                                      : 4096;
    int error = 0;
    std::optional<std::string> content = readUpTo(fd.get(), initial, maxBytes, error);
    if (!content)
        return ioFailure(action, path, error);
    if (content->size() > maxBytes)
        return fail(ErrorCode::InvalidArgument,
                    action + " " + path.string() + ": larger than " + std::to_string(maxBytes) + " bytes");
    return std::move(*content);
}

Result<std::string> readPrivateFile(const fs::path &path, std::size_t maxBytes)
{
    return readFileChecked(path, maxBytes, true);
}

} // namespace oidfed
