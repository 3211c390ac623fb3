#include "key_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace oidfed::cli {

Result<void> writeFileExclusive(const std::string &path, const std::string &content, unsigned mode)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0)
        return fail(ErrorCode::InvalidArgument, "cannot create " + path + ": " + std::strerror(errno));
    // The umask may have narrowed the mode; a private key must be exactly `mode`.
    bool good = ::fchmod(fd, static_cast<mode_t>(mode)) == 0;
    std::size_t done = 0;
    while (good && done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        good = n > 0;
        if (good)
            done += static_cast<std::size_t>(n);
    }
    good = good && ::fsync(fd) == 0;
    int savedErrno = errno;
    ::close(fd);
    if (!good) {
        ::unlink(path.c_str());
        return fail(ErrorCode::InvalidArgument, "cannot write " + path + ": " + std::strerror(savedErrno));
    }
    return ok();
}

} // namespace oidfed::cli
