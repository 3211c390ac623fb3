// parallelFor: the start-up work that is the same for each of thousands of
// items (parsing subordinate files, signing Subordinate Statements) spread
// over the machine's cores. Loading an authority with 100,000 subordinates
// is CPU-bound (key imports and ECDSA), and a server that starts or reloads
// on one core leaves the others idle.
//
// Items are handed out in blocks from a shared counter, so a thread slowed
// down by other load on the machine simply takes fewer blocks.
#pragma once

#include <cstddef>
#include <functional>

namespace oidfed::entity {

/// Calls `work(begin, end)` on disjoint ranges that together cover
/// [0, count), each at most `block` items (block >= 1), on up to one thread
/// per hardware thread (the calling thread is one of them; no more threads
/// than blocks), and returns when every range is done. `work` must be safe
/// to call from several threads at once on different ranges. If `work`
/// throws, the remaining blocks are skipped and the first exception is
/// rethrown here once every thread has stopped. When no thread can be
/// started, everything runs on the calling thread.
void parallelFor(std::size_t count, std::size_t block, const std::function<void(std::size_t, std::size_t)> &work);

} // namespace oidfed::entity
