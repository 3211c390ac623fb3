#include "fetch/api_client.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>

#include <curl/curl.h>

#include "fetch/easy_setup.h"
#include "fetch/transfer.h"

namespace oidfed::fetch {

namespace {

/// A header list whose strings are overwritten before libcurl frees them
/// (they may carry a bearer token).
class WipedHeaders {
public:
    WipedHeaders() = default;
    ~WipedHeaders()
    {
        for (curl_slist *item = list_.get(); item; item = item->next)
            if (item->data)
                std::fill_n(static_cast<volatile char *>(item->data), std::char_traits<char>::length(item->data), 0);
    }
    WipedHeaders(const WipedHeaders &) = delete;
    WipedHeaders &operator=(const WipedHeaders &) = delete;

    bool append(const std::string &header)
    {
        curl_slist *appended = curl_slist_append(list_.get(), header.c_str());
        if (!appended)
            return false;
        if (!list_)
            list_.reset(appended);
        return true;
    }
    curl_slist *get() const { return list_.get(); }

private:
    CurlSlistPtr list_;
};

/// What the write callback fills.
struct Received {
    std::string body{};
    std::size_t maxBytes = 0;
    bool tooLarge = false;
};

size_t onBody(char *data, size_t size, size_t count, void *userdata)
{
    auto *received = static_cast<Received *>(userdata);
    const size_t bytes = size * count;
    if (bytes > received->maxBytes - received->body.size()) {
        received->tooLarge = true;
        return 0;  // aborts the transfer at the cap
    }
    received->body.append(data, bytes);
    return bytes;
}

bool knownMethod(const std::string &method)
{
    return method == "GET" || method == "POST" || method == "PUT" || method == "DELETE";
}

} // namespace

struct ApiClient::Impl {
    FetchOptions options;
    AddressGuard guard;
    std::string protocols;
    std::string userAgent;
    CurlSlistPtr resolve;
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::create(const FetchOptions &options)
{
    OIDFED_TRY_VOID(validateFetchOptions(options));
    if (!options.caFile.empty() && !std::ifstream(options.caFile))
        return fail(
            Error(ErrorCode::InvalidArgument, "caFile: '" + options.caFile + "' is not readable").withClaim("caFile"));
    OIDFED_TRY(AddressGuard guard, AddressGuard::create(options.allowLoopback, options.allowedNetworks));
    OIDFED_TRY(CurlSlistPtr resolve, makeResolveList(options.resolve));
    auto impl = std::unique_ptr<Impl>(new Impl{.options = options,
                                               .guard = std::move(guard),
                                               .protocols = allowedProtocols(options),
                                               .userAgent = userAgentOf(options),
                                               .resolve = std::move(resolve)});
    return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

Result<ApiResponse> ApiClient::call(const ApiRequest &request) const
{
    const std::string where = sanitized(request.method) + " " + sanitized(request.url);
    if (!knownMethod(request.method))
        return fail(ErrorCode::InvalidArgument, where + ": unsupported method");
    OIDFED_TRY(CheckedUrl url, checkUrl(request.url, impl_->options.allowHttp, where));

    WipedHeaders headers;
    if ((request.accept + request.contentType).find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        return fail(ErrorCode::InvalidArgument, where + ": the Accept or Content-Type value contains a line break");
    bool built = headers.append("Accept: " + request.accept) && headers.append("Expect:");
    if (request.jsonBody)
        built = built && headers.append("Content-Type: " + request.contentType);
    for (const std::string &header : request.headers) {
        if (header.find_first_of("\r\n") != std::string::npos || header.find('\0') != std::string::npos)
            return fail(ErrorCode::InvalidArgument, where + ": a request header contains a line break");
        built = built && headers.append(header);
    }
    if (!built)
        return fail(ErrorCode::Internal, where + ": curl_slist_append failed");

    OIDFED_TRY(CurlPtr easy, newGuardedEasyHandle(EasySetup{.options = impl_->options,
                                                            .protocols = impl_->protocols,
                                                            .userAgent = impl_->userAgent,
                                                            .resolve = impl_->resolve.get()}));
    DestinationCheck check{.guard = &impl_->guard, .refused = std::nullopt};
    Received received{.maxBytes = impl_->options.maxResponseBytes};
    std::array<char, CURL_ERROR_SIZE> errorText{};
    CURL *e = easy.get();
    const CURLcode codes[] = {
        curl_easy_setopt(e, CURLOPT_CURLU, url.url.get()),
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get()),
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.totalTimeout.count())),
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &onBody),
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &received),
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &check),
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errorText.data()),
        request.jsonBody ? curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                                            static_cast<curl_off_t>(request.jsonBody->size()))
                         : CURLE_OK,
        request.jsonBody ? curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.jsonBody->c_str()) : CURLE_OK,
        // After the body options, which would make it a POST.
        request.method == "GET" ? CURLE_OK : curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str()),
    };
    if (std::any_of(std::begin(codes), std::end(codes), [](CURLcode c) { return c != CURLE_OK; }))
        return fail(ErrorCode::Internal, where + ": cannot configure the transfer");

    const CURLcode code = curl_easy_perform(e);
    if (code == CURLE_COULDNT_CONNECT && check.refused)
        return fail(ErrorCode::InvalidArgument, where + ": " + check.refused->message);
    if (received.tooLarge || code == CURLE_FILESIZE_EXCEEDED)
        return fail(ErrorCode::LimitExceeded, where + ": response larger than " +
                                                  std::to_string(impl_->options.maxResponseBytes) + " bytes");
    if (code != CURLE_OK) {
        const std::string reason = errorText[0] ? errorText.data() : curl_easy_strerror(code);
        return fail(code == CURLE_OPERATION_TIMEDOUT ? ErrorCode::Timeout : ErrorCode::Unavailable,
                    where + ": " + sanitized(reason));
    }
    ApiResponse response;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    char *contentType = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &contentType) == CURLE_OK && contentType)
        response.contentType = contentType;
    response.body = std::move(received.body);
    return response;
}

} // namespace oidfed::fetch
