// A raw HTTP/1.1 client connection to a server on loopback, for tests that
// must control the bytes on the wire: hostile or unfinished requests, slots
// held open, several requests on one kept-alive connection. It sends what it
// is given, verbatim, and interprets only what it needs to find the end of a
// response (the blank line after the head, then Content-Length bytes).
//
// Every read waits at most the time it is given, so a silent server fails a
// test instead of hanging it. Sends never raise SIGPIPE.
//
// Thread safety: none; one thread per connection.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/unique_fd.h"

namespace oidfed::test {

class RawHttpConnection {
public:
    /// Connects to 127.0.0.1:`port`. A REQUIRE fails when no socket can be
    /// made; a refused connection is not an assertion: open() is then false
    /// and every send and read fails.
    explicit RawHttpConnection(int port);
    RawHttpConnection(const RawHttpConnection &) = delete;
    RawHttpConnection &operator=(const RawHttpConnection &) = delete;

    /// Connected and not yet closed.
    bool open() const { return fd_.valid(); }

    /// Closes the connection (the destructor does too).
    void close();

    /// Sends `bytes` in one send() call; false unless all were sent (the
    /// connection is gone or was never made).
    bool send(std::string_view bytes);

    /// Sends `GET path HTTP/1.1`, `Host: 127.0.0.1`, then `extraHeader` as
    /// one more header line when not empty, then the blank line.
    bool sendGet(const std::string &path, const std::string &extraHeader = {});

    /// Whether received bytes, or the end of the stream, are waiting, within
    /// `wait`.
    bool readable(std::chrono::milliseconds wait) const;

    /// One response as it came off the wire.
    struct Response {
        /// The status line and the header lines, each with its CRLF, without
        /// the blank line. When the head was not complete in time: whatever
        /// had arrived.
        std::string head;
        /// Content-Length bytes (none when the header is absent); when
        /// incomplete, what had arrived of it.
        std::string body;
        /// The head and the whole body arrived.
        bool complete = false;

        /// The first line of the head, without its CRLF ("" when nothing came).
        std::string statusLine() const;
        /// The value of the header line `name: value`, matched exactly, or "".
        std::string header(const std::string &name) const;
    };

    /// Reads the next response, waiting at most `wait` in all. Bytes
    /// received beyond it are kept for the next call.
    Response readResponse(std::chrono::milliseconds wait);

    /// Everything received until the server ends the stream or `wait`
    /// passes, including bytes kept from earlier reads.
    std::string readAll(std::chrono::milliseconds wait);

    /// Bytes received beyond the responses read so far.
    const std::string &leftover() const { return buffer_; }

private:
    using Clock = std::chrono::steady_clock;

    /// Appends one recv() to buffer_ when bytes arrive before `deadline`;
    /// false on the deadline, the end of the stream or an error.
    bool receiveBefore(Clock::time_point deadline);

    UniqueFd fd_;
    std::string buffer_;
};

} // namespace oidfed::test
