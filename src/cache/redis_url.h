/// Parsing of RedisCacheOptions::url (private header).
#pragma once

#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::cache {

/// Highest database number accepted (the URL's /db, RedisSentinelOptions::db).
inline constexpr int kMaxRedisDb = 1'000'000;
/// Sentinel's own port, when a Sentinel address names none.
inline constexpr int kDefaultSentinelPort = 26379;

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
    /// Checked with ROLE after connecting: anything but a master is refused
    /// (Redis behind Sentinel: a replica is never written to).
    bool requireMaster = false;
};

/// Parses `redis://[[user]:password@]host[:port][/db]` or
/// `unix://[[user]:password@]/path[?db=N]`; user and password are
/// percent-decoded. Errors: InvalidArgument, with a message that never
/// repeats the password.
Result<RedisEndpoint> parseRedisUrl(std::string_view url);

/// Parses a Sentinel address `host[:port]` (host a name, an IPv4 address or
/// a bracketed IPv6 address; `defaultPort` when no port is given) into a
/// TCP endpoint without credentials. Errors: InvalidArgument, the message
/// saying what is wrong (the address holds no secret).
Result<RedisEndpoint> parseRedisAddress(std::string_view hostPort, int defaultPort);

/// The endpoint as a URL without credentials, for messages and health.
std::string describeRedisEndpoint(const RedisEndpoint &endpoint);

} // namespace oidfed::cache
