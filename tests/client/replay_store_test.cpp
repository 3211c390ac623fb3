// The jti replay stores (spec 12.1.1.1, RFC 7523 3): the in-process store's
// bound (expired jtis go first; full of unexpired ones it refuses rather than
// forgets), and the shared store over a Cache, which fails closed when its
// backend cannot answer. The Redis half is replay_store_redis_test.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/replay_store.h>

#include "background_process.h"

using namespace oidfed;
using namespace std::chrono_literals;

namespace {

constexpr UnixTime kNow = 1'767'800'000;

std::unique_ptr<ReplayStore> memoryStore(ReplayStoreOptions options = {})
{
    auto store = makeMemoryReplayStore(options);
    REQUIRE(store);
    return std::move(store).value();
}

bool firstUse(ReplayStore &store, std::string_view scope, std::string_view jti, UnixTime exp, UnixTime now = kNow)
{
    auto used = store.firstUse(scope, jti, exp, now);
    REQUIRE(used);
    return *used;
}

} // namespace

TEST_CASE("memory replay store: a jti is single use within its scope until its JWT expires")
{
    auto store = memoryStore();
    CHECK(firstUse(*store, "op|rp", "jti-1", kNow + 60));
    CHECK_FALSE(firstUse(*store, "op|rp", "jti-1", kNow + 60, kNow + 1));
    CHECK_FALSE(firstUse(*store, "op|rp", "jti-1", kNow + 120, kNow + 59));  // another exp does not help
    CHECK(firstUse(*store, "op|other-rp", "jti-1", kNow + 60));              // scopes are apart
    CHECK(firstUse(*store, "op|rp", "jti-2", kNow + 60));
    // Once the JWT has expired it is refused for its exp anyway; the jti may go.
    CHECK(firstUse(*store, "op|rp", "jti-1", kNow + 200, kNow + 60));
}

TEST_CASE("memory replay store: full of unexpired jtis it refuses; expired ones make room first")
{
    auto store = memoryStore({.maxEntries = 2, .maxLifetime = 3600s});
    CHECK(firstUse(*store, "s", "a", kNow + 10));
    CHECK(firstUse(*store, "s", "b", kNow + 100));
    auto full = store->firstUse("s", "c", kNow + 100, kNow);
    REQUIRE_FALSE(full);
    CHECK(full.error().code == ErrorCode::Unavailable);
    CHECK(full.error().claim == "jti");
    // Nothing was forgotten to make room: both are still replays.
    CHECK_FALSE(firstUse(*store, "s", "a", kNow + 10, kNow + 5));
    CHECK_FALSE(firstUse(*store, "s", "b", kNow + 100, kNow + 5));
    // "a" expires: room for "c", and "b" is still remembered.
    CHECK(firstUse(*store, "s", "c", kNow + 100, kNow + 10));
    CHECK_FALSE(firstUse(*store, "s", "b", kNow + 100, kNow + 11));
}

TEST_CASE("replay stores: an empty jti, an expired JWT and one beyond maxLifetime are refused, not recorded")
{
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    auto shared = makeCacheReplayStore(**memory, {.maxEntries = 10, .maxLifetime = 600s});
    REQUIRE(shared);
    auto inProcess = memoryStore({.maxEntries = 10, .maxLifetime = 600s});
    for (ReplayStore *store : {inProcess.get(), shared->get()}) {
        auto empty = store->firstUse("s", "", kNow + 60, kNow);
        REQUIRE_FALSE(empty);
        CHECK(empty.error().code == ErrorCode::InvalidArgument);
        CHECK(empty.error().claim == "jti");
        auto expired = store->firstUse("s", "x", kNow, kNow);
        REQUIRE_FALSE(expired);
        CHECK(expired.error().claim == "exp");
        auto tooLong = store->firstUse("s", "x", kNow + 601, kNow);
        REQUIRE_FALSE(tooLong);
        CHECK(tooLong.error().code == ErrorCode::InvalidArgument);
        CHECK(tooLong.error().claim == "exp");
        CHECK(firstUse(*store, "s", "x", kNow + 600));  // none of the refusals recorded it
    }
}

TEST_CASE("replay stores: racing threads, exactly one first use")
{
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    auto shared = makeCacheReplayStore(**memory);
    REQUIRE(shared);
    auto inProcess = memoryStore();
    for (ReplayStore *store : {inProcess.get(), shared->get()}) {
        std::atomic<int> winners{0};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i)
            threads.emplace_back([&] {
                auto used = store->firstUse("s", "raced", kNow + 60, kNow);
                if (!used)
                    ++failures;
                else if (*used)
                    ++winners;
            });
        for (auto &t : threads)
            t.join();
        CHECK(winners.load() == 1);
        CHECK(failures.load() == 0);
    }
}

TEST_CASE("shared replay store: Redis unreachable fails closed (temporarily_unavailable), never a first use")
{
    RedisCacheOptions options;
    options.url = "redis://127.0.0.1:" + std::to_string(test::freeLoopbackPort());
    options.connectTimeout = 200ms;
    options.commandTimeout = 200ms;
    auto redis = makeRedisCache(options);
    REQUIRE(redis);
    auto store = makeCacheReplayStore(**redis);
    REQUIRE(store);
    for (int attempt = 0; attempt < 3; ++attempt) {  // connection refused, then the open breaker
        auto used = (*store)->firstUse("op|rp", "jti-1", kNow + 60, kNow);
        REQUIRE_FALSE(used);
        CHECK(used.error().code == ErrorCode::Unavailable);
        CHECK(specErrorCode(used.error().code) == "temporarily_unavailable");
        CHECK(used.error().claim == "jti");
    }
}

TEST_CASE("ReplayStoreOptions ranges")
{
    CHECK(validateReplayStoreOptions({}));
    auto refused = validateReplayStoreOptions({.maxEntries = 0});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "maxEntries");
    refused = validateReplayStoreOptions({.maxEntries = 10, .maxLifetime = 0s});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "maxLifetime");
    CHECK_FALSE(makeMemoryReplayStore({.maxEntries = 0}));
}
