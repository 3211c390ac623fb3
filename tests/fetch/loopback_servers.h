// Real HTTP servers on 127.0.0.1 for the fetcher tests: a Pistache server
// with fixed routes, a raw TCP server whose replies are scripted byte by byte
// (for faults Pistache cannot produce: premature close, lying
// Content-Length, a stall after the headers, an endless chunked body), and a
// listener that never accepts (to prove that no connection was attempted).
// Every server binds 127.0.0.1 with port 0 and stops in its destructor;
// every wait is bounded.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <oidfed/fetcher.h>

namespace oidfed::test {

/// curl_global_init() once per process (the library never calls it), and
/// SIGPIPE ignored so that a peer closing early cannot kill the test.
void ensureCurlInitialised();

/// The libcurl Fetcher for `options`, after ensureCurlInitialised(); the
/// test fails (REQUIRE) when the options are refused.
std::unique_ptr<Fetcher> makeFetcher(const FetchOptions &options);

/// A socket listening on 127.0.0.1 with a port chosen by the kernel, which
/// it stores in `port`. Throws std::runtime_error when it cannot.
int listenOnLoopback(int backlog, std::uint16_t &port);

/// Counters shared by the Pistache handler clones (one per worker thread).
struct HttpServerState {
    std::atomic<int> requests{0};
    std::atomic<int> inFlight{0};
    std::atomic<int> maxInFlight{0};
    /// How long a /hold/ request is held, in ms (at most 3000).
    std::atomic<int> holdMs{1500};
    /// Bytes of a /huge/ body.
    std::atomic<int> hugeBytes{16 << 20};
    std::uint16_t port = 0;
    std::mutex mutex;
    /// Guarded by mutex: requests per path, and client ports seen.
    std::map<std::string, int> hitsByPath;
    std::map<int, int> hitsByClientPort;

    int hits(const std::string &path);
    int distinctClientPorts();
};

/// Pistache HTTP server with these routes:
///   /ok            200 application/entity-statement+jwt "eyJ.eyJ.sig"
///   /ok-params     200 "Application/Entity-Statement+JWT; charset=UTF-8"
///   /wrong-type    200 text/html
///   /no-type       200 without Content-Type
///   /redirect      302 Location: http://127.0.0.1:<port>/ok
///   /error-500     500
///   /not-found     404 application/json {"error":"not_found",...}
///   /big?bytes=N   200 entity statement type, N bytes with Content-Length
///   /chunked?bytes=N  200 entity statement type, N bytes streamed in chunks
///   /slow?ms=N     sleeps N ms (at most 3000), then 200 like /ok
///   /sleep?ms=N&id=I  sleeps N ms (at most 3000), tracks requests in flight,
///                  then 200 with body I
///   /hold/...      any path below /hold/ (e.g. an Entity Configuration URL
///                  of an entity id under it): held holdMs, tracked like
///                  /sleep, then 404
///   /huge/...      any path below /huge/: 200 entity statement type, a
///                  chunked body of hugeBytes bytes
class PistacheServer {
public:
    explicit PistacheServer(int threads = 8);
    ~PistacheServer();
    PistacheServer(const PistacheServer &) = delete;
    PistacheServer &operator=(const PistacheServer &) = delete;

    std::uint16_t port() const;
    /// "http://127.0.0.1:<port><path>"
    std::string url(const std::string &path) const;
    HttpServerState &state() { return *state_; }

private:
    struct Impl;
    std::shared_ptr<HttpServerState> state_;
    std::unique_ptr<Impl> impl_;
};

/// Accepts connections one at a time; for each it reads the request head
/// (bounded), records it, and runs the scripted reply, then closes.
class RawTcpServer {
public:
    /// `reply(fd, requestHead, stop)` writes whatever bytes it likes to fd; it
    /// must return promptly once `stop` is set.
    using Reply = std::function<void(int fd, const std::string &requestHead, const std::atomic<bool> &stop)>;

    explicit RawTcpServer(Reply reply);
    ~RawTcpServer();
    RawTcpServer(const RawTcpServer &) = delete;
    RawTcpServer &operator=(const RawTcpServer &) = delete;

    std::uint16_t port() const { return port_; }
    std::string url(const std::string &path) const;
    int connections() const { return connections_.load(); }
    std::string lastRequestHead();

    /// Helpers for replies: send all of `bytes` (false once the peer is
    /// gone), and sleep up to `ms` or until stop.
    static bool sendAll(int fd, const std::string &bytes);
    static void sleepUnlessStopped(int ms, const std::atomic<bool> &stop);

private:
    void serve();

    Reply reply_;
    int listenFd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::mutex mutex_;
    std::string lastRequestHead_;  ///< guarded by mutex_
    std::thread thread_;
};

/// A socket listening on 127.0.0.1 that never accepts: a completed TCP
/// handshake would leave a pending connection in its queue.
class PassiveListener {
public:
    PassiveListener();
    ~PassiveListener();
    PassiveListener(const PassiveListener &) = delete;
    PassiveListener &operator=(const PassiveListener &) = delete;

    std::uint16_t port() const { return port_; }
    /// Whether a connection is waiting (polls for up to `waitMs`).
    bool hasPendingConnection(int waitMs) const;

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace oidfed::test
