#include "tls_server.h"

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "loopback_servers.h"

namespace oidfed::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPollSliceMs = 20;
constexpr auto kConnectionBudget = std::chrono::seconds(2);
constexpr std::size_t kMaxRequestHeadBytes = 16 * 1024;
constexpr std::string_view kBody = "eyJ.eyJ.sig";

std::string httpResponse()
{
    return "HTTP/1.1 200 OK\r\n"
           "Content-Type: application/entity-statement+jwt\r\n"
           "Content-Length: " +
           std::to_string(kBody.size()) + "\r\nConnection: close\r\n\r\n" + std::string(kBody);
}

SslCtxPtr makeServerContext(const TestCertificate &identity)
{
    SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    if (!context)
        throwOpenSslError("SSL_CTX_new");
    // Both calls take their own reference: `identity` keeps its owners.
    if (SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate(context.get(), identity.certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(context.get(), identity.key.get()) != 1 ||
        SSL_CTX_check_private_key(context.get()) != 1)
        throwOpenSslError("cannot load the server identity");
    return context;
}

/// A non-blocking socket listening on 127.0.0.1; its port goes to `port`.
int listenNonBlocking(std::uint16_t &port)
{
    const int fd = listenOnLoopback(16, port);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot make the listening socket non-blocking");
    }
    return fd;
}

/// Waits until `fd` is ready for `events`; false at the deadline or on stop.
bool waitFor(int fd, short events, Clock::time_point deadline, const std::atomic<bool> &stop)
{
    while (!stop && Clock::now() < deadline) {
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, kPollSliceMs);
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            return false;
    }
    return false;
}

/// Runs one non-blocking OpenSSL operation (`step` returns what SSL_accept,
/// SSL_read or SSL_write return) until it succeeds, fails, or the deadline or
/// stop flag ends the wait. Returns the step's positive result, or 0.
template <class Step>
int driveSsl(SSL *ssl, int fd, Clock::time_point deadline, const std::atomic<bool> &stop, Step step)
{
    for (;;) {
        const int result = step();
        if (result > 0)
            return result;
        const int error = SSL_get_error(ssl, result);
        short events = 0;
        if (error == SSL_ERROR_WANT_READ)
            events = POLLIN;
        else if (error == SSL_ERROR_WANT_WRITE)
            events = POLLOUT;
        if (events == 0 || !waitFor(fd, events, deadline, stop))
            return 0;
    }
}

} // namespace

TlsServer::OwnedFd::~OwnedFd()
{
    if (fd_ >= 0)
        ::close(fd_);
}

TlsServer::TlsServer(const TestCertificate &identity)
    : context_(makeServerContext(identity)), listenFd_(listenNonBlocking(port_))
{
    thread_ = std::thread([this] { serve(); });
}

TlsServer::~TlsServer()
{
    stop_ = true;
    thread_.join();
}

std::string TlsServer::url(const std::string &host, const std::string &path) const
{
    return "https://" + host + ":" + std::to_string(port_) + path;
}

void TlsServer::serve()
{
    while (!stop_) {
        pollfd listening{listenFd_.get(), POLLIN, 0};
        if (::poll(&listening, 1, kPollSliceMs) <= 0)
            continue;
        const int fd = ::accept4(listenFd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            continue;
        OwnedFd connection(fd);
        ++connections_;
        serveConnection(connection.get());
        // This thread's OpenSSL error queue must not grow with each refused
        // handshake.
        ERR_clear_error();
    }
}

void TlsServer::serveConnection(int fd)
{
    SslPtr ssl(SSL_new(context_.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1)
        return;
    SSL *s = ssl.get();
    const auto deadline = Clock::now() + kConnectionBudget;

    if (driveSsl(s, fd, deadline, stop_, [s] { return SSL_accept(s); }) <= 0)
        return;  // refused by the client (or by us), or out of time
    ++handshakes_;

    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        if (head.size() >= kMaxRequestHeadBytes)
            return;
        const int n = driveSsl(s, fd, deadline, stop_, [s, &buffer] { return SSL_read(s, buffer, sizeof buffer); });
        if (n <= 0)
            return;
        head.append(buffer, static_cast<std::size_t>(n));
    }

    ++requests_;  // before the reply: a client that has the body sees the count
    const std::string response = httpResponse();
    if (driveSsl(s, fd, deadline, stop_,
                 [s, &response] { return SSL_write(s, response.data(), static_cast<int>(response.size())); }) <= 0)
        return;
    SSL_shutdown(s);  // sends close_notify; the peer's reply is not awaited
}

} // namespace oidfed::test
