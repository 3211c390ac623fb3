/// oidfed::FetchOptions — every tunable of the outbound HTTP fetcher.
///
/// One plain struct with a default, a unit and a rationale beside each field
/// (threats A01-A15 in shared/reference/threats.md). validateFetchOptions()
/// checks the ranges; makeCurlFetcher() calls it, then copies the options
/// into the Fetcher; changing them afterwards has no effect on that Fetcher.
/// A plain value; share freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <oidfed/result.h>

namespace oidfed {

struct FetchOptions {
    /// Time allowed to establish the TCP connection and the TLS handshake.
    /// Range: 1 ms .. totalTimeout, and at most 1 min. Threat A09/U1.
    std::chrono::milliseconds connectTimeout{3000};

    /// Hard deadline for one whole transfer, from the start of name resolution
    /// to the last body byte. A server that trickles bytes does not extend it
    /// (threat A09/U4). A FetchRequest may ask for less, never for more. Time
    /// spent waiting for a per-host slot (maxTransfersPerHost) counts too.
    /// Range: 1 ms .. 10 min.
    std::chrono::milliseconds totalTimeout{5000};

    /// Largest response body accepted, in bytes. A larger Content-Length is
    /// refused before the body is read, and a body that grows past it (chunked
    /// or lying about its length) is aborted as soon as the cap is crossed; the
    /// body is never buffered beyond the cap (threat A10/U5/U6).
    /// Range: 1 KiB .. 16 MiB (no statement is smaller; the largest JSON
    /// document parsed is 1 MiB by default). Default 256 KiB.
    std::size_t maxResponseBytes = 256 * 1024;

    /// At most this many transfers of one fetchAll() call run at the same
    /// time; the rest wait for a free slot. Range: 1 .. 64 (threat A15).
    std::size_t maxConcurrentTransfers = 8;

    /// At most this many transfers of this Fetcher, across all its calls and
    /// threads, run to one destination (scheme, host and port) at a time
    /// (threat A15: many resolutions aimed at one slow host). A transfer
    /// beyond it waits for a slot; the wait is taken from its own timeout,
    /// and Timeout is the result when no slot frees up in time. Range:
    /// 1 .. 1024. Default 32.
    std::size_t maxTransfersPerHost = 32;

    /// At most this many transfers wait for a slot of one destination. The
    /// next one fails at once with Unavailable instead of queueing behind a
    /// host that does not keep up. 0: never wait. Range: 0 .. 100000.
    /// Default 256.
    std::size_t maxWaitingPerHost = 256;

    /// TEST SWITCH. Accept http:// URLs. Without it only https:// is fetched.
    /// Never set it in production.
    bool allowHttp = false;

    /// TEST SWITCH. Permit connections to loopback addresses (127.0.0.0/8,
    /// ::1, and ::ffff:127.0.0.0/104). Every other non-public destination
    /// stays refused. Never set it in production.
    bool allowLoopback = false;

    /// CIDR blocks ("10.20.0.0/16", "fd12:3456::/48", a bare address means a
    /// single host) whose addresses may be connected to although they are not
    /// public, e.g. a federation on an internal network. Public addresses are
    /// always permitted; unspecified (0.0.0.0, ::) and multicast addresses are
    /// always refused, whatever this list says. Default: empty.
    std::vector<std::string> allowedNetworks{};

    /// PEM file of additional trusted CA certificates (`--ca-file`). It takes
    /// the place of the system CA bundle file; the system CA directory
    /// (/etc/ssl/certs on Debian) stays trusted, so in effect it adds trust
    /// roots. Empty: the system trust store only. Peer and host name
    /// verification are always on (threat A08). The file must be readable
    /// when the Fetcher is built.
    std::string caFile{};

    /// Fixed addresses for some destinations, as curl's --resolve: each
    /// entry is "HOST:PORT:ADDRESS[,ADDRESS...]" (an IPv6 address in
    /// brackets), and connections to HOST:PORT go to these addresses, tried
    /// in order as DNS answers are, instead of what DNS says. For a
    /// federation whose names are not in DNS yet, or to reach one replica.
    /// The destination guard still checks every address (allowLoopback,
    /// allowedNetworks apply). At most 64 entries of at most 64 addresses.
    /// Default: empty.
    std::vector<std::string> resolve{};

    /// User-Agent header. Empty: "oidfed/<library version>". Printable
    /// ASCII only.
    std::string userAgent{};
};

/// Range checks of every field, without I/O (caFile is opened by
/// makeCurlFetcher(), allowedNetworks parsed there). InvalidArgument naming
/// the field in Error::claim, message "<field>: must be ...".
Result<void> validateFetchOptions(const FetchOptions &options);

} // namespace oidfed
