#include "cache/redis_connection.h"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

namespace oidfed::cache {

namespace {

using Clock = std::chrono::steady_clock;

/// Bytes of a Redis error reply kept in our messages.
constexpr std::size_t kMaxErrorTextBytes = 160;
/// Reply bound for the connection set-up commands (AUTH, SELECT).
constexpr std::size_t kSetupReplyBytes = 4096;

/// Error replies after which this connection cannot do useful work: the
/// server refuses it as a client, or cannot serve anything right now.
constexpr std::array<std::string_view, 8> kConnectionLevelErrors = {
    "NOAUTH",  "WRONGPASS", "NOPERM", "LOADING", "MASTERDOWN", "BUSY", "ERR max number of clients", "CLUSTERDOWN",
};

timeval toTimeval(std::chrono::microseconds us)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(us.count() / 1'000'000);
    tv.tv_usec = static_cast<suseconds_t>(us.count() % 1'000'000);
    return tv;
}

bool isConnectionLevelError(std::string_view text)
{
    for (std::string_view prefix : kConnectionLevelErrors)
        if (text.starts_with(prefix))
            return true;
    return false;
}

std::string errorText(const redisReply &reply)
{
    std::string text(reply.str ? reply.str : "", reply.str ? std::min(reply.len, kMaxErrorTextBytes) : 0);
    for (char &c : text)
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
    return text;
}

bool isTimeoutErrno(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT || e == EINPROGRESS;
}

/// hiredis writes with plain write(), and a write to a connection the peer
/// has reset raises SIGPIPE, which by default ends the process. While a guard
/// lives, SIGPIPE is blocked in this thread; one raised meanwhile is consumed
/// (unless it was pending before), and the write fails with EPIPE instead.
/// The process-wide disposition of SIGPIPE is left alone.
class SigpipeGuard {
public:
    SigpipeGuard()
    {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        wasPending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~SigpipeGuard()
    {
        if (!wasPending_) {
            sigset_t pending;
            sigemptyset(&pending);
            if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
                const timespec noWait{};
                while (sigtimedwait(&pipe_, nullptr, &noWait) < 0 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard &) = delete;
    SigpipeGuard &operator=(const SigpipeGuard &) = delete;

private:
    sigset_t pipe_;
    sigset_t previous_;
    bool wasPending_ = false;
};

} // namespace

RedisConnection::RedisConnection(const RedisTimeouts &timeouts) : timeouts_(timeouts) {}

RedisConnection::~RedisConnection() = default;

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint &endpoint,
                                                               const RedisTimeouts &timeouts)
{
    const std::string where = describeRedisEndpoint(endpoint);
    const timeval tv = toTimeval(timeouts.connect);
    std::unique_ptr<RedisConnection> conn(new RedisConnection(timeouts));
    errno = 0;
    conn->context_.reset(endpoint.transport == RedisEndpoint::Transport::Tcp
                             ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
                             : redisConnectUnixWithTimeout(endpoint.socketPath.c_str(), tv));
    const int savedErrno = errno;
    if (!conn->context_)
        return fail(ErrorCode::Unavailable, "redis " + where + ": cannot allocate a connection");
    if (conn->context_->err) {
        const bool timedOut = conn->context_->err == REDIS_ERR_IO && isTimeoutErrno(savedErrno);
        return fail(timedOut ? ErrorCode::Timeout : ErrorCode::Unavailable,
                    "redis " + where + ": connect: " + conn->context_->errstr);
    }
    if (endpoint.transport == RedisEndpoint::Transport::Tcp)
        redisEnableKeepAlive(conn->context_.get());  // best effort: detects a vanished peer on idle connections

    // Bound the array replies hiredis will build (see the header).
    redisReader *reader = conn->context_->reader;
    conn->defaultFunctions_ = reader->fn;
    if (conn->defaultFunctions_) {
        conn->functions_ = *conn->defaultFunctions_;
        conn->functions_.createArray = &RedisConnection::createBoundedArray;
        reader->fn = &conn->functions_;
        reader->privdata = conn.get();
    }

    if (!endpoint.password.empty()) {
        std::vector<std::string_view> auth = {"AUTH"};
        if (!endpoint.user.empty())
            auth.push_back(endpoint.user);
        auth.push_back(endpoint.password);
        OIDFED_TRY(RedisReplyPtr reply, conn->command(auth, kSetupReplyBytes));
        if (reply->type != REDIS_REPLY_STATUS)
            return fail(ErrorCode::Unavailable, "redis " + where + ": authentication failed: " + errorText(*reply));
    }
    if (endpoint.db != 0) {
        const std::string db = std::to_string(endpoint.db);
        const std::array<std::string_view, 2> select = {"SELECT", db};
        OIDFED_TRY(RedisReplyPtr reply, conn->command(select, kSetupReplyBytes));
        if (reply->type != REDIS_REPLY_STATUS)
            return fail(ErrorCode::Unavailable, "redis " + where + ": SELECT " + db + " failed: " + errorText(*reply));
    }
    if (endpoint.requireMaster) {
        const std::array<std::string_view, 1> role = {"ROLE"};
        OIDFED_TRY(RedisReplyPtr reply, conn->command(role, kSetupReplyBytes));
        const bool isArray = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0;
        const redisReply *first = isArray ? reply->element[0] : nullptr;
        const std::string_view name =
            first && first->type == REDIS_REPLY_STRING ? std::string_view(first->str, first->len) : std::string_view();
        if (name != "master")
            return fail(ErrorCode::Unavailable,
                        "redis " + where + ": not a master (ROLE says " +
                            (name == "slave" || name == "sentinel" ? std::string(name) : std::string("something else")) +
                            "); refused, as a replica is never written to");
    }
    return conn;
}

void *RedisConnection::createBoundedArray(const redisReadTask *task, int elements)
{
    auto *self = static_cast<RedisConnection *>(task->privdata);
    if (!self || elements < 0 || static_cast<std::size_t>(elements) > kMaxReplyElements)
        return nullptr;  // the reader then fails the reply, and command() reports it
    return self->defaultFunctions_->createArray(task, elements);
}

Result<void> RedisConnection::armTimeout(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0)
        return fail(ErrorCode::Timeout, "redis: command timed out");
    // A zero timeval would mean "wait forever"; left is at least 1 us here.
    if (redisSetTimeout(context_.get(), toTimeval(left)) != REDIS_OK)
        return fail(ErrorCode::Unavailable, "redis: cannot set the socket timeout");
    return ok();
}

Unexpected RedisConnection::transportError(int savedErrno, std::string_view during)
{
    broken_ = true;
    const redisContext &c = *context_;
    const bool timedOut = c.err == REDIS_ERR_IO && isTimeoutErrno(savedErrno);
    if (timedOut)
        return fail(ErrorCode::Timeout, "redis: command timed out while " + std::string(during));
    std::string why = c.err ? std::string(c.errstr) : "unknown error";
    if (c.err == REDIS_ERR_OOM && c.reader && c.reader->err)
        why = "reply refused (too many elements or out of memory)";
    return fail(c.err == REDIS_ERR_OOM ? ErrorCode::LimitExceeded : ErrorCode::Unavailable,
                "redis: " + why + " while " + std::string(during));
}

Result<RedisReplyPtr> RedisConnection::command(std::span<const std::string_view> args, std::size_t maxReplyBytes)
{
    if (broken_)
        return fail(ErrorCode::Unavailable, "redis: connection already failed");
    std::vector<const char *> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (std::string_view a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    redisContext *c = context_.get();
    const Clock::time_point deadline = Clock::now() + timeouts_.command;
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
        broken_ = true;
        return fail(ErrorCode::Unavailable, "redis: cannot encode the command");
    }

    int done = 0;
    while (!done) {
        if (auto armed = armTimeout(deadline); !armed) {
            broken_ = true;
            return Unexpected{std::move(armed).error()};
        }
        int writeErrno = 0;
        int written = REDIS_OK;
        {
            const SigpipeGuard guard;
            errno = 0;
            written = redisBufferWrite(c, &done);
            writeErrno = errno;
        }
        if (written != REDIS_OK)
            return transportError(writeErrno, "sending");
    }

    return readReply(deadline, maxReplyBytes);
}

Result<RedisReplyPtr> RedisConnection::readReply(Clock::time_point deadline, std::size_t maxReplyBytes)
{
    redisContext *c = context_.get();
    std::size_t received = 0;
    for (;;) {
        void *raw = nullptr;
        if (redisGetReplyFromReader(c, &raw) != REDIS_OK)
            return transportError(0, "parsing the reply");
        if (raw) {
            RedisReplyPtr reply(static_cast<redisReply *>(raw));
            if (reply->type == REDIS_REPLY_ERROR && isConnectionLevelError(errorText(*reply))) {
                broken_ = true;
                return fail(ErrorCode::Unavailable, "redis: " + errorText(*reply));
            }
            return reply;
        }
        if (auto armed = armTimeout(deadline); !armed) {
            broken_ = true;
            return Unexpected{std::move(armed).error()};
        }
        const std::size_t before = c->reader->len;
        errno = 0;
        if (redisBufferRead(c) != REDIS_OK)
            return transportError(errno, "reading the reply");
        received += c->reader->len - before;
        if (received > maxReplyBytes) {
            broken_ = true;
            return fail(ErrorCode::LimitExceeded,
                        "redis: reply longer than " + std::to_string(maxReplyBytes) + " bytes; refused");
        }
    }
}

Result<RedisReplyPtr> RedisConnection::waitForMessage(std::chrono::milliseconds wait, std::size_t maxReplyBytes)
{
    if (broken_)
        return fail(ErrorCode::Unavailable, "redis: connection already failed");
    void *raw = nullptr;
    if (redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK)  // one already buffered
        return transportError(0, "parsing a message");
    if (raw)
        return RedisReplyPtr(static_cast<redisReply *>(raw));
    pollfd p{};
    p.fd = context_->fd;
    p.events = POLLIN;
    const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (ready == 0 || (ready < 0 && errno == EINTR))
        return RedisReplyPtr();
    if (ready < 0) {
        broken_ = true;
        return fail(ErrorCode::Unavailable, "redis: poll failed while waiting for a message");
    }
    return readReply(Clock::now() + timeouts_.command, maxReplyBytes);
}

bool RedisConnection::looksAlive() const
{
    if (broken_ || !context_ || context_->err || context_->fd < 0)
        return false;
    pollfd p{};
    p.fd = context_->fd;
    p.events = POLLIN | POLLRDHUP;
    // Nothing is expected from an idle connection: any event is EOF, reset or
    // stray bytes.
    return ::poll(&p, 1, 0) == 0;
}

} // namespace oidfed::cache
