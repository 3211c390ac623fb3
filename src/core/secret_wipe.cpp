#include "core/secret_wipe.h"

#include <string.h>

namespace oidfed {

void wipe(std::string &secret) noexcept
{
    if (!secret.empty())
        ::explicit_bzero(secret.data(), secret.size());
    secret.clear();
}

} // namespace oidfed
