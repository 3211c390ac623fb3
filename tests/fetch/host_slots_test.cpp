// HostSlots, the per-destination transfer bound of the libcurl Fetcher
// (threat A15), on its own: slots, the waiting room, tickets that give back
// what they hold on every path, and the bounded wait for a release.
#include "fetch/host_slots.h"

#include <chrono>
#include <thread>
#include <utility>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using oidfed::fetch::HostSlots;
using Attempt = HostSlots::Attempt;

TEST_CASE("slots up to perHost, then waiters up to maxWaiting, then refusal")
{
    HostSlots slots(2, 1);
    const std::string host = "https://a.example:443";
    HostSlots::Ticket first, second, third, fourth;
    CHECK(slots.tryAcquire(first, host) == Attempt::Acquired);
    CHECK(slots.tryAcquire(second, host) == Attempt::Acquired);
    CHECK(slots.inFlight(host) == 2);
    CHECK(slots.tryAcquire(third, host) == Attempt::Busy);
    CHECK(third.isWaiting());
    // Asking again keeps the place: still Busy, not QueueFull.
    CHECK(slots.tryAcquire(third, host) == Attempt::Busy);
    CHECK(slots.tryAcquire(fourth, host) == Attempt::QueueFull);
    CHECK_FALSE(fourth.isWaiting());
    CHECK_FALSE(fourth.holdsSlot());

    // Another destination has slots of its own.
    HostSlots::Ticket elsewhere;
    CHECK(slots.tryAcquire(elsewhere, "https://b.example:443") == Attempt::Acquired);

    first.release();
    CHECK(slots.inFlight(host) == 1);
    CHECK(slots.tryAcquire(third, host) == Attempt::Acquired);
    CHECK(third.holdsSlot());
    // The waiting room is empty again.
    CHECK(slots.tryAcquire(fourth, host) == Attempt::Busy);
}

TEST_CASE("a ticket gives back its slot or its place when destroyed, moved-from tickets hold nothing")
{
    HostSlots slots(1, 1);
    const std::string host = "http://127.0.0.1:8080";
    {
        HostSlots::Ticket held;
        CHECK(slots.tryAcquire(held, host) == Attempt::Acquired);
        HostSlots::Ticket moved(std::move(held));
        CHECK_FALSE(held.holdsSlot());
        CHECK(moved.holdsSlot());
        {
            HostSlots::Ticket waiter;
            CHECK(slots.tryAcquire(waiter, host) == Attempt::Busy);
        }
        // The waiter's place was given back with it.
        HostSlots::Ticket nextWaiter;
        CHECK(slots.tryAcquire(nextWaiter, host) == Attempt::Busy);
        HostSlots::Ticket assigned;
        assigned = std::move(nextWaiter);
        CHECK(assigned.isWaiting());
        CHECK_FALSE(nextWaiter.isWaiting());
        CHECK(slots.inFlight(host) == 1);
    }
    CHECK(slots.inFlight(host) == 0);
    HostSlots::Ticket again;
    CHECK(slots.tryAcquire(again, host) == Attempt::Acquired);
}

TEST_CASE("maxWaiting 0: nobody waits")
{
    HostSlots slots(1, 0);
    HostSlots::Ticket held, refused;
    CHECK(slots.tryAcquire(held, "h") == Attempt::Acquired);
    CHECK(slots.tryAcquire(refused, "h") == Attempt::QueueFull);
}

TEST_CASE("awaitRelease ends at its deadline, or as soon as another thread gives a slot back")
{
    HostSlots slots(1, 4);
    HostSlots::Ticket held, waiter;
    REQUIRE(slots.tryAcquire(held, "h") == Attempt::Acquired);
    REQUIRE(slots.tryAcquire(waiter, "h") == Attempt::Busy);
    CHECK_FALSE(slots.awaitRelease(waiter, HostSlots::Clock::now() + 20ms));

    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        held.release();
    });
    // A deadline far beyond the release: returning true shows it was woken.
    CHECK(slots.awaitRelease(waiter, HostSlots::Clock::now() + 10s));
    releaser.join();
    CHECK(slots.tryAcquire(waiter, "h") == Attempt::Acquired);
}
