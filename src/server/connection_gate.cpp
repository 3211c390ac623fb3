#include "server/connection_gate.h"

#include <atomic>

namespace oidfed::server {

struct ConnectionGate::State {
    State(std::size_t limit_, Metrics *metrics_) : limit(limit_), metrics(metrics_) {}
    const std::size_t limit;
    Metrics *const metrics;
    std::atomic<std::size_t> open{0};
    std::atomic<std::uint64_t> refused{0};
};

ConnectionGate::ConnectionGate(std::size_t limit, Metrics *metrics)
    : state_(std::make_shared<State>(limit, metrics))
{
}

std::shared_ptr<void> ConnectionGate::tryAdmit()
{
    std::size_t open = state_->open.load();
    do {
        if (open >= state_->limit) {
            state_->refused.fetch_add(1);
            if (state_->metrics)
                state_->metrics->countConnectionRefused();
            return nullptr;
        }
    } while (!state_->open.compare_exchange_weak(open, open + 1));
    if (state_->metrics)
        state_->metrics->countConnectionOpened();
    // The token owns nothing: its deleter gives the slot back. It shares
    // the state, so the gate may go first.
    std::shared_ptr<State> state = state_;
    return std::shared_ptr<void>(state.get(), [state](void *) {
        state->open.fetch_sub(1);
        if (state->metrics)
            state->metrics->countConnectionClosed();
    });
}

std::size_t ConnectionGate::open() const
{
    return state_->open.load();
}

std::uint64_t ConnectionGate::refused() const
{
    return state_->refused.load();
}

} // namespace oidfed::server
