#include "canned_redis_server.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz_support.h"

namespace oidfed::fuzz {

CannedRedisServer::CannedRedisServer()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "oidfed-redis-fuzz-XXXXXX").string();
    check(::mkdtemp(pattern.data()) != nullptr, "a temporary directory for the canned Redis server");
    dir_ = pattern;
    endpoint_.transport = cache::RedisEndpoint::Transport::Unix;
    endpoint_.socketPath = (dir_ / "redis.sock").string();

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    check(endpoint_.socketPath.size() < sizeof(address.sun_path), "the canned Redis socket path fits in sun_path");
    std::memcpy(address.sun_path, endpoint_.socketPath.c_str(), endpoint_.socketPath.size() + 1);

    listener_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    check(listener_.valid(), "a Unix socket for the canned Redis server");
    check(::bind(listener_.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0 &&
              ::listen(listener_.get(), 4) == 0,
          "the canned Redis server listens");
}

CannedRedisServer::~CannedRedisServer()
{
    listener_ = UniqueFd();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

CannedRedisServer::Exchange CannedRedisServer::answer(std::string_view reply)
{
    Exchange exchange;
    int fd = -1;
    do
        fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    while (fd < 0 && errno == EINTR);
    check(fd >= 0, "the canned Redis server accepts the client's connection");
    exchange.peer = UniqueFd(fd);

    // Non-blocking: a reply larger than the socket buffer is cut short
    // rather than waiting for a client that is not reading yet.
    while (exchange.sent < reply.size()) {
        const ssize_t n = ::send(fd, reply.data() + exchange.sent, reply.size() - exchange.sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        exchange.sent += static_cast<std::size_t>(n);
    }
    check(::shutdown(fd, SHUT_WR) == 0, "the canned Redis server ends its reply");
    return exchange;
}

} // namespace oidfed::fuzz
