#include <oidfed/resolver_options.h>

#include "core/range_check.h"

namespace oidfed {

Result<void> validateResolverOptions(const ResolverOptions &o)
{
    using namespace std::chrono;
    using detail::checkRange;
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxChainDepth", o.maxChainDepth, 1, 32));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxAuthorityHintsPerEntity", o.maxAuthorityHintsPerEntity, 1, 64));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxFetchesPerResolution", o.maxFetchesPerResolution, 1, 4096));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxCandidatePaths", o.maxCandidatePaths, 1, 1024));
    OIDFED_TRY_VOID(checkRange<milliseconds>("resolveDeadline", o.resolveDeadline, milliseconds(1), minutes(10)));
    OIDFED_TRY_VOID(checkRange<seconds>("clockSkew", o.clockSkew, seconds(0), minutes(10)));
    OIDFED_TRY_VOID(checkRange<seconds>("maxCacheTtl", o.maxCacheTtl, seconds(1), hours(24 * 7)));
    OIDFED_TRY_VOID(checkRange<seconds>("negativeTtl", o.negativeTtl, seconds(0), hours(1)));
    OIDFED_TRY_VOID(checkRange<seconds>("refreshAhead", o.refreshAhead, seconds(0), o.maxCacheTtl,
                                        "0..maxCacheTtl (" + detail::boundText(o.maxCacheTtl) + " s)"));
    OIDFED_TRY_VOID(checkRange<std::size_t>("cacheMaxEntries", o.cacheMaxEntries, 0, 10000000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("statementCacheMaxEntries", o.statementCacheMaxEntries, 0, 10000000));
    OIDFED_TRY_VOID(
        checkRange<seconds>("trustMarks.statusCacheTtl", o.trustMarks.statusCacheTtl, seconds(1), hours(1)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("trustMarks.statusCacheMaxEntries", o.trustMarks.statusCacheMaxEntries, 1,
                                            1000000));
    for (const std::string &type : o.trustMarks.statusCheckedTypes)
        if (type.empty())
            return fail(detail::outOfRange("trustMarks.statusCheckedTypes", "an array of non-empty trust mark types"));
    for (const auto &[type, values] : o.trustMarks.typValues) {
        bool usable = !type.empty() && !values.empty();
        for (const std::string &value : values)
            usable = usable && !value.empty();
        if (!usable)
            return fail(detail::outOfRange("trustMarks.typValues",
                                           "non-empty trust mark types, each with a non-empty list of non-empty typ values"));
    }
    return ok();
}

} // namespace oidfed
