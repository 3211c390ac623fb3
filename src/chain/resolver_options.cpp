#include <oidfed/resolver_options.h>

namespace oidfed {

namespace {

template <typename T>
Result<void> inRange(const char *field, T value, T low, T high)
{
    if (value < low || value > high)
        return fail(Error(ErrorCode::InvalidArgument, std::string(field) + " is out of range").withClaim(field));
    return ok();
}

} // namespace

Result<void> validateResolverOptions(const ResolverOptions &o)
{
    using namespace std::chrono;
    OIDFED_TRY_VOID(inRange<std::size_t>("maxChainDepth", o.maxChainDepth, 1, 32));
    OIDFED_TRY_VOID(inRange<std::size_t>("maxAuthorityHintsPerEntity", o.maxAuthorityHintsPerEntity, 1, 64));
    OIDFED_TRY_VOID(inRange<std::size_t>("maxFetchesPerResolution", o.maxFetchesPerResolution, 1, 4096));
    OIDFED_TRY_VOID(inRange<std::size_t>("maxCandidatePaths", o.maxCandidatePaths, 1, 1024));
    OIDFED_TRY_VOID(inRange<milliseconds>("resolveDeadline", o.resolveDeadline, milliseconds(1), minutes(10)));
    OIDFED_TRY_VOID(inRange<seconds>("clockSkew", o.clockSkew, seconds(0), minutes(10)));
    OIDFED_TRY_VOID(inRange<seconds>("maxCacheTtl", o.maxCacheTtl, seconds(1), hours(24 * 7)));
    OIDFED_TRY_VOID(inRange<seconds>("negativeTtl", o.negativeTtl, seconds(0), hours(1)));
    OIDFED_TRY_VOID(inRange<seconds>("refreshAhead", o.refreshAhead, seconds(0), o.maxCacheTtl));
    OIDFED_TRY_VOID(inRange<std::size_t>("cacheMaxEntries", o.cacheMaxEntries, 0, 10000000));
    OIDFED_TRY_VOID(inRange<std::size_t>("statementCacheMaxEntries", o.statementCacheMaxEntries, 0, 10000000));
    OIDFED_TRY_VOID(inRange<seconds>("trustMarks.statusCacheTtl", o.trustMarks.statusCacheTtl, seconds(1), hours(1)));
    OIDFED_TRY_VOID(inRange<std::size_t>("trustMarks.statusCacheMaxEntries", o.trustMarks.statusCacheMaxEntries, 1,
                                         1000000));
    for (const std::string &type : o.trustMarks.statusCheckedTypes)
        if (type.empty())
            return fail(Error(ErrorCode::InvalidArgument, "trustMarks.statusCheckedTypes holds an empty type")
                            .withClaim("trustMarks.statusCheckedTypes"));
    return ok();
}

} // namespace oidfed
