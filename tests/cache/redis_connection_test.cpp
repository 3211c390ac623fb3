// RedisConnection against a scripted fake server on loopback: what a broken
// or hostile "Redis" can send (threat J07: huge arrays, huge bulk strings;
// R3: a reply that never completes; R8: a connection closed mid-reply) and
// how replies are classified.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <csignal>
#include <cstring>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cache/redis_connection.h"

using namespace oidfed;
using namespace oidfed::cache;
using namespace std::chrono_literals;

namespace {

/// What the fake server does with its one connection.
struct Script {
    std::string reply;        ///< written after the first request arrives
    bool closeAfter = true;   ///< close after replying; else hold it open until the client closes
    std::string body;         ///< then `repeat` copies of this
    int repeat = 0;
};

/// Accepts one connection on loopback and plays a Script on it. Every wait
/// is bounded (5 s).
class FakeRedis {
public:
    explicit FakeRedis(Script script)
    {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
        REQUIRE(::listen(listener_, 4) == 0);
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this, script = std::move(script)] { serve(script); });
    }
    FakeRedis(std::string reply, bool closeAfter) : FakeRedis(replying(std::move(reply), closeAfter)) {}
    ~FakeRedis()
    {
        thread_.join();
        ::close(listener_);
    }

    RedisEndpoint endpoint() const
    {
        RedisEndpoint e;
        e.host = "127.0.0.1";
        e.port = port_;
        return e;
    }

private:
    static Script replying(std::string reply, bool closeAfter)
    {
        Script script;
        script.reply = std::move(reply);
        script.closeAfter = closeAfter;
        return script;
    }

    static bool waitReadable(int fd, int ms)
    {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, ms) == 1;
    }

    void serve(const Script &script)
    {
        if (!waitReadable(listener_, 5000))
            return;
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        char buf[4096];
        if (waitReadable(fd, 5000))
            (void)::recv(fd, buf, sizeof(buf), 0);
        bool ok = ::send(fd, script.reply.data(), script.reply.size(), MSG_NOSIGNAL) >= 0;
        for (int i = 0; ok && i < script.repeat; ++i)
            ok = ::send(fd, script.body.data(), script.body.size(), MSG_NOSIGNAL) >= 0;
        if (!script.closeAfter) {
            while (waitReadable(fd, 5000) && ::recv(fd, buf, sizeof(buf), 0) > 0) {
            }
        }
        ::close(fd);
    }

    int listener_ = -1;
    int port_ = 0;
    std::thread thread_;
};

constexpr RedisTimeouts kTimeouts{200ms, 200ms};

Result<RedisReplyPtr> ping(const FakeRedis &server, std::size_t maxReplyBytes = 1 << 20)
{
    auto conn = RedisConnection::open(server.endpoint(), kTimeouts);
    REQUIRE(conn);
    const std::string_view args[] = {"PING"};
    return (*conn)->command(args, maxReplyBytes);
}

} // namespace

TEST_CASE("redis connection: ordinary replies")
{
    FakeRedis server("+PONG\r\n", false);
    auto reply = ping(server);
    REQUIRE(reply);
    CHECK((*reply)->type == REDIS_REPLY_STATUS);
}

TEST_CASE("redis connection: usable error replies are returned (R6)")
{
    FakeRedis server("-OOM command not allowed when used memory > 'maxmemory'.\r\n", false);
    auto reply = ping(server);
    REQUIRE(reply);
    CHECK((*reply)->type == REDIS_REPLY_ERROR);
}

TEST_CASE("redis connection: client-level error replies fail the connection (R11, R12)")
{
    for (const char *text : {"-NOAUTH Authentication required.\r\n", "-ERR max number of clients reached\r\n",
                             "-LOADING Redis is loading the dataset in memory\r\n",
                             "-WRONGPASS invalid username-password pair\r\n"}) {
        CAPTURE(text);
        FakeRedis server(text, true);
        auto reply = ping(server);
        REQUIRE_FALSE(reply);
        CHECK(reply.error().code == ErrorCode::Unavailable);
    }
}

TEST_CASE("redis connection: an array announcing too many elements is refused (J07)")
{
    FakeRedis server("*100000000\r\n", false);
    auto reply = ping(server);
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("redis connection: a bulk string over the byte bound is refused while it is read (J07)")
{
    Script script;
    script.reply = "$104857600\r\n";
    script.body = std::string(64 * 1024, 'x');
    script.repeat = 64;
    FakeRedis server(script);
    const auto start = std::chrono::steady_clock::now();
    auto reply = ping(server, 100 * 1024);
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::LimitExceeded);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("redis connection: a reply that never completes times out (R3)")
{
    FakeRedis server("$10\r\nabc", false);
    const auto start = std::chrono::steady_clock::now();
    auto reply = ping(server);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::Timeout);
    CHECK(took >= 150ms);
    CHECK(took < 1s);
}

TEST_CASE("redis connection: a connection closed mid-reply is an error, never a partial value (R8)")
{
    FakeRedis server("$10\r\nabc", true);
    auto reply = ping(server);
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::Unavailable);
}

TEST_CASE("redis connection: garbage on the wire is a protocol error")
{
    FakeRedis server("HTTP/1.1 400 Bad Request\r\n\r\n", true);
    auto reply = ping(server);
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::Unavailable);
}

TEST_CASE("redis connection: an idle connection closed by the server no longer looks alive")
{
    FakeRedis server("+PONG\r\n", true);
    auto conn = RedisConnection::open(server.endpoint(), kTimeouts);
    REQUIRE(conn);
    CHECK((*conn)->looksAlive());
    const std::string_view args[] = {"PING"};
    REQUIRE((*conn)->command(args, 1024));
    // The fake closes right after its reply.
    bool closed = false;
    for (int i = 0; i < 200 && !closed; ++i) {
        closed = !(*conn)->looksAlive();
        if (!closed)
            std::this_thread::sleep_for(10ms);
    }
    CHECK(closed);
}

TEST_CASE("redis connection: nothing listening is Unavailable, promptly")
{
    int port = 0;
    {
        FakeRedis server("", true);  // learn a free port, then close it
        port = server.endpoint().port;
        auto conn = RedisConnection::open(server.endpoint(), kTimeouts);  // lets the fake finish
    }
    RedisEndpoint e;
    e.host = "127.0.0.1";
    e.port = port;
    auto conn = RedisConnection::open(e, kTimeouts);
    REQUIRE_FALSE(conn);
    CHECK(conn.error().code == ErrorCode::Unavailable);
}

TEST_CASE("redis connection: writing to a closed peer fails, it does not raise SIGPIPE")
{
    // On a Unix socket, a write to a peer that has closed fails with EPIPE
    // and raises SIGPIPE at once (no RST round trip as with TCP).
    const std::string path = "/tmp/oidfed-fake-redis-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    std::thread server([listener] {
        pollfd p{listener, POLLIN, 0};
        if (::poll(&p, 1, 5000) == 1)
            ::close(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));  // accept, then hang up
    });

    RedisEndpoint endpoint;
    endpoint.transport = RedisEndpoint::Transport::Unix;
    endpoint.socketPath = path;
    auto conn = RedisConnection::open(endpoint, kTimeouts);
    server.join();
    ::close(listener);
    ::unlink(path.c_str());
    REQUIRE(conn);
    bool closed = false;
    for (int i = 0; i < 200 && !closed; ++i) {
        closed = !(*conn)->looksAlive();
        if (!closed)
            std::this_thread::sleep_for(10ms);
    }
    REQUIRE(closed);
    // Bypass the pool's liveness check and write anyway: without the guard
    // the default SIGPIPE action would end this test program here.
    const std::string_view args[] = {"SET", "k", "v"};
    auto reply = (*conn)->command(args, 1024);
    REQUIRE_FALSE(reply);
    CHECK(reply.error().code == ErrorCode::Unavailable);
    sigset_t pending;
    sigemptyset(&pending);
    REQUIRE(sigpending(&pending) == 0);
    CHECK_FALSE(sigismember(&pending, SIGPIPE));
}
