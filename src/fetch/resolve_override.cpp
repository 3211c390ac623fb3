#include "fetch/resolve_override.h"

#include <algorithm>
#include <charconv>
#include <string>

#include <arpa/inet.h>

#include "fetch/transfer.h"

namespace oidfed::fetch {

namespace {

bool isIpv4(const std::string &text)
{
    in_addr address{};
    return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool isBracketedIpv6(std::string_view text)
{
    if (text.size() < 3 || text.front() != '[' || text.back() != ']')
        return false;
    in6_addr address{};
    return inet_pton(AF_INET6, std::string(text.substr(1, text.size() - 2)).c_str(), &address) == 1;
}

} // namespace

Result<void> checkResolveOverride(std::string_view entry)
{
    auto refuse = [&](std::string_view why) {
        return fail(Error(ErrorCode::InvalidArgument, "resolve: entry '" + sanitized(entry) + "': " + std::string(why))
                        .withClaim("resolve"));
    };
    if (entry.empty() || !std::all_of(entry.begin(), entry.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; }))
        return refuse("must be HOST:PORT:ADDRESS[,ADDRESS...] in printable ASCII without spaces");
    if (entry.front() == '+' || entry.front() == '-')
        return refuse("the '+' and '-' forms are not supported");

    const std::size_t hostEnd = entry.find(':');
    const std::size_t portEnd = hostEnd == std::string_view::npos ? hostEnd : entry.find(':', hostEnd + 1);
    if (portEnd == std::string_view::npos)
        return refuse("must be HOST:PORT:ADDRESS[,ADDRESS...]");
    const std::string_view host = entry.substr(0, hostEnd);
    if (host.empty() || host.find_first_of("*[]/?#@") != std::string_view::npos)
        return refuse("HOST must be a name or an IPv4 address");

    const std::string_view portText = entry.substr(hostEnd + 1, portEnd - hostEnd - 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port < 1 || port > 65535)
        return refuse("PORT must be within 1 .. 65535");

    std::string_view addresses = entry.substr(portEnd + 1);
    if (addresses.empty())
        return refuse("no ADDRESS");
    std::size_t count = 0;
    for (;;) {
        const std::size_t comma = addresses.find(',');
        const std::string_view address = addresses.substr(0, comma);
        if (!isIpv4(std::string(address)) && !isBracketedIpv6(address))
            return refuse("each ADDRESS must be an IPv4 address or a bracketed IPv6 address");
        if (++count > kMaxResolveAddresses)
            return refuse("more than " + std::to_string(kMaxResolveAddresses) + " addresses");
        if (comma == std::string_view::npos)
            break;
        addresses.remove_prefix(comma + 1);
    }
    return ok();
}

} // namespace oidfed::fetch
