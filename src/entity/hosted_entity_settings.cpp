#include "entity/hosted_entity.h"

#include "core/range_check.h"

namespace oidfed::entity {

namespace {

using namespace std::chrono;
using detail::checkRange;

constexpr seconds kMaxLifetime = hours(24 * 365);

} // namespace

Result<void> validateHostedEntitySettings(const HostedEntitySettings &settings)
{
    OIDFED_TRY_VOID(
        checkRange<seconds>("configurationLifetime", settings.configurationLifetime, minutes(1), kMaxLifetime));
    OIDFED_TRY_VOID(checkRange<seconds>("subordinateLifetime", settings.subordinateLifetime, minutes(1), kMaxLifetime));
    OIDFED_TRY_VOID(detail::nestedIn("keys", validateKeyStoreOptions(settings.keys)));
    if (const auto &issuer = settings.trustMarkIssuer) {
        OIDFED_TRY_VOID(checkRange<seconds>("trustMarkIssuer.markLifetime", issuer->markLifetime, minutes(1),
                                            kMaxLifetime));
        OIDFED_TRY_VOID(checkRange<seconds>("trustMarkIssuer.delegationLifetime", issuer->delegationLifetime,
                                            hours(1), kMaxLifetime));
    }
    return ok();
}

} // namespace oidfed::entity
