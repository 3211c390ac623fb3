#include "loopback_servers.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/http_header.h>
#include <pistache/mime.h>
#include <pistache/net.h>

namespace oidfed::test {

namespace {

constexpr const char *kStatementType = "application/entity-statement+jwt";
constexpr const char *kStatementBody = "eyJ.eyJ.sig";
constexpr int kMaxSleepMs = 3000;

int queryInt(const Pistache::Http::Request &request, const std::string &name, int fallback)
{
    auto value = request.query().get(name);
    if (!value)
        return fallback;
    try {
        return std::stoi(*value);
    } catch (const std::exception &) {
        return fallback;
    }
}

void setType(Pistache::Http::ResponseWriter &response, const std::string &type)
{
    // Pistache writes Content-Type from the response's mime, not from raw
    // headers.
    response.setMime(Pistache::Http::Mime::MediaType::fromString(type));
}

class Handler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<HttpServerState> state) : state_(std::move(state)) {}

    void onRequest(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter response) override
    {
        using Pistache::Http::Code;
        const std::string path = request.resource();
        ++state_->requests;
        {
            std::lock_guard lock(state_->mutex);
            ++state_->hitsByPath[path];
            ++state_->hitsByClientPort[static_cast<int>(static_cast<std::uint16_t>(request.address().port()))];
        }

        if (path == "/ok") {
            setType(response, kStatementType);
            response.send(Code::Ok, kStatementBody);
        } else if (path == "/ok-params") {
            setType(response, "Application/Entity-Statement+JWT; charset=UTF-8");
            response.send(Code::Ok, kStatementBody);
        } else if (path == "/wrong-type") {
            setType(response, "text/html");
            response.send(Code::Ok, "<html>eyJ.eyJ.sig</html>");
        } else if (path == "/no-type") {
            response.send(Code::Ok, kStatementBody);
        } else if (path == "/redirect") {
            response.headers().add<Pistache::Http::Header::Location>("http://127.0.0.1:" +
                                                                    std::to_string(state_->port) + "/ok");
            response.send(Code::Found, "");
        } else if (path == "/error-500") {
            response.send(Code::Internal_Server_Error, "boom");
        } else if (path == "/not-found") {
            setType(response, "application/json");
            response.send(Code::Not_Found, R"({"error":"not_found","error_description":"unknown subject"})");
        } else if (path == "/big") {
            setType(response, kStatementType);
            response.send(Code::Ok, std::string(static_cast<std::size_t>(queryInt(request, "bytes", 1024)), 'a'));
        } else if (path == "/chunked") {
            setType(response, kStatementType);
            auto stream = response.stream(Code::Ok);
            const std::string chunk(16 * 1024, 'b');
            for (int left = queryInt(request, "bytes", 1024); left > 0; left -= static_cast<int>(chunk.size())) {
                stream.write(chunk.data(), std::min<std::streamsize>(left, static_cast<std::streamsize>(chunk.size())));
                stream.flush();
            }
            stream.ends();
        } else if (path == "/slow") {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(queryInt(request, "ms", 1000), kMaxSleepMs)));
            setType(response, kStatementType);
            response.send(Code::Ok, kStatementBody);
        } else if (path == "/sleep") {
            holdInFlight(std::min(queryInt(request, "ms", 200), kMaxSleepMs));
            setType(response, kStatementType);
            response.send(Code::Ok, request.query().get("id").value_or(""));
        } else if (path.rfind("/huge/", 0) == 0) {
            setType(response, kStatementType);
            auto stream = response.stream(Code::Ok);
            const std::string chunk(64 * 1024, 'h');
            for (int left = state_->hugeBytes.load(); left > 0; left -= static_cast<int>(chunk.size())) {
                stream.write(chunk.data(), std::min<std::streamsize>(left, static_cast<std::streamsize>(chunk.size())));
                stream.flush();
            }
            stream.ends();
        } else if (path.rfind("/hold/", 0) == 0) {
            holdInFlight(std::min(state_->holdMs.load(), kMaxSleepMs));
            response.send(Code::Not_Found, "held, then not found");
        } else {
            response.send(Code::Not_Found, "no such route");
        }
    }

private:
    /// Sleeps `ms`, counted in inFlight and maxInFlight meanwhile.
    void holdInFlight(int ms)
    {
        const int now = ++state_->inFlight;
        int seen = state_->maxInFlight.load();
        while (now > seen && !state_->maxInFlight.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        --state_->inFlight;
    }

    std::shared_ptr<HttpServerState> state_;
};

} // namespace

int listenOnLoopback(int backlog, std::uint16_t &port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || ::listen(fd, backlog) != 0) {
        ::close(fd);
        throw std::runtime_error("bind/listen on 127.0.0.1 failed");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    port = ntohs(address.sin_port);
    return fd;
}

void ensureCurlInitialised()
{
    static std::once_flag once;
    std::call_once(once, [] {
        std::signal(SIGPIPE, SIG_IGN);
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    });
}

std::unique_ptr<Fetcher> makeFetcher(const FetchOptions &options)
{
    ensureCurlInitialised();
    auto fetcher = makeCurlFetcher(options);
    REQUIRE_MESSAGE(fetcher, (fetcher ? "" : fetcher.error().describe()));
    return std::move(fetcher).value();
}

int HttpServerState::hits(const std::string &path)
{
    std::lock_guard lock(mutex);
    auto it = hitsByPath.find(path);
    return it == hitsByPath.end() ? 0 : it->second;
}

int HttpServerState::distinctClientPorts()
{
    std::lock_guard lock(mutex);
    return static_cast<int>(hitsByClientPort.size());
}

struct PistacheServer::Impl {
    Pistache::Http::Endpoint endpoint{Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(0))};
};

PistacheServer::PistacheServer(int threads) : state_(std::make_shared<HttpServerState>()), impl_(std::make_unique<Impl>())
{
    auto options = Pistache::Http::Endpoint::options().threads(threads).flags(Pistache::Tcp::Options::ReuseAddr);
    impl_->endpoint.init(options);
    impl_->endpoint.setHandler(std::make_shared<Handler>(state_));
    impl_->endpoint.serveThreaded();
    state_->port = static_cast<std::uint16_t>(impl_->endpoint.getPort());
}

PistacheServer::~PistacheServer()
{
    impl_->endpoint.shutdown();
}

std::uint16_t PistacheServer::port() const
{
    return state_->port;
}

std::string PistacheServer::url(const std::string &path) const
{
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

RawTcpServer::RawTcpServer(Reply reply) : reply_(std::move(reply))
{
    listenFd_ = listenOnLoopback(16, port_);
    thread_ = std::thread([this] { serve(); });
}

RawTcpServer::~RawTcpServer()
{
    stop_ = true;
    thread_.join();
    ::close(listenFd_);
}

std::string RawTcpServer::url(const std::string &path) const
{
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string RawTcpServer::lastRequestHead()
{
    std::lock_guard lock(mutex_);
    return lastRequestHead_;
}

bool RawTcpServer::sendAll(int fd, const std::string &bytes)
{
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

void RawTcpServer::sleepUnlessStopped(int ms, const std::atomic<bool> &stop)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void RawTcpServer::serve()
{
    while (!stop_) {
        pollfd listening{listenFd_, POLLIN, 0};
        if (::poll(&listening, 1, 20) <= 0)
            continue;
        const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++connections_;

        // Read the request head: up to "\r\n\r\n", 16 KiB or 2 s.
        std::string head;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16 * 1024 && !stop_ &&
               std::chrono::steady_clock::now() < deadline) {
            pollfd client{fd, POLLIN, 0};
            if (::poll(&client, 1, 20) <= 0)
                continue;
            char buffer[4096];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                break;
            head.append(buffer, static_cast<std::size_t>(n));
        }
        {
            std::lock_guard lock(mutex_);
            lastRequestHead_ = head;
        }
        reply_(fd, head, stop_);
        ::close(fd);
    }
}

PassiveListener::PassiveListener()
{
    fd_ = listenOnLoopback(16, port_);
}

PassiveListener::~PassiveListener()
{
    ::close(fd_);
}

bool PassiveListener::hasPendingConnection(int waitMs) const
{
    pollfd listening{fd_, POLLIN, 0};
    return ::poll(&listening, 1, waitMs) > 0;
}

} // namespace oidfed::test
