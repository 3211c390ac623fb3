// parallelFor: every index exactly once, in ranges of at most `block`, on
// several threads when there are blocks enough; exceptions come back to the
// caller; the empty range calls nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "entity/parallel_for.h"

using oidfed::entity::parallelFor;

TEST_CASE("parallelFor covers every index once, in blocks of at most the given size")
{
    for (std::size_t count : {0u, 1u, 7u, 64u, 1000u, 4097u}) {
        for (std::size_t block : {0u, 1u, 3u, 64u, 10000u}) {
            CAPTURE(count);
            CAPTURE(block);
            std::vector<std::atomic<int>> seen(count);
            std::atomic<std::size_t> calls{0};
            std::atomic<bool> oversized{false};
            parallelFor(count, block, [&](std::size_t begin, std::size_t end) {
                if (begin >= end || end - begin > std::max<std::size_t>(block, 1) || end > count)
                    oversized = true;
                for (std::size_t i = begin; i < end; ++i)
                    ++seen[i];
                ++calls;
            });
            CHECK_FALSE(oversized.load());
            for (std::size_t i = 0; i < count; ++i)
                CHECK(seen[i].load() == 1);
            if (count == 0)
                CHECK(calls.load() == 0);
        }
    }
}

TEST_CASE("parallelFor uses more than one thread when the machine has them")
{
    if (std::thread::hardware_concurrency() < 2)
        return;
    std::mutex mutex;
    std::set<std::thread::id> threads;
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    parallelFor(64, 1, [&](std::size_t, std::size_t) {
        if (++inside > 1)
            overlapped = true;
        {
            std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
        }
        // Long enough that a second thread takes a block meanwhile.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --inside;
    });
    CHECK(threads.size() > 1);
    CHECK(threads.contains(std::this_thread::get_id()));  // the caller works too
    CHECK(overlapped.load());
}

TEST_CASE("parallelFor rethrows the first exception after every thread stopped")
{
    std::atomic<int> running{0};
    auto work = [&](std::size_t begin, std::size_t) {
        ++running;
        if (begin == 50)
            throw std::runtime_error("block 50 failed");
        --running;
    };
    CHECK_THROWS_WITH_AS(parallelFor(200, 1, work), "block 50 failed", std::runtime_error);
    CHECK(running.load() == 1);  // only the throwing block did not finish, and nothing runs any more
}
