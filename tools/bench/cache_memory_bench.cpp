// cache_memory_bench — resident memory per cached resolution (PRODUCT.md 5:
// at most 8 KiB per cached resolution at 100,000 cached leaves, memory cache).
//
//   cache_memory_bench [LEAVES] [REDIS_URL]
//
// Builds a MemoryFederation (1 trust anchor, 10 intermediates, LEAVES leaves,
// default 100,000; ES256) in memory, then measures the process's resident
// set (VmRSS, after malloc_trim) before and after resolving every leaf once
// with an in-process chain cache large enough to keep them all, and prints
// the difference divided by LEAVES. That difference is everything the
// resolver keeps for those resolutions: cached chains, their keys and LRU
// links, and the parsed statements of the statement cache (bounded by
// statementCacheMaxEntries, default 10,000).
//
// With REDIS_URL (e.g. redis://127.0.0.1:6399), the resolver also writes to
// that Redis as its shared cache; Redis's used_memory growth per leaf is
// printed too (read with redis-cli). Run it on an empty Redis database.
//
// A second pass resolves every leaf again and checks each answer comes from
// the in-process cache, so the figure is for cached resolutions indeed.

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/cache_options.h>

#include "memory_federation.h"

namespace {

using namespace oidfed;

long residentKiB()
{
    malloc_trim(0);
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

long redisUsedMemory(const std::string &url)
{
    std::string command = "redis-cli -u '" + url + "' INFO memory 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE *)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe)
        return -1;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe.get())) {
        std::string line(buffer);
        if (line.rfind("used_memory:", 0) == 0)
            return std::stol(line.substr(12));
    }
    return -1;
}

// Resolves every leaf on `threads` threads; returns how many answers came
// from `expectedSource` ("" accepts any valid answer).
std::size_t resolveAll(Resolver &resolver, const std::vector<std::string> &leaves, const std::string &expectedSource)
{
    std::atomic<std::size_t> next{0}, matching{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < leaves.size(); i = next++) {
            ResolveOutcome outcome = resolver.resolve({.subject = leaves[i]});
            if (!outcome.chain)
                bench::dieWith(outcome.chain.error());
            if (expectedSource.empty() || outcome.report.source == expectedSource)
                ++matching;
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
        threads.emplace_back(worker);
    for (auto &thread : threads)
        thread.join();
    return matching;
}

} // namespace

int main(int argc, char **argv)
{
    const int leafCount = argc > 1 ? std::stoi(argv[1]) : 100000;
    const std::string redisUrl = argc > 2 ? argv[2] : "";
    if (leafCount < 1) {
        std::fprintf(stderr, "usage: cache_memory_bench [LEAVES] [REDIS_URL]\n");
        return 2;
    }
    std::printf("parameters: 1 trust anchor, 10 intermediates, %d leaves, ES256, %s\n", leafCount,
                redisUrl.empty() ? "in-process cache only" : ("shared cache " + redisUrl).c_str());
    std::fflush(stdout);
    bench::MemoryFederation federation(10, leafCount);
    auto clock = makeFixedClock(federation.now);

    std::unique_ptr<Cache> shared;
    if (!redisUrl.empty()) {
        RedisCacheOptions redis;
        redis.url = redisUrl;
        shared = bench::must(makeRedisCache(redis));
    }
    ResolverOptions options;
    options.cacheMaxEntries = static_cast<std::size_t>(leafCount);
    auto resolver = bench::must(Resolver::create(options, federation.anchors, {federation.fetcher, *clock, shared.get()}));

    const long redisBefore = redisUrl.empty() ? 0 : redisUsedMemory(redisUrl);
    const long before = residentKiB();
    auto start = std::chrono::steady_clock::now();
    resolveAll(*resolver, federation.leaves, "");
    double coldSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const long after = residentKiB();
    const long redisAfter = redisUrl.empty() ? 0 : redisUsedMemory(redisUrl);

    start = std::chrono::steady_clock::now();
    std::size_t cached = resolveAll(*resolver, federation.leaves, "cache");
    double cachedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::printf("resolved %d leaves cold in %.2f s; again in %.3f s, %zu of them from the in-process cache\n",
                leafCount, coldSeconds, cachedSeconds, cached);
    std::printf("resident before %ld KiB, after %ld KiB: %.2f KiB per cached resolution\n", before, after,
                static_cast<double>(after - before) / leafCount);
    if (!redisUrl.empty())
        std::printf("redis used_memory grew %.2f KiB per resolution\n",
                    static_cast<double>(redisAfter - redisBefore) / 1024.0 / leafCount);
    return cached == static_cast<std::size_t>(leafCount) ? 0 : 1;
}
