/// Parsing of RedisCacheOptions::url (private header).
#pragma once

#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::cache {

/// Where and how to connect, as the URL says.
struct RedisEndpoint {
    enum class Transport { Tcp, Unix };
    Transport transport = Transport::Tcp;
    std::string host;        ///< Tcp: a name or an address, IPv6 without brackets
    int port = 6379;         ///< Tcp
    std::string socketPath;  ///< Unix: absolute path
    std::string user;        ///< empty: AUTH with the password alone (Redis < 6 style)
    std::string password;    ///< empty: no AUTH
    int db = 0;              ///< SELECTed after connecting when not 0
};

/// Parses `redis://[[user]:password@]host[:port][/db]` or
/// `unix://[[user]:password@]/path[?db=N]`; user and password are
/// percent-decoded. Errors: InvalidArgument, with a message that never
/// repeats the password.
Result<RedisEndpoint> parseRedisUrl(std::string_view url);

/// The endpoint as a URL without credentials, for messages and health.
std::string describeRedisEndpoint(const RedisEndpoint &endpoint);

} // namespace oidfed::cache
