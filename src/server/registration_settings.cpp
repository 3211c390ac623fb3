#include "server/registration_settings.h"

#include "core/range_check.h"

namespace oidfed::server {

Result<void> validateRegistrationSettings(const RegistrationSettings &settings)
{
    using std::chrono::seconds;
    OIDFED_TRY_VOID(detail::checkRange("maxLifetime", settings.maxLifetime, seconds(60), seconds(365 * 86400)));
    OIDFED_TRY_VOID(detail::checkRange("maxBodyBytes", settings.maxBodyBytes, std::size_t{1024}, std::size_t{1} << 20));
    return ok();
}

} // namespace oidfed::server
