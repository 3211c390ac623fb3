#include "registration/redirect_uri.h"

#include <algorithm>
#include <cctype>

namespace oidfed::registration {

namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

std::optional<UriParts> parseAbsoluteUri(std::string_view text)
{
    if (std::any_of(text.begin(), text.end(), [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u >= 0x7f;
        }))
        return std::nullopt;
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(text[0])))
        return std::nullopt;
    for (char c : text.substr(0, colon))
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return std::nullopt;
    UriParts parts;
    parts.scheme = lower(text.substr(0, colon));
    parts.hasFragment = text.find('#') != std::string_view::npos;
    std::string_view rest = text.substr(colon + 1);
    if (rest.starts_with("//")) {
        parts.hasAuthority = true;
        std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
        if (std::size_t at = authority.rfind('@'); at != std::string_view::npos)
            authority.remove_prefix(at + 1);
        std::string_view host = authority;
        if (host.starts_with("[")) {
            std::size_t close = host.find(']');
            if (close == std::string_view::npos)
                return std::nullopt;
            host = host.substr(0, close + 1);
        } else {
            host = host.substr(0, host.find(':'));
        }
        if (host.empty())
            return std::nullopt;
        parts.host = lower(host);
    } else if (rest.empty()) {
        return std::nullopt;
    }
    return parts;
}

bool isLoopbackHost(std::string_view host)
{
    if (host == "localhost" || host == "[::1]")
        return true;
    if (!host.starts_with("127."))
        return false;
    // 127.a.b.c with decimal octets
    int dots = 0;
    for (char c : host) {
        if (c == '.')
            ++dots;
        else if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
    }
    return dots == 3;
}

} // namespace oidfed::registration
