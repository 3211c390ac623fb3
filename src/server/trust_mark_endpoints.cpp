#include "server/trust_mark_endpoints.h"

#include <oidfed/json.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "fetch/media_type.h"
#include "server/entity_endpoints.h"
#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

// A marks's parameters may be long (a delegation inside): the status body's
// one value is allowed up to 64 KiB, still under maxRequestBytes' bound.
constexpr QueryLimits kStatusBodyLimits{.maxBytes = 65536, .maxParameters = 64, .maxValueBytes = 65536};

// A single, non-empty parameter; the error response otherwise.
Result<std::string> requiredParam(const QueryParams &params, std::string_view name)
{
    auto value = params.single(name);
    if (!value)
        return fail(ErrorCode::InvalidArgument, value.error().message);
    if (!*value || (*value)->empty())
        return fail(ErrorCode::InvalidArgument, "the " + std::string(name) + " parameter is required");
    return **value;
}

HttpResponse notFound(const Error &error)
{
    if (error.code == ErrorCode::NotFound)
        return errorResponse("not_found", error.message);
    logLine(LogLevel::Error, "trust mark signing failed: " + error.describe());
    return errorResponse("server_error", "the trust mark could not be signed");
}

} // namespace

HttpResponse trustMarkEndpoint(const entity::TrustMarkIssuer &issuer, const QueryParams &params,
                               const EntityIdOptions &idOptions, UnixTime now, std::string_view ifNoneMatch)
{
    auto type = requiredParam(params, "trust_mark_type");
    if (!type)
        return errorResponse("invalid_request", type.error().message);
    auto sub = requiredParam(params, "sub");
    if (!sub)
        return errorResponse("invalid_request", sub.error().message);
    auto subject = EntityId::parse(*sub, idOptions);
    if (!subject)
        return errorResponse("invalid_request", "sub is not a valid Entity Identifier");
    auto document = issuer.mark(*type, subject->str(), now);
    if (!document)
        return notFound(document.error());
    return documentResponse(kTrustMarkMediaType, **document, now, kMaxDocumentAge, ifNoneMatch);
}

HttpResponse trustMarkListEndpoint(const entity::TrustMarkIssuer &issuer, const QueryParams &params,
                                   const EntityIdOptions &idOptions, UnixTime now)
{
    auto type = requiredParam(params, "trust_mark_type");
    if (!type)
        return errorResponse("invalid_request", type.error().message);
    auto sub = params.single("sub");
    if (!sub)
        return errorResponse("invalid_request", sub.error().message);
    std::optional<std::string> subject;
    if (*sub) {
        auto parsed = EntityId::parse(**sub, idOptions);
        if (!parsed)
            return errorResponse("invalid_request", "sub is not a valid Entity Identifier");
        subject = parsed->str();
    }
    auto holders = issuer.holders(*type, subject ? std::optional<std::string_view>(*subject) : std::nullopt, now);
    if (!holders)
        return errorResponse("not_found", holders.error().message);
    Json array = Json::array();
    for (const std::string &id : *holders)
        array.push(id);
    std::string body = array.dump();
    std::string etag = entity::strongEtag(body);
    return cacheableResponse("application/json", std::move(body), std::move(etag), 0, {});
}

HttpResponse trustMarkStatusEndpoint(const entity::TrustMarkIssuer &issuer, const HttpRequest &request, UnixTime now)
{
    if (!fetch::mediaTypeMatches(request.contentType, kFormMediaType))
        return errorResponse("invalid_request", "the request body must be application/x-www-form-urlencoded");
    auto params = QueryParams::parse(request.body, kStatusBodyLimits);
    if (!params)
        return errorResponse("invalid_request", params.error().message);
    auto jwt = requiredParam(*params, "trust_mark");
    if (!jwt)
        return errorResponse("invalid_request", jwt.error().message);
    auto status = issuer.status(*jwt, now);
    if (!status) {
        if (status.error().code == ErrorCode::NotFound)
            return errorResponse("not_found", status.error().message);
        return errorResponse("invalid_request", status.error().message);
    }
    auto signedStatus = issuer.signStatus(*jwt, *status, now);
    if (!signedStatus) {
        logLine(LogLevel::Error, "trust mark status signing failed: " + signedStatus.error().describe());
        return errorResponse("server_error", "the status response could not be signed");
    }
    HttpResponse response;
    response.contentType = std::string(kTrustMarkStatusResponseMediaType);
    response.body = std::move(signedStatus).value();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

} // namespace oidfed::server
