#include "server/registration_endpoint.h"

#include <oidfed/entity_statement.h>

#include "fetch/media_type.h"
#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

constexpr std::string_view kEntityStatementMediaType = "application/entity-statement+jwt";

HttpResponse refusal(int status, std::string_view description)
{
    HttpResponse response = errorResponse("invalid_request", description);
    response.status = status;
    return response;
}

bool storeUnavailable(const Error &error)
{
    return error.code == ErrorCode::Unavailable || error.code == ErrorCode::Timeout;
}

} // namespace

RegistrationEndpoint::RegistrationEndpoint(EntityId op, Parts parts, ResolveEndpoint::Shared shared)
    : op_(std::move(op)), resolver_(std::move(parts.resolver)), policy_(std::move(parts.policy)),
      requestOptions_(std::move(parts.request)), validation_(std::move(parts.validation)), store_(std::move(parts.store)), shared_(std::move(parts.shared)),
      limits_(parts.limits), limiters_(shared)
{
}

HttpResponse RegistrationEndpoint::handle(const HttpRequest &request, const entity::HostedEntity &self, UnixTime now)
{
    // The cheapest refusals first: size and media type (12.2.2 step 1),
    // then the per-client limits, before any signature or resolution.
    if (request.body.size() > requestOptions_.maxBodyBytes) {
        limiters_.metrics.countRegistration("invalid_request");
        return refusal(413, "the request body is larger than " + std::to_string(requestOptions_.maxBodyBytes) +
                                " bytes (explicit_registration.max_body_bytes)");
    }
    if (!fetch::mediaTypeMatches(request.contentType, kEntityStatementMediaType) &&
        !fetch::mediaTypeMatches(request.contentType, kTrustChainMediaType)) {
        limiters_.metrics.countRegistration("invalid_request");
        return refusal(415, "the Content-Type must be " + std::string(kEntityStatementMediaType) + " or " +
                                std::string(kTrustChainMediaType) + " (rule 12.2.2 step 1)");
    }
    ClientLimiter::Admission admission;
    if (!request.clientAddress.empty()) {
        admission = limiters_.clients.admit(clientKey(request.clientAddress), ClientLimiter::Clock::now());
        if (!admission) {
            limiters_.metrics.countClientLimited(clientLimitReason(admission.verdict));
            return clientLimitedResponse(admission.retryAfter);
        }
    }
    OnDemandSlot slot(limiters_.gate, limits_.maxConcurrentOnDemand);
    if (!slot.acquired()) {
        limiters_.metrics.countOnDemandRejected();
        HttpResponse busy = errorResponse("temporarily_unavailable", "too many resolutions in progress");
        busy.addHeader("Retry-After", "1");
        return busy;
    }
    HttpResponse response = registerRp(request, self, now);
    if (response.status != 200)
        if (auto error = parseJson(response.body); error && error->findString("error"))
            limiters_.metrics.countRegistration(*error->findString("error"));
    return response;
}

HttpResponse RegistrationEndpoint::registerRp(const HttpRequest &request, const entity::HostedEntity &self,
                                              UnixTime now)
{
    auto parsed = parseRegistrationRequest(request.body, request.contentType, op_, now, requestOptions_);
    if (!parsed)
        return errorResponse(parsed.error());
    auto registration = registerClient(
        *parsed,
        RegistrationContext{.op = op_, .resolver = *resolver_, .policy = policy_, .now = now, .validation = validation_});
    limiters_.metrics.countFetches(registration ? registration->report.fetches : 0);
    if (!registration)
        return errorResponse(registration.error());

    ClientRegistration client{.rp = registration->rp.str(),
                              .entityType = registration->entityType,
                              .metadata = registration->clientMetadata,
                              .trustAnchor = registration->trustAnchor.str(),
                              .authorityHint = registration->immediateSuperior.str(),
                              .expiresAt = registration->expiresAt};
    Respond respond = [&](const AssignedClient &assigned) -> Result<SignedResponse> {
        registration->expiresAt = assigned.expiresAt;
        OIDFED_TRY(std::string jwt,
                   issueRegistrationResponse(*registration,
                                             ClientCredentials{.clientId = assigned.clientId, .extra = assigned.extra},
                                             op_, now, self.keys().activeKey()));
        return SignedResponse{.jwt = std::move(jwt), .issuedAt = now, .expiresAt = assigned.expiresAt};
    };
    Result<SignedResponse> signed_ = store_->registerClient(client, now, respond);
    {
        std::lock_guard lock(mutex_);
        if (!signed_ && storeUnavailable(signed_.error()))
            storeFailure_ = signed_.error();
        else if (signed_)
            storeFailure_.reset();
    }
    if (!signed_) {
        const Error &error = signed_.error();
        if (!storeUnavailable(error) && error.code != ErrorCode::InvalidClientMetadata &&
            error.code != ErrorCode::InvalidRedirectUri)
            logLine(LogLevel::Error, "explicit registration of " + client.rp + " at " + op_.str() + ": " +
                                         error.describe());
        return errorResponse(error);
    }
    shared_.put(client.rp, signed_->jwt, signed_->expiresAt, now);
    limiters_.metrics.countRegistration("registered");
    HttpResponse response;
    response.status = 200;
    response.contentType = std::string(kRegistrationResponseMediaType);
    response.body = std::move(signed_->jwt);
    response.addHeader("Cache-Control", "no-store");
    return response;
}

void RegistrationEndpoint::sweep(const entity::HostedEntity &self, UnixTime now)
{
    std::vector<Error> errors;
    std::vector<StoredClient> clients = store_->clients(errors);
    const JwkSet keys = self.keys().publishedKeys(now);
    for (const StoredClient &client : clients) {
        bool replaced = false;
        if (client.expiresAt > now && shared_.enabled()) {
            // Another replica's registration of the RP replaces this one;
            // the one the shared cache holds wins a tie.
            std::optional<SharedRegistration> current = shared_.get(client.rp, keys, now);
            if (current)
                replaced = current->issuedAt > client.issuedAt ||
                           (current->issuedAt == client.issuedAt && current->clientId != client.clientId);
            else if (!client.response.empty())
                shared_.put(client.rp, client.response, client.expiresAt, now);
        }
        if (client.expiresAt > now && !replaced)
            continue;
        if (auto removed = store_->remove(client); !removed) {
            Error error = std::move(removed).error();
            error.message = "the client " + client.clientId + " of " + client.rp + " (" +
                            (replaced ? "registered again elsewhere" : "registration ended") +
                            ") could not be removed: " + error.message;
            errors.push_back(std::move(error.withEntity(client.rp)));
            continue;
        }
        limiters_.metrics.countRegistrationRemoved(replaced ? "replaced" : "expired");
        logLine(LogLevel::Info, "explicit registration of " + client.rp + " at " + op_.str() + " " +
                                    (replaced ? "replaced by a later one elsewhere" : "ended") + ": client " +
                                    client.clientId + " removed (" + std::string(store_->kind()) + " store)");
    }
    std::vector<ItemProblem> problems;
    for (Error &error : errors)
        problems.push_back(ItemProblem{.kind = ItemKind::RegisteredClient,
                                       .item = error.entityId.empty() ? std::string(store_->kind()) : error.entityId,
                                       .error = std::move(error),
                                       .fallback = ItemFallback::Degraded});
    std::lock_guard lock(mutex_);
    sweepProblems_ = std::move(problems);
}

std::vector<ItemProblem> RegistrationEndpoint::problems(const std::string &entityId) const
{
    std::lock_guard lock(mutex_);
    std::vector<ItemProblem> out = sweepProblems_;
    if (storeFailure_)
        out.push_back(ItemProblem{.kind = ItemKind::Registration,
                                  .item = std::string(store_->kind()) + " client store",
                                  .error = *storeFailure_,
                                  .fallback = ItemFallback::Degraded});
    for (ItemProblem &problem : out)
        problem.entity = entityId;
    return out;
}

} // namespace oidfed::server
