// resolve_bench — the resolver's own cost, network excluded: a federation of
// 1 trust anchor, 10 intermediates and N leaves (ES256) held in memory by an
// in-process Fetcher, so the figures are parsing, signature verification,
// policy and caching alone (the full HTTP runs are the benchmark issue's).
//
//   resolve_bench [--benchmark_* flags]
//
// BM_ColdResolve: each iteration resolves a leaf never resolved before; the
//   intermediates' statements are shared, as in `oidfed resolve --batch`.
// BM_CachedResolve: the same leaf again (an in-process cache hit).

#include <string>

#include <benchmark/benchmark.h>

#include "memory_federation.h"

namespace {

using namespace oidfed;
using bench::must;

constexpr int kIntermediates = 10;
constexpr int kLeaves = 20000;

bench::MemoryFederation &federation()
{
    static auto *f = new bench::MemoryFederation(kIntermediates, kLeaves);  // built once, never destroyed
    return *f;
}

void BM_ColdResolve(benchmark::State &state)
{
    bench::MemoryFederation &f = federation();
    auto clock = makeFixedClock(f.now);
    auto resolver = must(Resolver::create({}, f.anchors, {f.fetcher, *clock}));
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == f.leaves.size()) {
            state.SkipWithError("ran out of distinct leaves");
            break;
        }
        auto outcome = resolver->resolve({.subject = f.leaves[next++]});
        if (!outcome.chain) {
            state.SkipWithError(outcome.chain.error().describe().c_str());
            break;
        }
        benchmark::DoNotOptimize(outcome);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_CachedResolve(benchmark::State &state)
{
    bench::MemoryFederation &f = federation();
    auto clock = makeFixedClock(f.now);
    auto resolver = must(Resolver::create({}, f.anchors, {f.fetcher, *clock}));
    ResolveRequest request{.subject = f.leaves[0]};
    if (!resolver->resolve(request).chain) {
        state.SkipWithError("first resolution failed");
        return;
    }
    for (auto _ : state) {
        auto outcome = resolver->resolve(request);
        benchmark::DoNotOptimize(outcome);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_ColdResolve)->Iterations(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedResolve)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
