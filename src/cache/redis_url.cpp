#include "cache/redis_url.h"

#include <charconv>

#include "core/hex_digit.h"

namespace oidfed::cache {

namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr std::string_view kUnixScheme = "unix://";

constexpr std::string_view kUrlContext = "redis url: ";

Unexpected invalid(std::string_view why, std::string_view context = kUrlContext)
{
    return fail(ErrorCode::InvalidArgument, std::string(context) + std::string(why));
}

Result<std::string> percentDecode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        const int hi = i + 2 < in.size() ? detail::hexDigitValue(in[i + 1]) : -1;
        const int lo = i + 2 < in.size() ? detail::hexDigitValue(in[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return invalid("bad percent-encoding in the user info");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

Result<int> parseNumber(std::string_view digits, int min, int max, std::string_view what,
                        std::string_view context = kUrlContext)
{
    int value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < min || value > max)
        return invalid(std::string(what) + " is not a number in " + std::to_string(min) + ".." + std::to_string(max),
                       context);
    return value;
}

/// Splits "user:password" into the endpoint. A user info without ':' is
/// refused rather than guessed at.
Result<void> parseUserInfo(std::string_view info, RedisEndpoint &endpoint)
{
    const std::size_t colon = info.find(':');
    if (colon == std::string_view::npos)
        return invalid("user info must be [user]:password");
    OIDFED_TRY(endpoint.user, percentDecode(info.substr(0, colon)));
    OIDFED_TRY(endpoint.password, percentDecode(info.substr(colon + 1)));
    if (endpoint.password.empty())
        return invalid("empty password in the user info");
    return ok();
}

bool isHostChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

Result<void> parseHostPort(std::string_view hostPort, RedisEndpoint &endpoint, std::string_view context = kUrlContext)
{
    std::string_view portText;
    if (hostPort.starts_with('[')) {
        const std::size_t close = hostPort.find(']');
        if (close == std::string_view::npos)
            return invalid("unterminated [IPv6] host", context);
        endpoint.host = hostPort.substr(1, close - 1);
        for (char c : endpoint.host)
            if (detail::hexDigitValue(c) < 0 && c != ':' && c != '.')
                return invalid("bad character in the IPv6 host", context);
        std::string_view rest = hostPort.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':'))
            return invalid("garbage after the IPv6 host", context);
        if (!rest.empty())
            portText = rest.substr(1);
    } else {
        const std::size_t colon = hostPort.find(':');
        endpoint.host = hostPort.substr(0, colon);
        if (colon != std::string_view::npos)
            portText = hostPort.substr(colon + 1);
        for (char c : endpoint.host)
            if (!isHostChar(c))
                return invalid("bad character in the host", context);
    }
    if (endpoint.host.empty())
        return invalid("no host", context);
    if (hostPort.ends_with(':'))
        return invalid("empty port", context);
    if (!portText.empty()) {
        OIDFED_TRY(endpoint.port, parseNumber(portText, 1, 65535, "port", context));
    }
    return ok();
}

Result<RedisEndpoint> parseTcp(std::string_view rest)
{
    RedisEndpoint endpoint;
    if (rest.find_first_of("?#") != std::string_view::npos)
        return invalid("query and fragment are not supported in redis://");
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        OIDFED_TRY_VOID(parseUserInfo(authority.substr(0, at), endpoint));
        authority = authority.substr(at + 1);
    }
    OIDFED_TRY_VOID(parseHostPort(authority, endpoint));
    if (!path.empty()) {
        OIDFED_TRY(endpoint.db, parseNumber(path, 0, kMaxRedisDb, "database"));
    }
    return endpoint;
}

Result<RedisEndpoint> parseUnix(std::string_view rest)
{
    RedisEndpoint endpoint;
    endpoint.transport = RedisEndpoint::Transport::Unix;
    if (rest.find('#') != std::string_view::npos)
        return invalid("fragment is not supported");
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return invalid("unix:// needs an absolute socket path");
    if (slash > 0) {
        if (rest[slash - 1] != '@')
            return invalid("unix:// takes no host; write unix:///path");
        OIDFED_TRY_VOID(parseUserInfo(rest.substr(0, slash - 1), endpoint));
    }
    std::string_view pathAndQuery = rest.substr(slash);
    const std::size_t question = pathAndQuery.find('?');
    endpoint.socketPath = pathAndQuery.substr(0, question);
    if (endpoint.socketPath.size() < 2 || endpoint.socketPath.find('\0') != std::string::npos)
        return invalid("bad socket path");
    if (question != std::string_view::npos) {
        std::string_view query = pathAndQuery.substr(question + 1);
        if (!query.starts_with("db="))
            return invalid("the only query parameter of unix:// is db=N");
        OIDFED_TRY(endpoint.db, parseNumber(query.substr(3), 0, kMaxRedisDb, "database"));
    }
    return endpoint;
}

} // namespace

Result<RedisEndpoint> parseRedisUrl(std::string_view url)
{
    if (url.starts_with(kTcpScheme))
        return parseTcp(url.substr(kTcpScheme.size()));
    if (url.starts_with(kUnixScheme))
        return parseUnix(url.substr(kUnixScheme.size()));
    if (url.starts_with(kTlsScheme))
        return invalid("rediss:// (TLS) is not supported by hiredis 0.14");
    return invalid("scheme must be redis:// or unix://");
}

Result<RedisEndpoint> parseRedisAddress(std::string_view hostPort, int defaultPort)
{
    RedisEndpoint endpoint;
    endpoint.port = defaultPort;
    if (hostPort.find_first_of("/@?#") != std::string_view::npos)
        return invalid("must be host[:port], without scheme, user info or path", "");
    OIDFED_TRY_VOID(parseHostPort(hostPort, endpoint, ""));
    return endpoint;
}

std::string describeRedisEndpoint(const RedisEndpoint &endpoint)
{
    if (endpoint.transport == RedisEndpoint::Transport::Unix)
        return "unix://" + endpoint.socketPath + (endpoint.db ? "?db=" + std::to_string(endpoint.db) : "");
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    return "redis://" + (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port) +
           (endpoint.db ? "/" + std::to_string(endpoint.db) : "");
}

} // namespace oidfed::cache
