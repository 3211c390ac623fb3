/// Per-destination transfer slots of the libcurl Fetcher (private header).
///
/// Threat A15: thousands of concurrent resolutions aimed at one slow host
/// must not open thousands of connections to it, nor tie up every worker of
/// the service. HostSlots bounds the transfers one Fetcher has in flight to
/// one destination (scheme, host and port) across all its calls, and bounds
/// the transfers waiting for such a slot:
///
/// - a transfer whose destination has `perHost` transfers in flight waits,
///   never longer than its own deadline (then it fails with Timeout);
/// - when `maxWaiting` transfers already wait for that destination, the next
///   one fails at once (Unavailable): the excess fails fast instead of
///   queueing behind a host that is not answering.
///
/// Slots are not handed out in arrival order: whoever asks first after a
/// release gets it. Each waiter is bounded by its own deadline, so none
/// waits forever. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace oidfed::fetch {

class HostSlots {
public:
    using Clock = std::chrono::steady_clock;

    /// REQUIRES: perHost >= 1.
    HostSlots(std::size_t perHost, std::size_t maxWaiting);
    HostSlots(const HostSlots &) = delete;
    HostSlots &operator=(const HostSlots &) = delete;

    /// One transfer's claim on its destination: nothing, a place among the
    /// waiters, or a slot. Whatever it holds is given back when it is
    /// destroyed or released, so a transfer that ends on any path cannot leak
    /// a slot. Belongs to one thread at a time; must not outlive its
    /// HostSlots.
    class Ticket {
    public:
        Ticket() = default;
        ~Ticket() { release(); }
        Ticket(const Ticket &) = delete;
        Ticket &operator=(const Ticket &) = delete;
        Ticket(Ticket &&other) noexcept;
        Ticket &operator=(Ticket &&other) noexcept;

        bool holdsSlot() const { return state_ == State::Slot; }
        bool isWaiting() const { return state_ == State::Waiting; }
        /// Gives back the slot or the place among the waiters.
        void release();

    private:
        friend class HostSlots;
        enum class State { None, Waiting, Slot };
        HostSlots *owner_ = nullptr;
        std::string destination_;
        State state_ = State::None;
    };

    enum class Attempt {
        Acquired,   ///< the ticket now holds a slot
        Busy,       ///< every slot is taken; the ticket now waits
        QueueFull,  ///< every slot is taken and maxWaiting others wait; the ticket holds nothing
    };

    /// Tries to take a slot for `destination` without blocking. A ticket
    /// that already waits for it keeps its place when still Busy.
    /// REQUIRES: the ticket holds no slot, and waits (if at all) for this
    /// destination.
    Attempt tryAcquire(Ticket &ticket, const std::string &destination);

    /// Blocks until a slot of the destination the ticket waits for is given
    /// back, or until `until`. Returns whether a slot may be free now (call
    /// tryAcquire; another thread may still take it first).
    /// REQUIRES: ticket.isWaiting().
    bool awaitRelease(const Ticket &ticket, Clock::time_point until);

    /// Transfers in flight to `destination` now (for tests and diagnostics).
    std::size_t inFlight(const std::string &destination) const;

    std::size_t perHost() const { return perHost_; }
    std::size_t maxWaiting() const { return maxWaiting_; }

private:
    struct Counts {
        std::size_t inFlight = 0;
        std::size_t waiting = 0;
        /// Bumped at every release, so a waiter can tell that one happened.
        std::size_t releases = 0;
    };

    void releaseLocked(Ticket &ticket);

    const std::size_t perHost_;
    const std::size_t maxWaiting_;
    mutable std::mutex mutex_;
    std::condition_variable released_;
    /// Guarded by mutex_. An entry exists only while something is in flight
    /// or waiting, so the map stays as small as the set of busy hosts.
    std::unordered_map<std::string, Counts> destinations_;
};

} // namespace oidfed::fetch
