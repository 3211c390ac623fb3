#include <oidfed/federation_urls.h>

#include <string>
#include <string_view>

namespace oidfed {

namespace {

constexpr std::string_view kWellKnownSuffix = "/.well-known/openid-federation";

enum class QueryRule { Forbidden, Allowed };

/// Checks the shape shared by entity identifiers and endpoint URLs: an
/// http(s) scheme, a non-empty authority without user info, no fragment, only
/// visible ASCII. `what` names the argument in the error message.
Result<void> checkHttpUrl(std::string_view url, QueryRule query, std::string_view what)
{
    auto refuse = [&](std::string_view why) {
        return fail(ErrorCode::InvalidArgument, std::string(what) + " '" + std::string(url) + "': " + std::string(why));
    };

    for (unsigned char c : url) {
        if (c <= 0x20 || c >= 0x7f)
            return refuse("contains a space, a control character or a non-ASCII byte");
    }

    std::string_view rest;
    if (url.starts_with("https://"))
        rest = url.substr(8);
    else if (url.starts_with("http://"))
        rest = url.substr(7);
    else
        return refuse("is not an https URL");

    const std::size_t authorityEnd = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authorityEnd);
    if (authority.empty() || authority.front() == ':')
        return refuse("has no host");
    if (authority.find('@') != std::string_view::npos)
        return refuse("must not contain user info");
    if (url.find('#') != std::string_view::npos)
        return refuse("must not contain a fragment");
    if (query == QueryRule::Forbidden && url.find('?') != std::string_view::npos)
        return refuse("must not contain a query");
    return ok();
}

char hexDigit(unsigned value)
{
    return "0123456789ABCDEF"[value & 0xf];
}

bool isUnreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

} // namespace

std::string percentEncode(std::string_view value)
{
    std::string out;
    out.reserve(value.size() * 3);
    for (unsigned char c : value) {
        if (isUnreserved(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hexDigit(c >> 4));
            out.push_back(hexDigit(c));
        }
    }
    return out;
}

Result<std::string> entityConfigurationUrl(std::string_view entityId)
{
    OIDFED_TRY_VOID(checkHttpUrl(entityId, QueryRule::Forbidden, "entity identifier"));
    std::string_view base = entityId;
    if (base.ends_with('/'))
        base.remove_suffix(1);
    std::string url;
    url.reserve(base.size() + kWellKnownSuffix.size());
    url.append(base).append(kWellKnownSuffix);
    return url;
}

Result<std::string> fetchEndpointUrl(std::string_view endpoint, std::string_view sub)
{
    OIDFED_TRY_VOID(checkHttpUrl(endpoint, QueryRule::Allowed, "fetch endpoint"));
    if (sub.empty())
        return fail(ErrorCode::InvalidArgument, "fetch request: empty sub");

    std::string url(endpoint);
    const std::size_t queryStart = url.find('?');
    if (queryStart == std::string::npos)
        url.push_back('?');
    else if (url.back() != '?' && url.back() != '&')
        url.push_back('&');
    url.append("sub=").append(percentEncode(sub));
    return url;
}

} // namespace oidfed
