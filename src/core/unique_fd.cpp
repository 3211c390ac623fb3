#include "core/unique_fd.h"

#include <unistd.h>

namespace oidfed {

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

} // namespace oidfed
