#include "fetch/host_slots.h"

#include <utility>

namespace oidfed::fetch {

HostSlots::HostSlots(std::size_t perHost, std::size_t maxWaiting) : perHost_(perHost), maxWaiting_(maxWaiting) {}

HostSlots::Ticket::Ticket(Ticket &&other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), destination_(std::move(other.destination_)),
      state_(std::exchange(other.state_, State::None))
{
}

HostSlots::Ticket &HostSlots::Ticket::operator=(Ticket &&other) noexcept
{
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        destination_ = std::move(other.destination_);
        state_ = std::exchange(other.state_, State::None);
    }
    return *this;
}

void HostSlots::Ticket::release()
{
    if (state_ == State::None)
        return;
    std::lock_guard lock(owner_->mutex_);
    owner_->releaseLocked(*this);
}

void HostSlots::releaseLocked(Ticket &ticket)
{
    auto it = destinations_.find(ticket.destination_);
    if (it != destinations_.end()) {
        Counts &counts = it->second;
        if (ticket.state_ == Ticket::State::Slot) {
            --counts.inFlight;
            ++counts.releases;
            released_.notify_all();
        } else {
            --counts.waiting;
        }
        if (counts.inFlight == 0 && counts.waiting == 0)
            destinations_.erase(it);
    }
    ticket.state_ = Ticket::State::None;
}

HostSlots::Attempt HostSlots::tryAcquire(Ticket &ticket, const std::string &destination)
{
    std::lock_guard lock(mutex_);
    Counts &counts = destinations_[destination];
    if (counts.inFlight < perHost_) {
        if (ticket.state_ == Ticket::State::Waiting)
            --counts.waiting;
        ++counts.inFlight;
        ticket.owner_ = this;
        ticket.destination_ = destination;
        ticket.state_ = Ticket::State::Slot;
        return Attempt::Acquired;
    }
    if (ticket.state_ == Ticket::State::Waiting)
        return Attempt::Busy;
    if (counts.waiting >= maxWaiting_)
        return Attempt::QueueFull;  // the entry has inFlight > 0, so it stays
    ++counts.waiting;
    ticket.owner_ = this;
    ticket.destination_ = destination;
    ticket.state_ = Ticket::State::Waiting;
    return Attempt::Busy;
}

bool HostSlots::awaitRelease(const Ticket &ticket, Clock::time_point until)
{
    std::unique_lock lock(mutex_);
    auto it = destinations_.find(ticket.destination_);
    if (it == destinations_.end())
        return true;
    // The entry cannot vanish while this ticket waits in it.
    const Counts &counts = it->second;
    const std::size_t seen = counts.releases;
    return released_.wait_until(lock, until,
                                [&] { return counts.releases != seen || counts.inFlight < perHost_; });
}

std::size_t HostSlots::inFlight(const std::string &destination) const
{
    std::lock_guard lock(mutex_);
    auto it = destinations_.find(destination);
    return it == destinations_.end() ? 0 : it->second.inFlight;
}

} // namespace oidfed::fetch
