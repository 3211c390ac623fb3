// main() of the Redis suites. They run against a real redis-server:
// $OIDFED_TEST_REDIS (set by scripts/test, which starts one) says where the
// shared one is, and the fault tests start their own from the redis-server
// program, and the Sentinel test its Sentinels from redis-sentinel (the
// Debian package of that name). Without them the suite is skipped (exit 77), except in CI
// (CI=true), where a missing Redis is a failure (PRODUCT.md section 4).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "redis_test_server.h"

namespace {

constexpr int kSkip = 77;

int unavailable(const char *what)
{
    const char *ci = std::getenv("CI");
    if (ci && std::strcmp(ci, "true") == 0) {
        std::fprintf(stderr, "FAIL: %s, and CI=true requires the Redis suites to run\n", what);
        return 1;
    }
    std::fprintf(stderr, "SKIP: %s\n", what);
    return kSkip;
}

} // namespace

int main(int argc, char **argv)
{
#ifdef OIDFED_TEST_NEEDS_REDIS_SENTINEL
    // Starts its own master, replica and Sentinels: no shared Redis needed.
    if (oidfed::test::redisServerBinary().empty() || oidfed::test::redisSentinelBinary().empty())
        return unavailable("no redis-server or redis-sentinel program to start (install redis-sentinel, or set "
                           "OIDFED_REDIS_SERVER and OIDFED_REDIS_SENTINEL)");
#else
    const char *url = std::getenv("OIDFED_TEST_REDIS");
    if (!url || !*url)
        return unavailable("OIDFED_TEST_REDIS is not set (scripts/test starts a redis-server and sets it)");
#endif
#ifdef OIDFED_TEST_NEEDS_REDIS_SERVER
    if (oidfed::test::redisServerBinary().empty())
        return unavailable("no redis-server program to start (install redis-server or set OIDFED_REDIS_SERVER)");
#endif
    doctest::Context context(argc, argv);
    return context.run();
}
