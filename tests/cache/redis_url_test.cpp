#include <doctest/doctest.h>

#include <string>

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
