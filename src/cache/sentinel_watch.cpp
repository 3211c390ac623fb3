#include "cache/sentinel_watch.h"

#include <array>
#include <string_view>
#include <utility>

#include <hiredis/hiredis.h>

namespace oidfed::cache {

namespace {

/// Reply bound of one +switch-master message (names and addresses).
constexpr std::size_t kMessageBytes = 4096;
constexpr std::string_view kChannel = "+switch-master";

std::string_view text(const redisReply &reply)
{
    return reply.type == REDIS_REPLY_STRING && reply.str ? std::string_view(reply.str, reply.len) : std::string_view();
}

} // namespace

SentinelWatch::SentinelWatch(std::vector<RedisEndpoint> sentinels, std::string masterName, RedisTimeouts timeouts,
                             std::function<void()> onSwitch)
    : sentinels_(std::move(sentinels)), masterName_(std::move(masterName)), timeouts_(timeouts),
      onSwitch_(std::move(onSwitch)), thread_([this] { run(); })
{
}

SentinelWatch::~SentinelWatch()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SentinelWatch::run()
{
    std::size_t next = 0;
    while (!stopping()) {
        watch(sentinels_[next]);
        next = (next + 1) % sentinels_.size();
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, kRetry, [this] { return stopping(); });
    }
}

void SentinelWatch::watch(const RedisEndpoint &sentinel)
{
    auto conn = RedisConnection::open(sentinel, timeouts_);
    if (!conn)
        return;
    const std::array<std::string_view, 2> subscribe = {"SUBSCRIBE", kChannel};
    auto confirmed = (*conn)->command(subscribe, kMessageBytes);
    if (!confirmed || (*confirmed)->type != REDIS_REPLY_ARRAY)
        return;
    while (!stopping()) {
        auto message = (*conn)->waitForMessage(kPollInterval, kMessageBytes);
        if (!message)
            return;
        if (!*message)
            continue;
        // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
        const redisReply &m = **message;
        if (m.type != REDIS_REPLY_ARRAY || m.elements != 3 || text(*m.element[0]) != "message" ||
            text(*m.element[1]) != kChannel)
            continue;
        const std::string_view payload = text(*m.element[2]);
        if (payload.size() > masterName_.size() && payload.starts_with(masterName_) &&
            payload[masterName_.size()] == ' ')
            onSwitch_();
    }
}

} // namespace oidfed::cache
