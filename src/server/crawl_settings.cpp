#include "server/crawl_settings.h"

#include "core/range_check.h"

namespace oidfed::server {

Result<void> validateCrawlSettings(const CrawlSettings &settings)
{
    using detail::checkRange;
    using std::chrono::seconds;
    OIDFED_TRY_VOID(checkRange<seconds>("interval", settings.interval, seconds(1), seconds(86400)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxEntities", settings.maxEntities, 1, 10000000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxDepth", settings.maxDepth, 1, 64));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxListSize", settings.maxListSize, 1, 10000000));
    OIDFED_TRY_VOID(checkRange<std::size_t>("concurrency", settings.concurrency, 1, 256));
    OIDFED_TRY_VOID(checkRange<seconds>("expiryWarning", settings.expiryWarning, seconds(0), seconds(365 * 86400)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("collectionPageLimit", settings.collectionPageLimit, 1, 10000));
    OIDFED_TRY_VOID(checkRange<seconds>("leaderLease", settings.leaderLease, seconds(1), seconds(86400)));
    return ok();
}

} // namespace oidfed::server
