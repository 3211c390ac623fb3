#include "fetch/easy_setup.h"

#include <algorithm>
#include <iterator>
#include <string_view>

#include <sys/socket.h>

#include "core/test_switch_hints.h"
#include "fetch/fetch_version.h"

namespace oidfed::fetch {

curl_socket_t onOpenSocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
    auto *check = static_cast<DestinationCheck *>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN) {
        check->refused = Error(ErrorCode::InvalidArgument, "unexpected socket purpose");
        return CURL_SOCKET_BAD;
    }
    // libcurl allocates room for the whole address behind `addr`, of
    // `addrlen` bytes, although the member is declared as a plain sockaddr.
    auto ip = IpAddress::fromSockaddr(&address->addr, address->addrlen);
    if (!ip) {
        check->refused = Error(ErrorCode::InvalidArgument, "destination is not an IP address");
        return CURL_SOCKET_BAD;
    }
    if (auto allowed = check->guard->check(*ip); !allowed) {
        check->refused = std::move(allowed).error();
        return CURL_SOCKET_BAD;  // no socket, so no connection attempt
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

Result<CurlSlistPtr> makeResolveList(const std::vector<std::string> &entries)
{
    CurlSlistPtr list;
    for (const std::string &entry : entries) {
        curl_slist *appended = curl_slist_append(list.get(), entry.c_str());
        if (!appended)
            return fail(ErrorCode::Internal, "curl_slist_append failed");
        if (!list)
            list.reset(appended);
    }
    return list;
}

Result<CurlPtr> newGuardedEasyHandle(const EasySetup &setup)
{
    CurlPtr easy(curl_easy_init());
    if (!easy)
        return fail(ErrorCode::Internal, "curl_easy_init failed");
    CURL *e = easy.get();
    const FetchOptions &options = setup.options;
    const CURLcode codes[] = {
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L),
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, setup.protocols.c_str()),
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, setup.protocols.c_str()),
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L),
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 0L),
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L),
        // Ignore http_proxy and friends: the guard must see the real
        // destination, not a proxy's address.
        curl_easy_setopt(e, CURLOPT_PROXY, ""),
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connectTimeout.count())),
        // Refuses a larger Content-Length before the body; the write
        // callbacks enforce the cap on bodies of unknown or lying length.
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.maxResponseBytes)),
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &onOpenSocket),
        curl_easy_setopt(e, CURLOPT_USERAGENT, setup.userAgent.c_str()),
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L),
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L),
        options.caFile.empty() ? CURLE_OK : curl_easy_setopt(e, CURLOPT_CAINFO, options.caFile.c_str()),
        setup.resolve ? curl_easy_setopt(e, CURLOPT_RESOLVE, setup.resolve) : CURLE_OK,
        // No CURLOPT_ACCEPT_ENCODING: no compressed bodies, so no
        // decompression bombs (threat A11). No cookies, no netrc, no Alt-Svc.
    };
    if (std::any_of(std::begin(codes), std::end(codes), [](CURLcode c) { return c != CURLE_OK; }))
        return fail(ErrorCode::Internal, "cannot configure a curl easy handle (libcurl lacks a required option)");
    return easy;
}

Result<CheckedUrl> checkUrl(const std::string &url, bool allowHttp, const std::string &where)
{
    auto refuse = [&](std::string_view why) { return fail(ErrorCode::InvalidArgument, where + ": " + std::string(why)); };
    if (url.find('\0') != std::string::npos)
        return refuse("URL contains a NUL byte");
    CheckedUrl out;
    out.url.reset(curl_url());
    if (!out.url)
        return fail(ErrorCode::Internal, where + ": curl_url failed");
    if (curl_url_set(out.url.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return refuse("not an absolute http(s) URL");
    auto part = [&](CURLUPart which) {
        char *value = nullptr;
        return curl_url_get(out.url.get(), which, &value, 0) == CURLUE_OK ? CurlStringPtr(value) : CurlStringPtr();
    };
    const CurlStringPtr scheme = part(CURLUPART_SCHEME);
    const std::string_view schemeText = scheme ? scheme.get() : "";
    if (schemeText == "http" && !allowHttp)
        return refuse("http is refused: https only (" + std::string(kAllowHttpHint) + ")");
    if (schemeText != "https" && schemeText != "http")
        return refuse("scheme is not https");
    if (part(CURLUPART_USER) || part(CURLUPART_PASSWORD))
        return refuse("URL must not contain user info");
    if (part(CURLUPART_FRAGMENT))
        return refuse("URL must not contain a fragment");
    const CurlStringPtr host = part(CURLUPART_HOST);
    if (!host)
        return refuse("URL has no host");
    char *port = nullptr;
    if (curl_url_get(out.url.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        return refuse("URL has no port");
    const CurlStringPtr portText(port);
    std::string hostText(host.get());
    std::transform(hostText.begin(), hostText.end(), hostText.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    out.destination = std::string(schemeText) + "://" + hostText + ":" + portText.get();
    return out;
}

std::string allowedProtocols(const FetchOptions &options)
{
    return options.allowHttp ? "http,https" : "https";
}

std::string userAgentOf(const FetchOptions &options)
{
    return options.userAgent.empty() ? std::string("oidfed/") + OIDFED_VERSION : options.userAgent;
}

} // namespace oidfed::fetch
