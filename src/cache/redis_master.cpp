#include "cache/redis_master.h"

#include <array>
#include <charconv>
#include <utility>

#include <hiredis/hiredis.h>

namespace oidfed::cache {

namespace {

/// Reply bound of SENTINEL get-master-addr-by-name (two short strings).
constexpr std::size_t kSentinelReplyBytes = 4096;
/// Longest address text accepted from a Sentinel.
constexpr std::size_t kMaxAddressBytes = 255;

std::string_view text(const redisReply &reply)
{
    return reply.str ? std::string_view(reply.str, reply.len) : std::string_view();
}

bool isAddressChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == ':';
}

std::string hostPort(const RedisEndpoint &endpoint)
{
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

} // namespace

RedisMasterSource::RedisMasterSource(RedisEndpoint endpoint) : master_(std::move(endpoint)), known_(master_) {}

RedisMasterSource::RedisMasterSource(std::vector<RedisEndpoint> sentinels, std::string masterName,
                                     RedisEndpoint master, RedisTimeouts timeouts)
    : sentinels_(std::move(sentinels)), masterName_(std::move(masterName)), master_(std::move(master)),
      timeouts_(timeouts)
{
}

Result<RedisEndpoint> RedisMasterSource::current()
{
    if (!viaSentinel())
        return master_;
    {
        std::lock_guard lock(mutex_);
        if (known_)
            return *known_;
    }
    std::lock_guard asking(askMutex_);
    std::size_t first = 0;
    {
        std::lock_guard lock(mutex_);
        if (known_)  // another caller found it meanwhile
            return *known_;
        first = preferred_;
    }
    Error last(ErrorCode::Unavailable, "no sentinel asked");
    for (std::size_t i = 0; i < sentinels_.size(); ++i) {
        const std::size_t index = (first + i) % sentinels_.size();
        auto found = ask(sentinels_[index]);
        if (found) {
            std::lock_guard lock(mutex_);
            known_ = *found;
            preferred_ = index;
            return std::move(found).value();
        }
        last = std::move(found).error();
    }
    last.message = "redis master \"" + masterName_ + "\": no sentinel named it; last: " + last.message;
    return fail(std::move(last));
}

void RedisMasterSource::forget()
{
    if (!viaSentinel())
        return;
    std::lock_guard lock(mutex_);
    known_.reset();
}

std::string RedisMasterSource::describe() const
{
    if (!viaSentinel())
        return describeRedisEndpoint(master_);
    std::string out = "master \"" + masterName_ + "\" via sentinel ";
    for (std::size_t i = 0; i < sentinels_.size(); ++i)
        out += (i ? "," : "") + hostPort(sentinels_[i]);
    std::lock_guard lock(mutex_);
    if (known_)
        out += " (at " + hostPort(*known_) + ")";
    return out;
}

Result<RedisEndpoint> RedisMasterSource::ask(const RedisEndpoint &sentinel) const
{
    const std::string where = "sentinel " + hostPort(sentinel);
    auto conn = RedisConnection::open(sentinel, timeouts_);
    if (!conn)
        return Unexpected{std::move(conn).error()};
    const std::array<std::string_view, 3> args = {"SENTINEL", "get-master-addr-by-name", masterName_};
    OIDFED_TRY(RedisReplyPtr reply, (*conn)->command(args, kSentinelReplyBytes));
    if (reply->type == REDIS_REPLY_NIL)
        return fail(ErrorCode::Unavailable, where + " does not know master \"" + masterName_ + "\"");
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_STRING)
        return fail(ErrorCode::Unavailable, where + ": unexpected reply to SENTINEL get-master-addr-by-name" +
                                                (reply->type == REDIS_REPLY_ERROR ? " (an error)" : ""));
    const std::string_view host = text(*reply->element[0]);
    const std::string_view portText = text(*reply->element[1]);
    int port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    bool hostOk = !host.empty() && host.size() <= kMaxAddressBytes;
    for (char c : host)
        hostOk = hostOk && isAddressChar(c);
    if (!hostOk || ec != std::errc() || end != portText.data() + portText.size() || port < 1 || port > 65535)
        return fail(ErrorCode::Unavailable, where + ": the master's address is not host and port");
    RedisEndpoint endpoint = master_;
    endpoint.transport = RedisEndpoint::Transport::Tcp;
    endpoint.host = std::string(host);
    endpoint.port = port;
    endpoint.requireMaster = true;
    return endpoint;
}

} // namespace oidfed::cache
