/// One blocking hiredis connection with bounded commands (private header).
///
/// Every command is sent as a binary-safe argument vector (RESP bulk
/// strings; never a format string, threat J08) and must be answered within
/// the command timeout, measured over the whole exchange: a server that
/// trickles bytes cannot stretch it (R3, R4). A reply is refused while it is
/// being read once it exceeds a byte bound, or when an array announces more
/// elements than kMaxReplyElements (J07; hiredis 0.14 has no maxelements
/// setting, so the reader's array constructor is wrapped). A write to a
/// connection the peer has reset fails with an error instead of raising
/// SIGPIPE, whatever the process's signal disposition.
///
/// Thread safety: none; one thread at a time (the pool hands a connection to
/// one caller).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include <hiredis/hiredis.h>

#include <oidfed/result.h>

#include "cache/redis_ptr.h"
#include "cache/redis_url.h"

namespace oidfed::cache {

/// Most elements accepted in one array reply (SCAN pages are far smaller).
inline constexpr std::size_t kMaxReplyElements = 4096;

struct RedisTimeouts {
    std::chrono::milliseconds connect{100};
    std::chrono::milliseconds command{100};
};

class RedisConnection {
public:
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;
    ~RedisConnection();

    /// Connects, then AUTHenticates and SELECTs the database when the
    /// endpoint asks for it, and checks with ROLE that the server is a
    /// master when endpoint.requireMaster. Errors: Timeout (connect or
    /// command timeout), Unavailable (refused, reset, authentication or "max
    /// clients" error, not a master, any other failure). Messages name the endpoint without credentials.
    static Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint &endpoint, const RedisTimeouts &timeouts);

    /// Sends `args` and reads the whole reply, of at most `maxReplyBytes`
    /// bytes on the wire. Returns the reply, including an error reply that
    /// leaves the connection usable (e.g. "OOM command not allowed", R6).
    /// Errors, after which the connection must be discarded:
    /// - Timeout: the command timeout passed;
    /// - LimitExceeded: the reply is larger than maxReplyBytes or has too
    ///   many elements;
    /// - Unavailable: I/O error, end of stream, protocol error, or an error
    ///   reply saying that this connection cannot be served (NOAUTH,
    ///   WRONGPASS, NOPERM, LOADING, MASTERDOWN, BUSY, "max number of
    ///   clients"; R11, R12).
    /// REQUIRES: 1 <= args.size() <= INT_MAX.
    Result<RedisReplyPtr> command(std::span<const std::string_view> args, std::size_t maxReplyBytes);

    /// For a subscribed connection (pub/sub): waits up to `wait` for a
    /// message and reads it whole within the command timeout. An empty
    /// pointer when nothing arrived. Errors as command(); the connection is
    /// then to be discarded.
    Result<RedisReplyPtr> waitForMessage(std::chrono::milliseconds wait, std::size_t maxReplyBytes);

    /// False when the connection is known to be broken, or when the server
    /// closed it or sent unsolicited bytes while it was idle (a restart, an
    /// idle timeout, CLIENT KILL). Never blocks.
    bool looksAlive() const;

private:
    explicit RedisConnection(const RedisTimeouts &timeouts);

    static void *createBoundedArray(const redisReadTask *task, int elements);

    Result<void> armTimeout(std::chrono::steady_clock::time_point deadline);
    /// Reads one whole reply (what is buffered first) by `deadline`.
    Result<RedisReplyPtr> readReply(std::chrono::steady_clock::time_point deadline, std::size_t maxReplyBytes);
    Unexpected transportError(int savedErrno, std::string_view during);

    RedisTimeouts timeouts_;
    bool broken_ = false;
    /// hiredis's own reply constructors, with createArray bounded. Declared
    /// before context_: the reader uses it until context_ is freed.
    redisReplyObjectFunctions functions_{};
    const redisReplyObjectFunctions *defaultFunctions_ = nullptr;
    RedisContextPtr context_;
};

} // namespace oidfed::cache
