#include "fetch/transfer.h"

#include <algorithm>
#include <string>
#include <utility>

#include <curl/curl.h>

#include <oidfed/json.h>

#include "fetch/media_type.h"

namespace oidfed::fetch {

/// A short, printable excerpt of untrusted text for an error message.
std::string sanitized(std::string_view text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 200))
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
    return out;
}

size_t onWrite(char *data, size_t size, size_t count, void *userdata)
{
    auto *t = static_cast<Transfer *>(userdata);
    const size_t bytes = size * count;
    if (!t->sawBody) {
        t->sawBody = true;
        curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &t->status);
        if (t->status != 200) {
            t->maxBytes = std::min(t->maxBytes, kMaxErrorBodyBytes);
        } else if (!t->request->expectedMediaType.empty()) {
            char *contentType = nullptr;
            curl_easy_getinfo(t->easy.get(), CURLINFO_CONTENT_TYPE, &contentType);
            if (!contentType || !mediaTypeMatches(contentType, t->request->expectedMediaType)) {
                t->wrongType = true;
                return 0;  // aborts the transfer: the body is not wanted
            }
        }
    }
    if (bytes > t->maxBytes - t->body.size()) {
        t->tooLarge = t->status == 200;
        return 0;  // aborts the transfer at the cap
    }
    t->body.append(data, bytes);
    return bytes;
}

Result<FetchResponse> transferResult(Transfer &t, CURLcode code, std::size_t maxResponseBytes)
{
    const FetchRequest &request = *t.request;
    const std::string where = "GET " + sanitized(request.url);
    long status = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    char *contentTypeRaw = nullptr;
    curl_easy_getinfo(t.easy.get(), CURLINFO_CONTENT_TYPE, &contentTypeRaw);
    const std::string contentType = contentTypeRaw ? contentTypeRaw : "";

    if (code == CURLE_COULDNT_CONNECT && t.addressCheck.refused)
        return fail(ErrorCode::InvalidArgument, where + ": " + t.addressCheck.refused->message);

    if (status != 0 && status != 200) {
        std::string message = where + ": HTTP " + std::to_string(status);
        if (status >= 300 && status < 400)
            message += " (redirects are not followed)";
        if (mediaTypeMatches(contentType, "application/json")) {
            if (auto json = parseJson(t.body); json && json->isObject()) {
                if (const std::string *error = json->findString("error"))
                    message += ": " + sanitized(*error);
                if (const std::string *description = json->findString("error_description"))
                    message += ": " + sanitized(*description);
            }
        }
        const bool gone = status == 404 || status == 410;
        return fail(gone ? ErrorCode::NotFound : ErrorCode::Unavailable, std::move(message));
    }

    if (t.tooLarge || code == CURLE_FILESIZE_EXCEEDED)
        return fail(ErrorCode::LimitExceeded,
                    where + ": response larger than " + std::to_string(maxResponseBytes) + " bytes");

    const bool typeOk = request.expectedMediaType.empty() || mediaTypeMatches(contentType, request.expectedMediaType);
    if (t.wrongType || (code == CURLE_OK && !typeOk))
        return fail(ErrorCode::Malformed, where + ": Content-Type '" + sanitized(contentType) + "' is not " +
                                              request.expectedMediaType);

    if (code != CURLE_OK) {
        const std::string reason = t.errorText[0] ? t.errorText.data() : curl_easy_strerror(code);
        ErrorCode errorCode = ErrorCode::Unavailable;
        if (code == CURLE_OPERATION_TIMEDOUT)
            errorCode = ErrorCode::Timeout;
        else if (code == CURLE_URL_MALFORMAT)
            errorCode = ErrorCode::InvalidArgument;
        else if (code == CURLE_OUT_OF_MEMORY)
            errorCode = ErrorCode::Internal;
        return fail(errorCode, where + ": " + sanitized(reason));
    }

    FetchResponse response;
    response.status = static_cast<int>(status);
    response.contentType = contentType;
    response.body = std::move(t.body);
    char *remote = nullptr;
    if (curl_easy_getinfo(t.easy.get(), CURLINFO_PRIMARY_IP, &remote) == CURLE_OK && remote)
        response.remoteAddress = remote;
    return response;
}

} // namespace oidfed::fetch
