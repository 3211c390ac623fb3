#include "server/http_responses.h"

#include <algorithm>
#include <cstdint>

#include <oidfed/error_json.h>
#include <oidfed/json.h>

namespace oidfed::server {

namespace {

constexpr std::size_t kMaxDescriptionBytes = 512;

std::string sanitizedDescription(std::string_view text)
{
    std::string out;
    out.reserve(std::min(text.size(), kMaxDescriptionBytes));
    for (char c : text) {
        if (out.size() >= kMaxDescriptionBytes) {
            // Do not cut a UTF-8 sequence in two.
            while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
                out.pop_back();
            if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0)
                out.pop_back();
            out += "...";
            break;
        }
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c;
    }
    return out;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

std::string_view withoutWeakPrefix(std::string_view tag)
{
    if (tag.substr(0, 2) == "W/")
        tag.remove_prefix(2);
    return tag;
}

} // namespace

int statusForSpecError(std::string_view code) noexcept
{
    if (code == "invalid_request" || code == "invalid_trust_chain" || code == "invalid_metadata" ||
        code == "unsupported_parameter" || code == "invalid_client_metadata" || code == "invalid_redirect_uri" ||
        code == "invalid_request_object")
        return 400;
    if (code == "invalid_client")
        return 401;
    if (code == "invalid_issuer" || code == "invalid_subject" || code == "invalid_trust_anchor" || code == "not_found")
        return 404;
    if (code == "temporarily_unavailable")
        return 503;
    return 500;
}

HttpResponse errorResponse(std::string_view specCode, std::string_view description)
{
    Json body = Json::object();
    body.set("error", std::string(specCode));
    body.set("error_description", sanitizedDescription(description));
    HttpResponse response;
    response.status = statusForSpecError(specCode);
    response.contentType = "application/json";
    response.body = body.dump();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse errorResponse(const Error &error)
{
    std::string description = error.message;
    if (!error.rule.empty())
        description += " (rule " + error.rule + ")";
    return errorResponse(specErrorCode(error.code), description);
}

HttpResponse detailedErrorResponse(const Error &error, int status, std::string_view specCode)
{
    Json body = errorToJson(error, specCode);
    std::string description = error.message;
    if (!error.rule.empty())
        description += " (rule " + error.rule + ")";
    body.set("error_description", sanitizedDescription(description));
    for (const char *member : {"rule", "claim", "entity_id"})
        if (const std::string *value = body.findString(member))
            body.set(member, sanitizedDescription(*value));
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json";
    response.body = body.dump();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponse clientLimitedResponse(std::chrono::seconds retryAfter)
{
    HttpResponse response = errorResponse("temporarily_unavailable",
                                          "too many resolutions on demand from this client; retry later");
    response.status = 429;
    response.addHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, retryAfter.count())));
    return response;
}

bool etagMatches(std::string_view ifNoneMatch, std::string_view etag) noexcept
{
    ifNoneMatch = trim(ifNoneMatch);
    if (ifNoneMatch.empty())
        return false;
    if (ifNoneMatch == "*")
        return true;
    while (!ifNoneMatch.empty()) {
        std::size_t comma = ifNoneMatch.find(',');
        std::string_view tag = trim(ifNoneMatch.substr(0, comma));
        if (withoutWeakPrefix(tag) == withoutWeakPrefix(etag))
            return true;
        if (comma == std::string_view::npos)
            break;
        ifNoneMatch.remove_prefix(comma + 1);
    }
    return false;
}

HttpResponse cacheableResponse(std::string_view contentType, std::string body, std::string etag,
                               std::int64_t maxAgeSeconds, std::string_view ifNoneMatch)
{
    HttpResponse response;
    response.addHeader("Cache-Control", "max-age=" + std::to_string(std::max<std::int64_t>(0, maxAgeSeconds)));
    if (etagMatches(ifNoneMatch, etag)) {
        response.status = 304;
        response.addHeader("ETag", std::move(etag));
        return response;
    }
    response.status = 200;
    response.contentType = contentType;
    response.body = std::move(body);
    response.addHeader("ETag", std::move(etag));
    return response;
}

HttpResponse documentResponse(std::string_view contentType, const entity::SignedDocument &document, UnixTime now,
                              std::int64_t maxAgeCap, std::string_view ifNoneMatch)
{
    std::int64_t maxAge = std::min<std::int64_t>(document.expiresAt - now, maxAgeCap);
    return cacheableResponse(contentType, document.body, document.etag, maxAge, ifNoneMatch);
}

} // namespace oidfed::server
