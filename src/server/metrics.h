// Metrics: the counters and latency histograms of `oidfed serve`, rendered
// in the Prometheus text exposition format (version 0.0.4) at /metrics.
//
//   oidfed_http_requests_total{endpoint,status}
//   oidfed_http_request_duration_seconds{endpoint} (histogram)
//   oidfed_resolve_total{source}      cache / shared-cache / network /
//                                     negative-cache / miss / signed-cache
//   oidfed_resolve_failures_total{reason}   the oidfed error code name
//   oidfed_resolve_alarms_total{kind}  alarms raised by resolutions on
//                                     demand (resolveAlarmKindName, e.g.
//                                     anchor_key_mismatch: threat G03)
//   oidfed_resolve_on_demand_rejected_total  over the concurrency limit
//   oidfed_resolve_client_limited_total{reason}  over a per-client limit:
//                                     in_progress / rate / clients
//   oidfed_registrations_total{outcome}  explicit registration requests:
//                                     registered, or the spec error code
//   oidfed_registrations_removed_total{reason}  registered clients removed:
//                                     expired / replaced
//   oidfed_trust_api_calls_total{call,outcome}  trust API calls: client /
//                                     request_object / client_assertion;
//                                     ok, unauthenticated, caller_limited,
//                                     too_large, unsupported_media_type or
//                                     the spec error code
//   oidfed_http_connections_open      connections holding a slot (gauge)
//   oidfed_http_connections_refused_total  over maxConnections
//   oidfed_upstream_fetches_total     HTTP fetches made by resolutions
//   oidfed_reloads_total{result}      SIGHUP reloads: ok / failed
//   oidfed_documents_resigned_total   statements re-signed ahead of expiry
//   oidfed_redis_operations_total{result}  with Redis configured: hit /
//                                     miss / store / expired / corrupt /
//                                     error / timeout (a subset of error) /
//                                     slow / skipped (breaker open)
//   oidfed_redis_breaker_openings_total  times the Redis breaker opened
//   oidfed_item_problems{entity,kind}  items not served as configured (gauge)
//   oidfed_expiry_seconds{entity,kind}  least time left of what an entity
//                                     relies on, by kind (gauge, expiry.h)
//   oidfed_key_next_age_seconds{entity}  time a next key has been announced
//                                     without being activated (gauge)
//
// Label values come from fixed sets chosen by the server (endpoint names,
// error code names), never from request input. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oidfed/cache.h>

namespace oidfed::server {

/// A gauge with labels, rendered by Metrics::render().
struct GaugeFamily {
    std::string name{};
    std::string help{};
    struct Series {
        std::vector<std::pair<std::string, std::string>> labels{};  ///< name -> value (escaped when rendered)
        double value = 0;
    };
    std::vector<Series> series{};
};

class Metrics {
public:
    void countRequest(std::string_view endpoint, int status, std::chrono::nanoseconds duration);
    void countResolve(std::string_view source);
    void countResolveFailure(std::string_view reason);
    /// `kind`: resolveAlarmKindName() of a ResolveAlarm.
    void countResolveAlarm(std::string_view kind);
    void countOnDemandRejected() { onDemandRejected_.fetch_add(1, std::memory_order_relaxed); }
    /// `reason`: one of a fixed set ("in_progress", "rate", "clients").
    void countClientLimited(std::string_view reason);
    /// `outcome`: "registered" or a spec error code (a fixed set).
    void countRegistration(std::string_view outcome);
    /// `call` and `outcome` from fixed sets (TrustApiEndpoint::handle).
    void countTrustApi(std::string_view call, std::string_view outcome);
    /// `reason`: "expired" or "replaced".
    void countRegistrationRemoved(std::string_view reason);
    void countConnectionOpened() { connectionsOpen_.fetch_add(1, std::memory_order_relaxed); }
    void countConnectionClosed() { connectionsOpen_.fetch_sub(1, std::memory_order_relaxed); }
    void countConnectionRefused() { connectionsRefused_.fetch_add(1, std::memory_order_relaxed); }
    void countFetches(std::size_t n) { fetches_.fetch_add(n, std::memory_order_relaxed); }
    void countReload(bool ok);
    void countResigned(std::size_t n) { resigned_.fetch_add(n, std::memory_order_relaxed); }

    /// The exposition text; `gauges` are appended as they are
    /// (name -> value, e.g. readiness), then the shared cache's counters
    /// when `redis` is given, then `families` (a family without series is
    /// still declared).
    std::string render(const std::map<std::string, double> &gauges = {}, const CacheStats *redis = nullptr,
                       const std::vector<GaugeFamily> &families = {}) const;

private:
    static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                        0.01,   0.025,   0.05,   0.1,   0.5,    2.5};
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };

    mutable std::mutex mutex_;
    std::map<std::pair<std::string, int>, std::uint64_t> requests_;
    std::map<std::string, Histogram> durations_;
    std::map<std::string, std::uint64_t> resolves_;
    std::map<std::string, std::uint64_t> failures_;
    std::map<std::string, std::uint64_t> alarms_;
    std::map<std::string, std::uint64_t> reloads_;
    std::map<std::string, std::uint64_t> clientLimited_;
    std::map<std::string, std::uint64_t> registrations_;
    std::map<std::string, std::uint64_t> registrationsRemoved_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> trustApiCalls_;
    std::atomic<std::uint64_t> onDemandRejected_{0};
    std::atomic<std::int64_t> connectionsOpen_{0};
    std::atomic<std::uint64_t> connectionsRefused_{0};
    std::atomic<std::uint64_t> fetches_{0};
    std::atomic<std::uint64_t> resigned_{0};
};

} // namespace oidfed::server
