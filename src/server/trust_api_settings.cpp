#include "server/trust_api_settings.h"

#include "core/range_check.h"

namespace oidfed::server {

Result<void> validateTrustApiSettings(const TrustApiSettings &settings)
{
    using detail::checkRange;
    using std::chrono::seconds;
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxConcurrentPerCaller", settings.maxConcurrentPerCaller, 1, 1024));
    OIDFED_TRY_VOID(checkRange<std::size_t>("perCallerRate", settings.perCallerRate, 0, 100000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("perCallerBurst", settings.perCallerBurst, 1, 100000));
    OIDFED_TRY_VOID(checkRange<seconds>("maxJwtLifetime", settings.maxJwtLifetime, seconds(1), seconds(3600)));
    OIDFED_TRY_VOID(checkRange("maxBodyBytes", settings.maxBodyBytes, std::size_t{1024}, std::size_t{1} << 20));
    return ok();
}

} // namespace oidfed::server
