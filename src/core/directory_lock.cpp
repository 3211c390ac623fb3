#include "core/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/io_failure.h"

namespace oidfed {

Result<DirectoryLock> DirectoryLock::acquire(const std::filesystem::path &dir, Mode mode)
{
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return detail::ioFailure("cannot open directory", dir, errno);
    const int operation = mode == Mode::Exclusive ? LOCK_EX : LOCK_SH;
    while (::flock(fd.get(), operation) != 0) {
        if (errno != EINTR)
            return detail::ioFailure("cannot lock directory", dir, errno);
    }
    return DirectoryLock(std::move(fd));
}

} // namespace oidfed
