#include "entity/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace oidfed::entity {

void parallelFor(std::size_t count, std::size_t block, const std::function<void(std::size_t, std::size_t)> &work)
{
    block = std::max<std::size_t>(block, 1);
    const std::size_t blocks = (count + block - 1) / block;
    const std::size_t threads = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), blocks);

    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::exception_ptr error;  // guarded by errorMutex: the first exception
    auto run = [&] {
        for (;;) {
            const std::size_t begin = next.fetch_add(block);
            if (begin >= count || failed.load())
                return;
            try {
                work(begin, std::min(count, begin + block));
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!error)
                    error = std::current_exception();
                failed = true;
                return;
            }
        }
    };

    std::vector<std::thread> helpers;
    for (std::size_t i = 1; i < threads; ++i) {
        try {
            helpers.emplace_back(run);
        } catch (const std::system_error &) {
            break;  // no more threads: the ones started (and this one) do the rest
        }
    }
    run();
    for (std::thread &helper : helpers)
        helper.join();
    if (error)
        std::rethrow_exception(error);
}

} // namespace oidfed::entity
