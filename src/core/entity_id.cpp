#include <oidfed/entity_id.h>

#include <charconv>

#include "core/test_switch_hints.h"

namespace oidfed {

namespace {

Unexpected invalid(std::string_view text, std::string_view why)
{
    return fail(Error(ErrorCode::Malformed, "invalid entity identifier \"" + std::string(text) + "\": " + std::string(why))
                    .withRule("1.2 Entity Identifier"));
}

bool isHostChar(char c)
{
    // RFC 3986 reg-name letters used in practice; '_' appears in the spec's
    // own examples (Figure 4: https://credential_issuer.example.org).
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == '~';
}

bool isIpv6LiteralChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

} // namespace

Result<EntityId> EntityId::parse(std::string_view text, const EntityIdOptions &options)
{
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return invalid(text, "control, space or non-ASCII character");
    }
    std::size_t schemeLength;
    if (text.starts_with("https://"))
        schemeLength = 8;
    else if (options.allowHttp && text.starts_with("http://"))
        schemeLength = 7;
    else if (text.starts_with("http://"))
        return invalid(text, "scheme must be https (" + std::string(kAllowHttpHint) + ")");
    else
        return invalid(text, options.allowHttp ? "scheme must be https or http" : "scheme must be https");

    if (text.find('?') != std::string_view::npos)
        return invalid(text, "must not contain a query");
    if (text.find('#') != std::string_view::npos)
        return invalid(text, "must not contain a fragment");

    std::string_view rest = text.substr(schemeLength);
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string_view::npos)
        return invalid(text, "must not contain user info");

    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos || close < 3)
            return invalid(text, "bad IPv6 literal");
        for (char c : authority.substr(1, close - 1))
            if (!isIpv6LiteralChar(c))
                return invalid(text, "bad IPv6 literal");
        host = authority.substr(0, close + 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':')
                return invalid(text, "bad authority");
            port = after.substr(1);
            if (port.empty())
                return invalid(text, "empty port");
        }
    } else {
        std::size_t colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty())
                return invalid(text, "empty port");
        }
        if (host.empty())
            return invalid(text, "must have a host");
        for (char c : host)
            if (!isHostChar(c))
                return invalid(text, "host has a character outside [A-Za-z0-9._~-]");
        if (host.front() == '.' || host.front() == '-' || host.find("..") != std::string_view::npos)
            return invalid(text, "malformed host");
    }
    if (!port.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535 || port[0] == '0')
            return invalid(text, "port must be 1-65535");
    }
    return EntityId(std::string(text), schemeLength + static_cast<std::size_t>(host.data() - authority.data()), host.size());
}

std::string_view EntityId::host() const noexcept
{
    return std::string_view(value_).substr(hostBegin_, hostLength_);
}

} // namespace oidfed
