// An in-process HTTPS server on 127.0.0.1 for the TLS tests (threat A08),
// built on OpenSSL. It serves one identity (a certificate and its key, see
// test_certificates.h): for each connection it does the TLS handshake, reads
// the request head (bounded), replies
//   HTTP/1.1 200 OK, Content-Type: application/entity-statement+jwt,
//   body "eyJ.eyJ.sig"
// and closes. It counts TCP connections, completed handshakes and requests
// served, so a test can tell "refused during the handshake" (connections > 0,
// handshakes == 0) from "never connected".
//
// It binds port 0, serves connections one at a time on its own thread and
// stops in its destructor. Every wait is bounded: sockets are non-blocking
// and polled in short slices, a handshake or a request head gets at most
// 2 s, and the stop flag is checked between slices.
//
// REQUIRES: SIGPIPE is ignored in the process (ensureCurlInitialised() in
// loopback_servers.h does it) before a client connects.
//
// Thread safety: the counters may be read from any thread while the server
// runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <openssl/ssl.h>

#include "core/c_deleter.h"
#include "test_certificates.h"

namespace oidfed::test {

using SslCtxPtr = std::unique_ptr<SSL_CTX, oidfed::CDeleter<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, oidfed::CDeleter<&SSL_free>>;

class TlsServer {
public:
    /// Serves `identity` (its certificate and key are shared with the
    /// server's SSL_CTX, which takes its own references). Throws
    /// std::runtime_error when the socket or the TLS context cannot be set up.
    explicit TlsServer(const TestCertificate &identity);
    ~TlsServer();
    TlsServer(const TlsServer &) = delete;
    TlsServer &operator=(const TlsServer &) = delete;
    TlsServer(TlsServer &&) = delete;
    TlsServer &operator=(TlsServer &&) = delete;

    std::uint16_t port() const { return port_; }
    /// "https://<host>:<port><path>", e.g. host "127.0.0.1" or "localhost".
    std::string url(const std::string &host, const std::string &path = "/") const;

    /// TCP connections accepted.
    int connections() const { return connections_.load(); }
    /// TLS handshakes that completed on the server side.
    int handshakes() const { return handshakes_.load(); }
    /// Requests whose head was read and answered with 200.
    int requests() const { return requests_.load(); }

private:
    /// A file descriptor with one owner: closed when the owner goes.
    class OwnedFd {
    public:
        explicit OwnedFd(int fd = -1) : fd_(fd) {}
        ~OwnedFd();
        OwnedFd(const OwnedFd &) = delete;
        OwnedFd &operator=(const OwnedFd &) = delete;
        int get() const { return fd_; }

    private:
        int fd_;
    };

    void serve();
    void serveConnection(int fd);

    SslCtxPtr context_;
    /// Declared before listenFd_, whose initialisation sets it.
    std::uint16_t port_ = 0;
    OwnedFd listenFd_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> handshakes_{0};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

} // namespace oidfed::test
