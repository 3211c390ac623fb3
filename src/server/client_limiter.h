// ClientLimiter: per-client fairness for resolution on demand (threat B07,
// spec 18.1). Each client gets at most `maxOnDemandPerClient` resolutions on
// demand in progress at once, and a token bucket of `onDemandPerClientBurst`
// tokens refilled at `onDemandPerClientRate` per second, one token per
// resolution started. So one client can neither take the whole process-wide
// gate (`maxConcurrentOnDemand`) nor use the resolver as an amplifier at
// full speed. Answers from a cache never come here: they are not limited.
//
// A client is its address as seen by the server (clientKey()): behind a
// proxy or load balancer every client is that proxy's address.
//
// State is kept for at most `maxTrackedClients` clients. A new client beyond
// it evicts the least recently seen one that has no resolution in progress;
// an evicted client starts again with a full bucket, so an attacker cycling
// through more addresses than that gets a burst per address, still bounded
// by the process-wide gate.
//
// Time is passed in (a steady clock), so the logic is tested without
// sleeping. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/server_options.h"

namespace oidfed::server {

/// The key a client address is limited under: an IPv4 address as is (also
/// in IPv4-mapped IPv6 form), an IPv6 address by its /64 prefix (one
/// subscriber's network, as RFC 6177 assigns them), anything else as given.
std::string clientKey(std::string_view address);

class ClientLimiter {
    struct Entry;

public:
    using Clock = std::chrono::steady_clock;

    enum class Verdict {
        Admitted,
        TooManyInProgress,  ///< the client's concurrency limit is reached
        RateExceeded,       ///< the client's bucket is empty
        TooManyClients,     ///< every tracked client has a resolution in progress
    };

    /// Holds one resolution in progress of one client while it lives.
    class Permit {
    public:
        Permit() = default;
        ~Permit() { release(); }
        Permit(Permit &&other) noexcept;
        Permit &operator=(Permit &&other) noexcept;
        Permit(const Permit &) = delete;
        Permit &operator=(const Permit &) = delete;

    private:
        friend class ClientLimiter;
        Permit(ClientLimiter *limiter, Entry *entry) : limiter_(limiter), entry_(entry) {}
        void release() noexcept;

        ClientLimiter *limiter_ = nullptr;
        Entry *entry_ = nullptr;  ///< the client's entry; never evicted while a permit holds it
    };

    struct Admission {
        Verdict verdict = Verdict::Admitted;
        Permit permit{};  ///< holds the slot when admitted
        /// When refused: the whole seconds after which a retry may be
        /// admitted (at least 1), for the Retry-After header.
        std::chrono::seconds retryAfter{0};

        explicit operator bool() const noexcept { return verdict == Verdict::Admitted; }
    };

    /// Uses maxOnDemandPerClient, onDemandPerClientRate,
    /// onDemandPerClientBurst and maxTrackedClients; REQUIRES: their ranges
    /// as documented in ResolveEndpointOptions (the configuration parser
    /// checks them).
    explicit ClientLimiter(const ResolveEndpointOptions &options);
    ClientLimiter(const ClientLimiter &) = delete;
    ClientLimiter &operator=(const ClientLimiter &) = delete;

    /// Admits one resolution on demand of `client` (a clientKey()) at `now`,
    /// or says why not. An admitted resolution takes a token and holds a
    /// slot until its permit is destroyed. A refusal takes nothing.
    Admission admit(std::string_view client, Clock::time_point now);

    /// Clients currently remembered.
    std::size_t trackedClients() const;

private:
    struct Entry {
        double tokens = 0;
        Clock::time_point refilledAt{};
        std::size_t inProgress = 0;
        std::list<std::string>::iterator lru;
    };

    void release(Entry &entry) noexcept;
    /// Makes room for one more client; false when every tracked client has
    /// a resolution in progress. REQUIRES: mutex_ held.
    bool evictOne();

    const std::size_t maxInProgress_;
    const double ratePerSecond_;
    const double burst_;
    const std::size_t maxClients_;

    mutable std::mutex mutex_;
    // guarded by mutex_: client key -> its state. References stay valid
    // across rehashing; an entry is erased only with inProgress == 0.
    std::unordered_map<std::string, Entry> clients_;
    // guarded by mutex_: client keys, most recently seen first.
    std::list<std::string> order_;
};

/// The metrics label of a refusal: "in_progress", "rate" or "clients"
/// ("admitted" for Verdict::Admitted).
std::string_view clientLimitReason(ClientLimiter::Verdict verdict) noexcept;

} // namespace oidfed::server
