#include "server/resolve_endpoint.h"

#include <algorithm>

#include <oidfed/resolve_response.h>

#include "server/http_responses.h"

namespace oidfed::server {

namespace {

std::string responseKey(const std::string &subject, const std::vector<std::string> &anchors,
                        std::vector<std::string> types)
{
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    // '\n' cannot occur in a decoded parameter (control characters are refused).
    std::string key = subject;
    for (const std::string &anchor : anchors)
        key.append("\na=").append(anchor);
    for (const std::string &type : types)
        key.append("\nt=").append(type);
    return key;
}

} // namespace

ResolveEndpoint::ResolveEndpoint(std::shared_ptr<const entity::HostedEntity> self, std::unique_ptr<Resolver> resolver,
                                 const ResolveEndpointOptions &options, const TrustMarkVerificationOptions &marks,
                                 Shared shared)
    : self_(std::move(self)), resolver_(std::move(resolver)), options_(options), marks_(marks), gate_(shared.gate),
      clients_(shared.clients), metrics_(shared.metrics)
{
}

std::optional<ResolveEndpoint::Reusable> ResolveEndpoint::lookup(const std::string &key, UnixTime now)
{
    std::lock_guard lock(mutex_);
    auto it = responses_.find(key);
    if (it == responses_.end())
        return std::nullopt;
    if (now >= it->second.reuseUntil) {
        order_.erase(it->second.lru);
        responses_.erase(it);
        return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second.lru);
    return Reusable{it->second.document, it->second.reuseUntil};
}

void ResolveEndpoint::store(const std::string &key, entity::DocumentPtr document, UnixTime reuseUntil)
{
    if (options_.responseCacheMaxEntries == 0)
        return;
    std::lock_guard lock(mutex_);
    auto it = responses_.find(key);
    if (it != responses_.end()) {
        it->second.document = std::move(document);
        it->second.reuseUntil = reuseUntil;
        order_.splice(order_.begin(), order_, it->second.lru);
        return;
    }
    order_.push_front(key);
    responses_.emplace(key, Entry{std::move(document), reuseUntil, order_.begin()});
    while (responses_.size() > options_.responseCacheMaxEntries) {
        responses_.erase(order_.back());
        order_.pop_back();
    }
}

HttpResponse ResolveEndpoint::failure(const Error &error)
{
    metrics_.countResolveFailure(errorCodeName(error.code));
    // A subject the resolver cannot reach is the request's subject problem.
    if (error.code == ErrorCode::NotFound)
        return errorResponse("invalid_subject", error.message);
    return errorResponse(error);
}

HttpResponse ResolveEndpoint::handle(const QueryParams &params, UnixTime now, std::string_view ifNoneMatch,
                                     std::string_view clientAddress, const CallerBudget *caller)
{
    auto subject = params.single("sub");
    if (!subject)
        return errorResponse("invalid_request", subject.error().message);
    if (!*subject || (*subject)->empty())
        return errorResponse("invalid_request", "the sub parameter is required");
    std::vector<std::string> requested = params.all("trust_anchor");
    if (requested.empty())
        return errorResponse("invalid_request", "the trust_anchor parameter is required");
    std::vector<std::string> types = params.all("entity_type");
    if (std::any_of(types.begin(), types.end(), [](const std::string &type) { return type.empty(); }))
        return errorResponse("invalid_request", "an entity_type parameter is empty");

    // Any requested anchor may be used, never another one (threat G06);
    // requested anchors this resolver does not trust are skipped.
    std::vector<std::string> anchors;
    for (const std::string &anchor : requested) {
        bool known = std::any_of(resolver_->trustAnchors().begin(), resolver_->trustAnchors().end(),
                                 [&](const TrustAnchor &configured) { return configured.entityId.str() == anchor; });
        if (known && std::find(anchors.begin(), anchors.end(), anchor) == anchors.end())
            anchors.push_back(anchor);
    }
    if (anchors.empty())
        return errorResponse("invalid_trust_anchor", "none of the requested trust anchors is configured here");

    const std::string key = responseKey(**subject, anchors, types);
    // Clients are told to cache a response no longer than this server
    // reuses it (responseCacheTtl, the status cache time of checked marks).
    if (std::optional<Reusable> cached = lookup(key, now)) {
        metrics_.countResolve("signed-cache");
        return documentResponse(kResolveResponseMediaType, *cached->document, now, cached->reuseUntil - now,
                                ifNoneMatch);
    }

    ResolveRequest request{.subject = **subject, .trustAnchors = anchors, .entityTypes = types};
    request.cacheOnly = true;
    ResolveOutcome outcome = resolver_->resolve(request);
    if (outcome.report.source == "miss") {
        if (!options_.onDemand || (!caller && !options_.anonymousOnDemand)) {
            metrics_.countResolve("miss");
            return errorResponse("invalid_subject", "the subject has not been resolved yet and this resolver "
                                                    "answers from its cache only");
        }
        // The client's own limits first, so that one client never takes the
        // whole process-wide gate (threat B07).
        ClientLimiter::Admission admission;
        if (caller) {
            admission = caller->limiter.admit(caller->key, ClientLimiter::Clock::now());
            if (!admission) {
                metrics_.countClientLimited(clientLimitReason(admission.verdict));
                return clientLimitedResponse(admission.retryAfter);
            }
        } else if (!clientAddress.empty()) {
            admission = clients_.admit(clientKey(clientAddress), ClientLimiter::Clock::now());
            if (!admission) {
                metrics_.countClientLimited(clientLimitReason(admission.verdict));
                return clientLimitedResponse(admission.retryAfter);
            }
        }
        OnDemandSlot slot(gate_, options_.maxConcurrentOnDemand);
        if (!slot.acquired()) {
            metrics_.countOnDemandRejected();
            HttpResponse busy = errorResponse("temporarily_unavailable", "too many resolutions in progress");
            busy.addHeader("Retry-After", "1");
            return busy;
        }
        request.cacheOnly = false;
        outcome = resolver_->resolve(request);
        metrics_.countFetches(outcome.report.fetches);
        for (const ResolveAlarm &alarm : outcome.report.alarms)
            metrics_.countResolveAlarm(resolveAlarmKindName(alarm.kind));
    }
    metrics_.countResolve(outcome.report.source);
    if (!outcome.chain)
        return failure(outcome.chain.error());

    const TrustChain &chain = **outcome.chain;
    auto jwt = issueResolveResponse(chain, self_->entityId(), now, self_->keys().activeKey());
    if (!jwt)
        return failure(jwt.error());
    entity::DocumentPtr document = entity::makeSignedDocument(std::move(jwt).value(), now, chain.expiresAt());
    UnixTime reuseUntil = std::min<UnixTime>(chain.expiresAt(), now + options_.responseCacheTtl.count());
    const auto &checked = marks_.statusCheckedTypes;
    for (const VerifiedTrustMark &mark : chain.trustMarks())
        if (std::find(checked.begin(), checked.end(), mark.trustMarkType) != checked.end())
            reuseUntil = std::min<UnixTime>(reuseUntil, now + marks_.statusCacheTtl.count());
    store(key, document, reuseUntil);
    return documentResponse(kResolveResponseMediaType, *document, now, reuseUntil - now, ifNoneMatch);
}

} // namespace oidfed::server
