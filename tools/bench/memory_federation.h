// MemoryFederation: a federation held in memory for the resolver benchmarks
// (resolve_bench, cache_memory_bench): 1 trust anchor, K intermediates and N
// leaves, ES256, every entity its own key, a metadata policy on every
// intermediate, served by an in-process Fetcher (MapFetcher), so the figures
// are the resolver's own work with the network left out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/resolver.h>

namespace oidfed::bench {

/// Answers each URL from `bodies`; anything else is NotFound.
class MapFetcher final : public Fetcher {
public:
    std::map<std::string, std::string> bodies;
    Result<FetchResponse> fetch(const FetchRequest &request) override;
    std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) override;
};

struct MemoryFederation {
    /// Builds and signs everything; exits the process on failure.
    MemoryFederation(int intermediates, int leaves);

    MapFetcher fetcher;
    std::vector<TrustAnchor> anchors;
    std::vector<std::string> leaves;  ///< entity ids, spread over the intermediates
    UnixTime now = 1767800000;        ///< every statement is valid for a day from here
};

[[noreturn]] void dieWith(const Error &error);

/// The value, or exits the process with the error (benchmark set-up only).
template <typename T>
T must(Result<T> r)
{
    if (!r)
        dieWith(r.error());
    return std::move(r).value();
}

} // namespace oidfed::bench
