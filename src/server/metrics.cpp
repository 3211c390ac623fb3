#include "server/metrics.h"

#include <charconv>

namespace oidfed::server {

namespace {

std::string number(double value)
{
    // Shortest text that reads back as the same double.
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

void family(std::string &out, std::string_view name, std::string_view type, std::string_view help)
{
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void labelled(std::string &out, std::string_view name, std::string_view label, const std::map<std::string, std::uint64_t> &values)
{
    for (const auto &[value, count] : values)
        out.append(name).append("{").append(label).append("=\"").append(value).append("\"} ").append(std::to_string(count)).append("\n");
}

// A label value in the exposition format: backslash, double quote and line
// feed escaped.
std::string labelValue(std::string_view value)
{
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

} // namespace

void Metrics::countRequest(std::string_view endpoint, int status, std::chrono::nanoseconds duration)
{
    double seconds = std::chrono::duration<double>(duration).count();
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(endpoint), status}];
    Histogram &histogram = durations_[std::string(endpoint)];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i])
            ++histogram.buckets[i];
    ++histogram.count;
    histogram.sum += seconds;
}

void Metrics::countResolve(std::string_view source)
{
    std::lock_guard lock(mutex_);
    ++resolves_[std::string(source)];
}

void Metrics::countResolveFailure(std::string_view reason)
{
    std::lock_guard lock(mutex_);
    ++failures_[std::string(reason)];
}

void Metrics::countResolveAlarm(std::string_view kind)
{
    std::lock_guard lock(mutex_);
    ++alarms_[std::string(kind)];
}

void Metrics::countClientLimited(std::string_view reason)
{
    std::lock_guard lock(mutex_);
    ++clientLimited_[std::string(reason)];
}

void Metrics::countRegistration(std::string_view outcome)
{
    std::lock_guard lock(mutex_);
    ++registrations_[std::string(outcome)];
}

void Metrics::countTrustApi(std::string_view call, std::string_view outcome)
{
    std::lock_guard lock(mutex_);
    ++trustApiCalls_[std::pair<std::string, std::string>(call, outcome)];
}

void Metrics::countRegistrationRemoved(std::string_view reason)
{
    std::lock_guard lock(mutex_);
    ++registrationsRemoved_[std::string(reason)];
}

void Metrics::countReload(bool ok)
{
    std::lock_guard lock(mutex_);
    ++reloads_[ok ? "ok" : "failed"];
}

std::string Metrics::render(const std::map<std::string, double> &gauges, const CacheStats *redis,
                            const std::vector<GaugeFamily> &families) const
{
    std::string out;
    std::lock_guard lock(mutex_);
    family(out, "oidfed_http_requests_total", "counter", "HTTP requests by endpoint and status.");
    for (const auto &[key, count] : requests_)
        out.append("oidfed_http_requests_total{endpoint=\"").append(key.first).append("\",status=\"")
            .append(std::to_string(key.second)).append("\"} ").append(std::to_string(count)).append("\n");

    family(out, "oidfed_http_request_duration_seconds", "histogram", "Time to answer a request, by endpoint.");
    for (const auto &[endpoint, histogram] : durations_) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            out.append("oidfed_http_request_duration_seconds_bucket{endpoint=\"").append(endpoint).append("\",le=\"")
                .append(number(kBuckets[i])).append("\"} ").append(std::to_string(histogram.buckets[i])).append("\n");
        out.append("oidfed_http_request_duration_seconds_bucket{endpoint=\"").append(endpoint)
            .append("\",le=\"+Inf\"} ").append(std::to_string(histogram.count)).append("\n");
        out.append("oidfed_http_request_duration_seconds_sum{endpoint=\"").append(endpoint).append("\"} ")
            .append(number(histogram.sum)).append("\n");
        out.append("oidfed_http_request_duration_seconds_count{endpoint=\"").append(endpoint).append("\"} ")
            .append(std::to_string(histogram.count)).append("\n");
    }

    family(out, "oidfed_resolve_total", "counter", "Resolve requests by where the answer came from.");
    labelled(out, "oidfed_resolve_total", "source", resolves_);
    family(out, "oidfed_resolve_failures_total", "counter", "Failed resolutions by reason.");
    labelled(out, "oidfed_resolve_failures_total", "reason", failures_);
    family(out, "oidfed_resolve_alarms_total", "counter",
           "Alarms raised by resolutions, by kind (anchor_key_mismatch: the anchor publishes keys other than the pinned ones).");
    labelled(out, "oidfed_resolve_alarms_total", "kind", alarms_);
    family(out, "oidfed_resolve_on_demand_rejected_total", "counter",
           "Resolutions refused because the on-demand concurrency limit was reached.");
    out.append("oidfed_resolve_on_demand_rejected_total ").append(std::to_string(onDemandRejected_.load())).append("\n");
    family(out, "oidfed_resolve_client_limited_total", "counter",
           "Resolutions on demand refused (429) because one client reached its own limit, by limit.");
    labelled(out, "oidfed_resolve_client_limited_total", "reason", clientLimited_);
    family(out, "oidfed_registrations_total", "counter",
           "Explicit registration requests, by outcome (registered, or the error code of the refusal).");
    labelled(out, "oidfed_registrations_total", "outcome", registrations_);
    family(out, "oidfed_registrations_removed_total", "counter",
           "Registered clients removed from the client store, by reason (expired, replaced).");
    labelled(out, "oidfed_registrations_removed_total", "reason", registrationsRemoved_);
    family(out, "oidfed_trust_api_calls_total", "counter",
           "Trust API calls, by call (client, request_object, client_assertion) and outcome (ok, unauthenticated, "
           "caller_limited, too_large, unsupported_media_type, or the error code of the refusal).");
    for (const auto &[key, count] : trustApiCalls_)
        out.append("oidfed_trust_api_calls_total{call=\"").append(key.first).append("\",outcome=\"")
            .append(key.second).append("\"} ").append(std::to_string(count)).append("\n");
    family(out, "oidfed_http_connections_open", "gauge", "HTTP connections open and holding a slot.");
    out.append("oidfed_http_connections_open ").append(std::to_string(connectionsOpen_.load())).append("\n");
    family(out, "oidfed_http_connections_refused_total", "counter",
           "HTTP connections refused (503) because max_connections were open.");
    out.append("oidfed_http_connections_refused_total ").append(std::to_string(connectionsRefused_.load())).append("\n");
    family(out, "oidfed_upstream_fetches_total", "counter", "Statements resolutions needed beyond memory (fetched, from the shared cache, or joined in flight).");
    out.append("oidfed_upstream_fetches_total ").append(std::to_string(fetches_.load())).append("\n");
    family(out, "oidfed_reloads_total", "counter", "Reloads of keys and subordinates (SIGHUP), by result.");
    labelled(out, "oidfed_reloads_total", "result", reloads_);
    family(out, "oidfed_documents_resigned_total", "counter", "Statements re-signed ahead of their expiry.");
    out.append("oidfed_documents_resigned_total ").append(std::to_string(resigned_.load())).append("\n");
    for (const auto &[name, value] : gauges) {
        family(out, name, "gauge", "Current state.");
        out.append(name).append(" ").append(number(value)).append("\n");
    }
    if (redis) {
        family(out, "oidfed_redis_operations_total", "counter",
               "Shared (Redis) cache operations by outcome; timeout counts the errors that were timeouts, slow the "
               "successes over breaker_slow_threshold_ms, skipped those not tried while the breaker was open.");
        labelled(out, "oidfed_redis_operations_total", "result",
                 {{"hit", redis->hits},
                  {"miss", redis->misses},
                  {"store", redis->stores},
                  {"expired", redis->expired},
                  {"corrupt", redis->corrupt},
                  {"error", redis->errors},
                  {"timeout", redis->timeouts},
                  {"slow", redis->slow},
                  {"skipped", redis->skipped}});
        family(out, "oidfed_redis_breaker_openings_total", "counter",
               "Times the Redis circuit breaker opened (failures, timeouts or slow replies).");
        out.append("oidfed_redis_breaker_openings_total ").append(std::to_string(redis->breakerOpenings)).append("\n");
    }
    for (const GaugeFamily &gauge : families) {
        family(out, gauge.name, "gauge", gauge.help);
        for (const GaugeFamily::Series &series : gauge.series) {
            out.append(gauge.name).append("{");
            for (std::size_t i = 0; i < series.labels.size(); ++i) {
                if (i > 0)
                    out.append(",");
                out.append(series.labels[i].first).append("=\"").append(labelValue(series.labels[i].second)).append("\"");
            }
            out.append("} ").append(number(series.value)).append("\n");
        }
    }
    return out;
}

} // namespace oidfed::server
