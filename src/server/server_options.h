// ServerOptions and ResolveEndpointOptions: every tunable of `oidfed serve`
// that is not about one hosted entity, with its default and unit. Filled from
// the configuration file (server_config.h); documented field by field in
// docs/configuration.md (a test keeps the page complete). The ranges are
// those of validateServerOptions(), the only place they are written.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <oidfed/cache_options.h>
#include <oidfed/fetch_options.h>
#include <oidfed/resolver_options.h>

#include "server/admin_settings.h"
#include "server/console_settings.h"
#include "server/server_log.h"
#include <oidfed/result.h>

namespace oidfed::server {

/// How the resolve endpoint answers (spec 18.1: resolution on demand is a
/// denial-of-service surface, so it is bounded).
struct ResolveEndpointOptions {
    /// Resolve a subject that is not cached while the request waits. Off:
    /// only cached resolutions are answered (others: 404 invalid_subject).
    bool onDemand = true;
    /// Whether callers that are not authenticated (spec 8.8, the trust API's
    /// callers) may resolve on demand too. Not a member of its own: false for
    /// a resolver that crawls (resolver.crawl.anonymous_on_demand).
    bool anonymousOnDemand = true;
    /// Resolutions on demand running at once, over all resolver entities;
    /// further requests get 503 temporarily_unavailable. Range 1..1024.
    std::size_t maxConcurrentOnDemand = 4;
    /// Resolutions on demand one client (an IPv4 address, or an IPv6 /64)
    /// may have running at once, so that one client cannot take the whole
    /// maxConcurrentOnDemand; further requests of that client get 429
    /// temporarily_unavailable with Retry-After (threat B07). Range 1..1024.
    std::size_t maxOnDemandPerClient = 2;
    /// Resolutions on demand one client may start per second on average
    /// (a token bucket refilled at this rate); beyond it: 429 with
    /// Retry-After. 0: no rate limit (the concurrency limits still apply).
    /// Range 0..100,000.
    std::size_t onDemandPerClientRate = 10;
    /// Resolutions on demand one client may start in a burst (the bucket's
    /// size; a client seen for the first time has a full bucket). Range
    /// 1..100,000.
    std::size_t onDemandPerClientBurst = 20;
    /// Clients whose limits are remembered at once; the least recently seen
    /// one without a resolution in progress is forgotten first (its bucket
    /// starts full again). Bounds the limiter's memory (about 150 bytes per
    /// client). Range 1..10,000,000.
    std::size_t maxTrackedClients = 10000;
    /// Signed resolve responses kept, ready to send; least recently used
    /// first out. Range 0..10,000,000.
    std::size_t responseCacheMaxEntries = 100000;
    /// Longest a signed resolve response is reused (its iat ages by at most
    /// this much). Range 1 s..1 day.
    std::chrono::seconds responseCacheTtl{300};
};

/// The server's log (server_log.h), from "log".
struct LogOptions {
    /// Line format: text (RFC 3339 time, "oidfed: level: text") or json
    /// (one object per line, for log shippers).
    LogFormat format = LogFormat::Text;
};

struct ServerOptions {
    /// Listen address: an IPv4 address or a host name. From "listen".
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 8080;
    /// HTTP worker threads. 0: one per hardware thread (at least 2).
    /// Range 0..256.
    std::size_t threads = 0;
    /// Largest request accepted (request line, headers and body). Range
    /// 1 KiB..1 MiB.
    std::size_t maxRequestBytes = 65536;
    /// Time a client has to send its request headers (slowloris, threat
    /// K11). Range 100 ms..1 min.
    std::chrono::milliseconds headerTimeout{5000};
    /// Open HTTP connections at once (threat K11). A connection beyond it is
    /// answered at once with 503 temporarily_unavailable, `Connection:
    /// close` and Retry-After, and closed without reading a request; the
    /// open ones are not affected. Keep it below the process's open-file
    /// limit (`ulimit -n`) minus what Redis and outbound fetches need.
    /// Range 1..1,000,000.
    std::size_t maxConnections = 512;
    /// How often statements are re-signed ahead of their expiry and due
    /// work is done. Range 1 s..1 h.
    std::chrono::seconds refreshInterval{60};
    /// How long before something that is not renewed by itself expires (a
    /// delegation file, a retired key, a pinned anchor key) a warning is
    /// logged, once per item. Range 1 h..365 days.
    std::chrono::seconds expiryWarning{14 * 86400};
    /// Test switch: http:// Entity Identifiers (hosted and fetched).
    bool allowHttp = false;
    /// Outbound fetches of the resolver (allowLoopback is the test switch
    /// for federations on 127.0.0.1).
    FetchOptions fetch{};
    /// Limits of every resolution; resolveDeadline bounds a request's
    /// on-demand resolution.
    ResolverOptions resolver{};
    ResolveEndpointOptions resolveEndpoint{};
    /// The shared Redis cache, when configured ("redis").
    std::optional<RedisCacheOptions> redis{};
    LogOptions log{};
    /// The admin API, when configured ("admin"; off by default).
    std::optional<AdminSettings> admin{};
    /// The web console, when configured ("console"; off by default).
    std::optional<ConsoleSettings> console{};
};

/// Range checks of every field. InvalidArgument naming the field in
/// Error::claim, message "<field>: must be ...".
Result<void> validateResolveEndpointOptions(const ResolveEndpointOptions &options);

/// Range checks of every field, those of the nested structs included
/// (validateFetchOptions, validateResolverOptions,
/// validateResolveEndpointOptions, validateRedisCacheOptions), whose fields
/// are named "fetch.connectTimeout", "resolveEndpoint.onDemand" and so on.
/// FederationService::create() calls it.
Result<void> validateServerOptions(const ServerOptions &options);

} // namespace oidfed::server
