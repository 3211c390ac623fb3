#include <oidfed/fetch_options.h>

#include <algorithm>

#include "core/range_check.h"
#include "fetch/resolve_override.h"

namespace oidfed {

namespace {

/// Entries of FetchOptions::resolve.
constexpr std::size_t kMaxResolveEntries = 64;

} // namespace

Result<void> validateFetchOptions(const FetchOptions &o)
{
    using namespace std::chrono;
    using detail::checkRange;
    OIDFED_TRY_VOID(checkRange<milliseconds>("totalTimeout", o.totalTimeout, milliseconds(1), minutes(10)));
    const milliseconds connectLimit = std::min<milliseconds>(o.totalTimeout, minutes(1));
    OIDFED_TRY_VOID(checkRange<milliseconds>("connectTimeout", o.connectTimeout, milliseconds(1), connectLimit,
                                             detail::rangeText(milliseconds(1), connectLimit) +
                                                 " (at most totalTimeout, and 1 min)"));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxResponseBytes", o.maxResponseBytes, 1024, std::size_t{16} << 20));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxConcurrentTransfers", o.maxConcurrentTransfers, 1, 64));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxTransfersPerHost", o.maxTransfersPerHost, 1, 1024));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxWaitingPerHost", o.maxWaitingPerHost, 0, 100000));
    if (!std::all_of(o.userAgent.begin(), o.userAgent.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; }))
        return fail(detail::outOfRange("userAgent", "printable ASCII"));
    if (o.resolve.size() > kMaxResolveEntries)
        return fail(detail::outOfRange("resolve", "at most 64 entries"));
    for (const std::string &entry : o.resolve)
        OIDFED_TRY_VOID(fetch::checkResolveOverride(entry));
    return ok();
}

} // namespace oidfed
