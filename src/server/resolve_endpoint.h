// ResolveEndpoint: the federation_resolve_endpoint of one hosted entity
// (spec 8.3), answering from signed responses kept ready, then from the
// resolver's caches, and resolving on demand only within the configured
// concurrency limit and deadline (spec 18.1).
//
// A signed response is reused for at most responseCacheTtl and never past
// the chain's expiry (nor past the status cache time when it carries a
// status-checked trust mark); it is keyed by the subject, the requested anchors in
// order and the set of requested entity types. Thread-safe.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <oidfed/clock.h>
#include <oidfed/resolver.h>

#include "entity/hosted_entity.h"
#include "server/client_limiter.h"
#include "server/http_message.h"
#include "server/metrics.h"
#include "server/query_params.h"
#include "server/server_options.h"

namespace oidfed::server {

/// Shared by every resolve endpoint of a server: the on-demand limit is
/// global.
struct OnDemandGate {
    std::atomic<std::size_t> running{0};
};

/// Holds one slot of an OnDemandGate while it lives (when one was free
/// under `limit`): a resolution on demand, or an explicit registration,
/// which resolves the RP on demand too.
class OnDemandSlot {
public:
    OnDemandSlot(OnDemandGate &gate, std::size_t limit) : gate_(gate)
    {
        std::size_t running = gate_.running.load();
        while (running < limit && !gate_.running.compare_exchange_weak(running, running + 1)) {
        }
        acquired_ = running < limit;
    }
    ~OnDemandSlot()
    {
        if (acquired_)
            gate_.running.fetch_sub(1);
    }
    OnDemandSlot(const OnDemandSlot &) = delete;
    OnDemandSlot &operator=(const OnDemandSlot &) = delete;
    bool acquired() const noexcept { return acquired_; }

private:
    OnDemandGate &gate_;
    bool acquired_ = false;
};

class ResolveEndpoint {
public:
    /// What every resolve endpoint of a server shares; must outlive it.
    struct Shared {
        OnDemandGate &gate;
        ClientLimiter &clients;  ///< per-client limits of resolution on demand
        Metrics &metrics;
    };

    /// `marks`: a response whose chain carries a mark of a status-checked
    /// type is reused for at most marks.statusCacheTtl, so that a revocation
    /// reaches answers as soon as the resolver sees it.
    ResolveEndpoint(std::shared_ptr<const entity::HostedEntity> self, std::unique_ptr<Resolver> resolver,
                    const ResolveEndpointOptions &options, const TrustMarkVerificationOptions &marks, Shared shared);

    /// The budget of a caller that authenticated (spec 8.8, the entity's
    /// trust API callers): its own limiter and key, instead of its address's.
    struct CallerBudget {
        ClientLimiter &limiter;
        std::string_view key;
    };

    /// `clientAddress`: the requester's address (HttpRequest); a
    /// resolution on demand counts against its per-client limits, unless it
    /// is empty (a request from inside the process) or `caller` is given
    /// (then against the caller's).
    HttpResponse handle(const QueryParams &params, UnixTime now, std::string_view ifNoneMatch,
                        std::string_view clientAddress = {}, const CallerBudget *caller = nullptr);

    Resolver &resolver() noexcept { return *resolver_; }

private:
    struct Entry {
        entity::DocumentPtr document;
        UnixTime reuseUntil = 0;
        std::list<std::string>::iterator lru;
    };

    struct Reusable {
        entity::DocumentPtr document;
        UnixTime reuseUntil = 0;
    };
    std::optional<Reusable> lookup(const std::string &key, UnixTime now);
    void store(const std::string &key, entity::DocumentPtr document, UnixTime reuseUntil);
    HttpResponse failure(const Error &error);

    std::shared_ptr<const entity::HostedEntity> self_;  ///< signs the responses
    std::unique_ptr<Resolver> resolver_;
    ResolveEndpointOptions options_;
    TrustMarkVerificationOptions marks_;
    OnDemandGate &gate_;
    ClientLimiter &clients_;
    Metrics &metrics_;

    std::mutex mutex_;
    std::unordered_map<std::string, Entry> responses_;
    std::list<std::string> order_;  ///< most recently used first
};

} // namespace oidfed::server
