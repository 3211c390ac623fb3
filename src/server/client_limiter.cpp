#include "server/client_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#include <arpa/inet.h>

namespace oidfed::server {

std::string clientKey(std::string_view address)
{
    std::string text(address);
    // "[v6]" as some stacks print it.
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    in6_addr v6{};
    if (text.find(':') == std::string::npos || ::inet_pton(AF_INET6, text.c_str(), &v6) != 1)
        return std::string(address);
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char out[INET6_ADDRSTRLEN] = {};
    if (std::memcmp(v6.s6_addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
        in_addr v4{};
        std::memcpy(&v4, v6.s6_addr + 12, 4);
        return ::inet_ntop(AF_INET, &v4, out, sizeof out) ? std::string(out) : std::string(address);
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    if (!::inet_ntop(AF_INET6, &v6, out, sizeof out))
        return std::string(address);
    return std::string(out) + "/64";
}

ClientLimiter::Permit::Permit(Permit &&other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), entry_(std::exchange(other.entry_, nullptr))
{
}

ClientLimiter::Permit &ClientLimiter::Permit::operator=(Permit &&other) noexcept
{
    if (this != &other) {
        release();
        limiter_ = std::exchange(other.limiter_, nullptr);
        entry_ = std::exchange(other.entry_, nullptr);
    }
    return *this;
}

void ClientLimiter::Permit::release() noexcept
{
    if (limiter_ && entry_)
        limiter_->release(*entry_);
    limiter_ = nullptr;
    entry_ = nullptr;
}

ClientLimiter::ClientLimiter(const ResolveEndpointOptions &options)
    : maxInProgress_(options.maxOnDemandPerClient),
      ratePerSecond_(static_cast<double>(options.onDemandPerClientRate)),
      burst_(static_cast<double>(options.onDemandPerClientBurst)),
      maxClients_(std::max<std::size_t>(1, options.maxTrackedClients))
{
}

void ClientLimiter::release(Entry &entry) noexcept
{
    std::lock_guard lock(mutex_);
    if (entry.inProgress > 0)
        --entry.inProgress;
}

bool ClientLimiter::evictOne()
{
    // The least recently seen client with nothing in progress. Entries with
    // a resolution in progress are few (each holds a slot of the
    // process-wide gate), so the walk is short.
    for (auto it = order_.end(); it != order_.begin();) {
        --it;
        auto found = clients_.find(*it);
        if (found != clients_.end() && found->second.inProgress == 0) {
            clients_.erase(found);
            order_.erase(it);
            return true;
        }
    }
    return false;
}

ClientLimiter::Admission ClientLimiter::admit(std::string_view client, Clock::time_point now)
{
    std::lock_guard lock(mutex_);
    const std::string key(client);
    auto it = clients_.find(key);
    if (it == clients_.end()) {
        if (clients_.size() >= maxClients_ && !evictOne())
            return Admission{Verdict::TooManyClients, Permit{}, std::chrono::seconds(1)};
        order_.push_front(key);
        it = clients_.emplace(key, Entry{burst_, now, 0, order_.begin()}).first;
    } else {
        order_.splice(order_.begin(), order_, it->second.lru);
    }
    Entry &entry = it->second;

    if (ratePerSecond_ > 0 && now > entry.refilledAt) {
        const double elapsed = std::chrono::duration<double>(now - entry.refilledAt).count();
        entry.tokens = std::min(burst_, entry.tokens + elapsed * ratePerSecond_);
        entry.refilledAt = now;
    }
    if (entry.inProgress >= maxInProgress_)
        return Admission{Verdict::TooManyInProgress, Permit{}, std::chrono::seconds(1)};
    if (ratePerSecond_ > 0 && entry.tokens < 1.0) {
        const double wait = (1.0 - entry.tokens) / ratePerSecond_;
        const auto seconds = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
        return Admission{Verdict::RateExceeded, Permit{}, std::chrono::seconds(seconds)};
    }
    if (ratePerSecond_ > 0)
        entry.tokens -= 1.0;
    ++entry.inProgress;
    return Admission{Verdict::Admitted, Permit{this, &entry}, std::chrono::seconds(0)};
}

std::string_view clientLimitReason(ClientLimiter::Verdict verdict) noexcept
{
    switch (verdict) {
    case ClientLimiter::Verdict::Admitted:
        return "admitted";
    case ClientLimiter::Verdict::TooManyInProgress:
        return "in_progress";
    case ClientLimiter::Verdict::RateExceeded:
        return "rate";
    case ClientLimiter::Verdict::TooManyClients:
        return "clients";
    }
    return "unknown";
}

std::size_t ClientLimiter::trackedClients() const
{
    std::lock_guard lock(mutex_);
    return clients_.size();
}

} // namespace oidfed::server
