#include "server/trust_api_endpoint.h"

#include <algorithm>
#include <optional>

#include <oidfed/jws.h>

#include "fetch/media_type.h"
#include "server/http_responses.h"

namespace oidfed::server {

namespace {

constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

HttpResponse refusal(int status, std::string_view code, std::string_view description)
{
    HttpResponse response = errorResponse(code, description);
    response.status = status;
    return response;
}

bool unavailable(const Error &error)
{
    return error.code == ErrorCode::Unavailable || error.code == ErrorCode::Timeout;
}

/// 401 with the challenge (RFC 6750 3; RFC 6749 5.2: invalid_client).
HttpResponse unauthenticated(const Error &error)
{
    HttpResponse response = detailedErrorResponse(error, 401);
    response.addHeader("WWW-Authenticate", "Bearer");
    return response;
}

/// A verdict about the client: 400 with its code; a fetch or store that
/// failed 503; a fault of the server 500.
HttpResponse verdict(Error error)
{
    // A client whose Entity Configuration is not found is an unknown client.
    if (error.code == ErrorCode::NotFound)
        error.code = ErrorCode::InvalidClient;
    const std::string_view code = specErrorCode(error.code);
    const int status = code == "temporarily_unavailable" ? 503 : code == "server_error" ? 500 : 400;
    HttpResponse response = detailedErrorResponse(error, status);
    if (status == 503)
        response.addHeader("Retry-After", "1");
    return response;
}

/// The unverified iss of a JWT, to see whether its client is cached; empty
/// when it cannot be read (the library refuses it without resolving).
std::string peekIssuer(std::string_view jwt)
{
    auto jws = Jws::parse(jwt);
    if (!jws)
        return {};
    auto claims = parseJson(jws->payload());
    const std::string *iss = claims ? claims->findString("iss") : nullptr;
    return iss ? *iss : std::string();
}

std::string_view pathOf(TrustApiEndpoint::Call call) noexcept
{
    switch (call) {
    case TrustApiEndpoint::Call::Client:
        return kTrustApiClientPath;
    case TrustApiEndpoint::Call::RequestObject:
        return kTrustApiRequestObjectPath;
    case TrustApiEndpoint::Call::ClientAssertion:
        return kTrustApiClientAssertionPath;
    }
    return kTrustApiClientPath;
}

} // namespace

TrustApiEndpoint::TrustApiEndpoint(EntityId self, Parts parts, ResolveEndpoint::Shared shared)
    : self_(std::move(self)), parts_(std::move(parts)), gate_(shared.gate), metrics_(shared.metrics)
{
}

std::string_view TrustApiEndpoint::callName(Call call) noexcept
{
    switch (call) {
    case Call::Client:
        return "client";
    case Call::RequestObject:
        return "request_object";
    case Call::ClientAssertion:
        return "client_assertion";
    }
    return "client";
}

HttpResponse TrustApiEndpoint::handle(Call call, const HttpRequest &request, UnixTime now)
{
    HttpResponse response = answer(call, request, now);
    std::string outcome = "ok";
    if (response.status == 401)
        outcome = "unauthenticated";
    else if (response.status == 429)
        outcome = "caller_limited";
    else if (response.status == 413)
        outcome = "too_large";
    else if (response.status == 415)
        outcome = "unsupported_media_type";
    else if (response.status != 200)
        if (auto body = parseJson(response.body); body && body->findString("error"))
            outcome = *body->findString("error");  // a spec error code: a fixed set
    metrics_.countTrustApi(callName(call), outcome);
    return response;
}

TrustApiEndpoint::AuthenticatedPost TrustApiEndpoint::authenticatePost(const HttpRequest &request,
                                                                       std::string_view endpointPath, UnixTime now)
{
    AuthenticatedPost out;
    if (request.body.size() > parts_.maxBodyBytes) {
        out.refusal = refusal(413, "invalid_request",
                              "the request body is larger than " + std::to_string(parts_.maxBodyBytes) +
                                  " bytes (trust_api.max_body_bytes)");
        return out;
    }
    if (!fetch::mediaTypeMatches(request.contentType, kFormMediaType)) {
        out.refusal = refusal(415, "invalid_request", "the Content-Type must be " + std::string(kFormMediaType));
        return out;
    }
    auto params = QueryParams::parse(
        request.body, QueryLimits{.maxBytes = parts_.maxBodyBytes, .maxParameters = 64, .maxValueBytes = parts_.maxBodyBytes});
    if (!params) {
        out.refusal = errorResponse("invalid_request", params.error().message);
        return out;
    }
    Result<const TrustApiCaller *> caller =
        !request.authorization.empty()
            ? Result<const TrustApiCaller *>(fail(Error(ErrorCode::InvalidClient,
                                                        "federation endpoints take spec 8.8 private_key_jwt client "
                                                        "authentication only, not a bearer token")
                                                      .withRule("8.8 client authentication")))
        : !TrustApiCallers::presentsAssertion(*params)
            ? Result<const TrustApiCaller *>(fail(Error(ErrorCode::InvalidClient,
                                                        "a POST to a federation endpoint needs client_assertion_type "
                                                        "and client_assertion (spec 8.8), or use GET")
                                                      .withRule("8.8 client authentication")))
            : parts_.callers->authenticate(TrustApiCallers::Presented{.authorization = {},
                                                                .params = *params,
                                                                .endpointUrl = self_.str() + std::string(endpointPath)},
                                     now, *parts_.resolver, *parts_.replay);
    metrics_.countTrustApi("federation_endpoint", caller ? "ok" : "unauthenticated");
    if (!caller) {
        out.refusal = unavailable(caller.error()) ? verdict(caller.error()) : unauthenticated(caller.error());
        return out;
    }
    out.params = std::move(params).value();
    out.caller = *caller;
    return out;
}

bool TrustApiEndpoint::resolvesOnDemand(const std::string &subject)
{
    if (subject.empty())
        return false;
    ResolveRequest probe{.subject = subject, .trustAnchors = parts_.options.trustAnchors,
                         .entityTypes = {parts_.options.entityType}};
    probe.cacheOnly = true;
    return parts_.resolver->resolve(probe).report.source == "miss";
}

HttpResponse TrustApiEndpoint::answer(Call call, const HttpRequest &request, UnixTime now)
{
    if (request.body.size() > parts_.maxBodyBytes)
        return refusal(413, "invalid_request",
                       "the request body is larger than " + std::to_string(parts_.maxBodyBytes) +
                           " bytes (trust_api.max_body_bytes)");
    if (!fetch::mediaTypeMatches(request.contentType, kFormMediaType))
        return refusal(415, "invalid_request", "the Content-Type must be " + std::string(kFormMediaType));
    auto params = QueryParams::parse(
        request.body, QueryLimits{.maxBytes = parts_.maxBodyBytes, .maxParameters = 16, .maxValueBytes = parts_.maxBodyBytes});
    if (!params)
        return errorResponse("invalid_request", params.error().message);

    // Who asks, before anything is resolved or fetched for the request.
    const std::string endpointUrl = self_.str() + std::string(pathOf(call));
    auto caller = parts_.callers->authenticate(
        TrustApiCallers::Presented{.authorization = request.authorization, .params = *params, .endpointUrl = endpointUrl},
        now, *parts_.resolver, *parts_.replay);
    if (!caller)
        return unavailable(caller.error()) ? verdict(caller.error()) : unauthenticated(caller.error());
    ClientLimiter::Admission admission = parts_.callerLimits->admit((*caller)->name, ClientLimiter::Clock::now());
    if (!admission) {
        HttpResponse limited = refusal(429, "temporarily_unavailable", "too many calls from this caller; retry later");
        limited.addHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, admission.retryAfter.count())));
        return limited;
    }

    const std::string_view name = call == Call::Client            ? "client_id"
                                  : call == Call::RequestObject ? "request"
                                                                : "assertion";
    auto subject = params->single(name);
    auto clientId = params->single("client_id");
    if (!subject || !clientId)
        return errorResponse("invalid_request", (!subject ? subject : clientId).error().message);
    if (!*subject || (*subject)->empty())
        return errorResponse("invalid_request", "the " + std::string(name) + " parameter is required");

    // A client not cached is resolved under the process-wide gate.
    std::optional<OnDemandSlot> slot;
    if (resolvesOnDemand(call == Call::Client ? **subject : peekIssuer(**subject))) {
        slot.emplace(gate_, parts_.maxConcurrentOnDemand);
        if (!slot->acquired()) {
            metrics_.countOnDemandRejected();
            HttpResponse busy = errorResponse("temporarily_unavailable", "too many resolutions in progress");
            busy.addHeader("Retry-After", "1");
            return busy;
        }
    }
    AutomaticRegistrationContext context{.op = self_, .resolver = *parts_.resolver, .keys = *parts_.keys, .replay = *parts_.replay,
                                         .now = now, .validation = parts_.validation,
                                         .assertionAudiences = parts_.assertionAudiences};
    const std::string clientIdParameter = *clientId ? **clientId : std::string();
    Result<VerifiedClient> verified =
        call == Call::Client          ? lookupClient(**subject, context, parts_.options)
        : call == Call::RequestObject ? verifyRequestObject(**subject, context, parts_.options, clientIdParameter)
                                      : verifyClientAssertion(**subject, context, parts_.options, clientIdParameter);
    if (verified)
        metrics_.countFetches(verified->report.fetches);
    if (!verified)
        return verdict(std::move(verified).error());
    HttpResponse response;
    response.status = 200;
    response.contentType = "application/json";
    response.body = verifiedClientJson(*verified).dump();
    response.addHeader("Cache-Control", "no-store");
    return response;
}

} // namespace oidfed::server
