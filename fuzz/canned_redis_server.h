// A stand-in Redis server for the fuzz targets: it answers one connection at
// a time with canned bytes, so that the library's own RedisConnection
// (src/cache/redis_connection.h), with its reader configured exactly as in
// production, parses fuzzer-chosen replies.
//
// It listens on a Unix socket in a private temporary directory, which the
// destructor removes. Nothing the client sends is ever read. Any failure to
// set it up or to accept is a broken environment, not a finding, and aborts
// through fuzz::check.
//
// Thread safety: none; one exchange at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "cache/redis_url.h"
#include "core/unique_fd.h"

namespace oidfed::fuzz {

class CannedRedisServer {
public:
    /// Creates the directory and the listening socket.
    CannedRedisServer();
    /// Closes the socket and removes the directory.
    ~CannedRedisServer();
    CannedRedisServer(const CannedRedisServer &) = delete;
    CannedRedisServer &operator=(const CannedRedisServer &) = delete;

    /// Where RedisConnection::open() reaches this server (no AUTH, db 0).
    const cache::RedisEndpoint &endpoint() const { return endpoint_; }

    /// The server's end of one exchange.
    struct Exchange {
        /// Keep it open until the client is done: the client's request then
        /// lands in its (unread) receive queue instead of failing.
        UniqueFd peer;
        /// How many leading bytes of the reply were sent, all of them unless
        /// the socket buffer filled up first.
        std::size_t sent = 0;
    };

    /// Accepts the connection a client has made to endpoint(), sends it
    /// `reply` and then shuts the sending side down, so the client reads
    /// the reply followed by end of stream and never waits.
    /// REQUIRES: a client connected to endpoint() and not yet answered.
    Exchange answer(std::string_view reply);

private:
    std::filesystem::path dir_;
    cache::RedisEndpoint endpoint_;
    UniqueFd listener_;
};

} // namespace oidfed::fuzz
