// A real `oidfed serve` whose "redis" names Sentinels (issue 20 item 1):
// a redis-server master, a replica and three redis-sentinel processes of the
// test's own (RedisSentinelGroup). The demo federation is served with the
// in-process chain and response caches off, so that every resolve goes
// through Redis; the master is killed (SIGKILL) while clients keep
// resolving. Every answer must still be a 200 (resolved on demand while
// Redis is gone), /readyz must say degraded and then ready again without a
// restart, and the resolutions must be written to the promoted replica. The
// times are printed, not asserted beyond generous bounds.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/json.h>

#include "redis_test_server.h"
#include "served_federation.h"
#include "temp_dir.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::AdminConnection;
using test::HttpReply;
using test::RedisSentinelGroup;
using test::ServedFederation;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string url(int port)
{
    return "redis://127.0.0.1:" + std::to_string(port);
}

std::string sentinelConfig(const RedisSentinelGroup &group)
{
    std::string addresses;
    for (const std::string &address : group.sentinelAddresses())
        addresses += (addresses.empty() ? "\"" : ", \"") + address + "\"";
    return R"("threads": 2, "redis": {"key_prefix": "serve-sentinel:", "sentinel": {"addresses": [)" + addresses +
           R"(], "master_name": ")" + RedisSentinelGroup::kMasterName +
           R"("}}, "resolver_limits": {"cache_max_entries": 0, "response_cache_max_entries": 0,
              "on_demand_per_client_rate": 0},)";
}

/// status and redis of /readyz ("" when it does not answer JSON).
std::pair<std::string, std::string> readiness(const ServedFederation &fed)
{
    try {
        auto body = parseJson(fed.get("/readyz").body);
        if (!body || !body->isObject())
            return {};
        const std::string *status = body->findString("status");
        const std::string *redis = body->findString("redis");
        return {status ? *status : "", redis ? *redis : ""};
    } catch (const std::exception &) {
        return {};
    }
}

std::int64_t dbSize(int port)
{
    return std::stoll(AdminConnection(url(port)).command({"DBSIZE"}).text);
}

} // namespace

TEST_CASE("oidfed serve with Sentinel: the master killed, every resolve still answered, Redis followed to the new "
          "master without a restart")
{
    test::TempDir dir("oidfed-serve-sentinel");
    RedisSentinelGroup group(dir.path().string());
    ServedFederation fed("\"threads\": 2,", sentinelConfig(group));
    const std::vector<std::string> subjects = {fed.id("ia"), fed.id("op"), fed.id("rp"), fed.id("ci")};
    auto resolve = [&](const std::string &subject) {
        return fed.get("/ta/resolve?sub=" + percentEncode(subject) + "&trust_anchor=" + percentEncode(fed.id("ta")));
    };

    for (const std::string &subject : subjects)
        REQUIRE(resolve(subject).status == 200);
    CHECK(dbSize(group.initialMasterPort()) > 0);  // the resolutions are in Redis
    REQUIRE(test::waitFor([&] { return readiness(fed) == std::make_pair<std::string, std::string>("ready", "ok"); },
                          5s));

    const auto killed = SteadyClock::now();
    group.initialMaster().kill9();

    // Clients keep resolving; every answer must be a 200.
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    bool sawDegraded = false;
    std::chrono::milliseconds degradedAfter{-1};
    const bool ready = test::waitFor(
        [&] {
            for (const std::string &subject : subjects) {
                ++requests;
                if (resolve(subject).status != 200)
                    ++failures;
            }
            const auto state = readiness(fed);
            if (state.first == "degraded" && !sawDegraded) {
                sawDegraded = true;
                degradedAfter = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - killed);
            }
            return sawDegraded && state == std::make_pair<std::string, std::string>("ready", "ok");
        },
        30s);
    const auto readyAfter = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - killed);
    std::printf("serve with sentinel: %llu resolves during the failover, %llu failed; /readyz degraded after %lld ms, "
                "ready again after %lld ms\n",
                static_cast<unsigned long long>(requests), static_cast<unsigned long long>(failures),
                static_cast<long long>(degradedAfter.count()), static_cast<long long>(readyAfter.count()));
    CHECK(sawDegraded);
    CHECK(ready);
    CHECK(failures == 0);

    // The resolutions are written to the promoted replica now.
    const int newMaster = group.masterPort();
    REQUIRE(newMaster == group.replicaPort());
    AdminConnection(url(newMaster)).command({"FLUSHALL"});
    for (const std::string &subject : subjects)
        CHECK(resolve(subject).status == 200);
    CHECK(test::waitFor([&] { return dbSize(newMaster) > 0; }, 5s));
    const std::string errors = AdminConnection(url(newMaster)).command({"INFO", "errorstats"}).text;
    CHECK(errors.find("errorstat_READONLY") == std::string::npos);

    const std::string metrics = fed.get("/metrics").body;
    CHECK(metrics.find("oidfed_redis_breaker_openings_total 0\n") == std::string::npos);
    CHECK(metrics.find("oidfed_redis_up 1") != std::string::npos);
}
