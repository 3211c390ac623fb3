#include "raw_http_connection.h"

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <doctest/doctest.h>

namespace oidfed::test {

RawHttpConnection::RawHttpConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
{
    REQUIRE(fd_.valid());
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        close();
}

void RawHttpConnection::close()
{
    fd_ = UniqueFd();
}

bool RawHttpConnection::send(std::string_view bytes)
{
    return open() && ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

bool RawHttpConnection::sendGet(const std::string &path, const std::string &extraHeader)
{
    return send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (extraHeader.empty() ? "" : extraHeader + "\r\n") +
                "\r\n");
}

bool RawHttpConnection::readable(std::chrono::milliseconds wait) const
{
    if (!buffer_.empty())
        return true;
    pollfd entry{fd_.get(), POLLIN, 0};
    return open() && ::poll(&entry, 1, static_cast<int>(wait.count())) > 0;
}

bool RawHttpConnection::receiveBefore(Clock::time_point deadline)
{
    if (!open())
        return false;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return false;
        pollfd entry{fd_.get(), POLLIN, 0};
        const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return false;
        char chunk[65536];
        const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
}

RawHttpConnection::Response RawHttpConnection::readResponse(std::chrono::milliseconds wait)
{
    const Clock::time_point deadline = Clock::now() + wait;
    Response response;
    std::size_t headEnd;
    while ((headEnd = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!receiveBefore(deadline)) {
            response.head = std::exchange(buffer_, {});
            return response;
        }
    }
    response.head = buffer_.substr(0, headEnd + 2);
    buffer_.erase(0, headEnd + 4);
    const std::string length = response.header("Content-Length");
    const std::size_t bodyBytes = length.empty() ? 0 : std::stoul(length);
    while (buffer_.size() < bodyBytes) {
        if (!receiveBefore(deadline)) {
            response.body = std::exchange(buffer_, {});
            return response;
        }
    }
    response.body = buffer_.substr(0, bodyBytes);
    buffer_.erase(0, bodyBytes);
    response.complete = true;
    return response;
}

std::string RawHttpConnection::readAll(std::chrono::milliseconds wait)
{
    const Clock::time_point deadline = Clock::now() + wait;
    while (receiveBefore(deadline)) {
    }
    return std::exchange(buffer_, {});
}

std::string RawHttpConnection::Response::statusLine() const
{
    return head.substr(0, head.find("\r\n"));
}

std::string RawHttpConnection::Response::header(const std::string &name) const
{
    std::size_t at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos)
        return {};
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
}

} // namespace oidfed::test
