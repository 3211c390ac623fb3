#include <doctest/doctest.h>

#include <string>

#include <oidfed/cache_options.h>

#include "cache/redis_url.h"

using namespace oidfed;
using namespace oidfed::cache;

TEST_CASE("redis url: tcp forms")
{
    auto e = parseRedisUrl("redis://127.0.0.1:6380/2");
    REQUIRE(e);
    CHECK(e->transport == RedisEndpoint::Transport::Tcp);
    CHECK(e->host == "127.0.0.1");
    CHECK(e->port == 6380);
    CHECK(e->db == 2);
    CHECK(e->password.empty());

    e = parseRedisUrl("redis://cache.internal");
    REQUIRE(e);
    CHECK(e->host == "cache.internal");
    CHECK(e->port == 6379);
    CHECK(e->db == 0);

    e = parseRedisUrl("redis://:s%40cr%3At@[::1]:7000/");
    REQUIRE(e);
    CHECK(e->host == "::1");
    CHECK(e->port == 7000);
    CHECK(e->user.empty());
    CHECK(e->password == "s@cr:t");
    CHECK(describeRedisEndpoint(*e) == "redis://[::1]:7000");

    e = parseRedisUrl("redis://oidfed:pw@h:1/15");
    REQUIRE(e);
    CHECK(e->user == "oidfed");
    CHECK(e->password == "pw");
    CHECK(describeRedisEndpoint(*e) == "redis://h:1/15");
}

TEST_CASE("redis url: unix sockets")
{
    auto e = parseRedisUrl("unix:///run/redis/redis.sock");
    REQUIRE(e);
    CHECK(e->transport == RedisEndpoint::Transport::Unix);
    CHECK(e->socketPath == "/run/redis/redis.sock");
    CHECK(e->db == 0);

    e = parseRedisUrl("unix://:pw@/tmp/r.sock?db=3");
    REQUIRE(e);
    CHECK(e->socketPath == "/tmp/r.sock");
    CHECK(e->password == "pw");
    CHECK(e->db == 3);
    CHECK(describeRedisEndpoint(*e) == "unix:///tmp/r.sock?db=3");
}

TEST_CASE("redis url: refusals never echo the password")
{
    for (const char *bad : {"", "http://h", "rediss://h:6379", "redis://", "redis://:6379", "redis://h:", "redis://h:0",
                            "redis://h:65536", "redis://h:x", "redis://h/x", "redis://h/-1", "redis://h?db=1",
                            "redis://h#f", "redis://user@h", "redis://:@h", "redis://:%zz@h", "redis://[::1",
                            "redis://[::1]x", "redis://h h", "unix://", "unix://host/path", "unix:///",
                            "unix:///p?x=1", "redis://:hunter2%@h"}) {
        CAPTURE(bad);
        auto e = parseRedisUrl(bad);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == ErrorCode::InvalidArgument);
        CHECK(e.error().message.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("redis url: Sentinel addresses are host[:port] with the Sentinel port by default")
{
    auto a = parseRedisAddress("10.0.0.1", kDefaultSentinelPort);
    REQUIRE(a);
    CHECK(a->host == "10.0.0.1");
    CHECK(a->port == 26379);
    CHECK(a->password.empty());
    a = parseRedisAddress("[fd00::1]:26380", kDefaultSentinelPort);
    REQUIRE(a);
    CHECK(a->host == "fd00::1");
    CHECK(a->port == 26380);
    a = parseRedisAddress("sentinel-2.internal:1", kDefaultSentinelPort);
    REQUIRE(a);
    CHECK(a->host == "sentinel-2.internal");
    CHECK(a->port == 1);
    for (const char *bad : {"", ":26379", "host:", "host:0", "host:65536", "host:x", "redis://host", "u:p@host",
                            "host/1", "[::1", "[::1]x", "ho st"}) {
        CAPTURE(bad);
        auto refused = parseRedisAddress(bad, kDefaultSentinelPort);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == ErrorCode::InvalidArgument);
    }
}

TEST_CASE("redis cache options: sentinel fields are checked, each refusal naming its field")
{
    RedisCacheOptions o;
    RedisSentinelOptions s;
    s.addresses = {"127.0.0.1:26379", "127.0.0.1:26380", "[::1]"};
    s.masterName = "oidfed";
    o.sentinel = s;
    CHECK(validateRedisCacheOptions(o));

    struct Case {
        const char *name;
        void (*change)(RedisSentinelOptions &);
        const char *claim;
    };
    const Case cases[] = {
        {"no address", [](RedisSentinelOptions &x) { x.addresses.clear(); }, "sentinel.addresses"},
        {"17 addresses",
         [](RedisSentinelOptions &x) {
             x.addresses.clear();
             for (int i = 0; i < 17; ++i)
                 x.addresses.push_back("127.0.0.1:" + std::to_string(26000 + i));
         },
         "sentinel.addresses"},
        {"a bad address", [](RedisSentinelOptions &x) { x.addresses[1] = "127.0.0.1:99999"; }, "sentinel.addresses"},
        {"an address twice", [](RedisSentinelOptions &x) { x.addresses[2] = x.addresses[0]; }, "sentinel.addresses"},
        {"no master name", [](RedisSentinelOptions &x) { x.masterName.clear(); }, "sentinel.masterName"},
        {"a master name with a space", [](RedisSentinelOptions &x) { x.masterName = "my master"; },
         "sentinel.masterName"},
        {"a master name over 256 bytes", [](RedisSentinelOptions &x) { x.masterName.assign(257, 'm'); },
         "sentinel.masterName"},
        {"a negative db", [](RedisSentinelOptions &x) { x.db = -1; }, "sentinel.db"},
        {"a db over the URL's bound", [](RedisSentinelOptions &x) { x.db = kMaxRedisDb + 1; }, "sentinel.db"},
        {"a master user without a password", [](RedisSentinelOptions &x) { x.masterUser = "oidfed"; },
         "sentinel.masterUser"},
        {"a sentinel user without a password", [](RedisSentinelOptions &x) { x.user = "watcher"; }, "sentinel.user"},
    };
    for (const Case &c : cases) {
        CAPTURE(c.name);
        RedisCacheOptions changed = o;
        c.change(*changed.sentinel);
        auto checked = validateRedisCacheOptions(changed);
        REQUIRE_FALSE(checked);
        CHECK(checked.error().code == ErrorCode::InvalidArgument);
        CHECK(checked.error().claim == c.claim);
    }

    // A password never appears in a refusal.
    RedisCacheOptions secret = o;
    secret.sentinel->masterPassword = "hunter2-master";
    secret.sentinel->password = "hunter2-sentinel";
    secret.sentinel->addresses[0] = "bad address";
    auto refused = validateRedisCacheOptions(secret);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("hunter2") == std::string::npos);
}
