// Pieces of ResolverImpl that resolve() calls: validation with trust mark
// issuers, the shared (replica) cache, and trust mark issuer keys.

#include "chain/resolver_impl.h"

#include <algorithm>

#include <oidfed/cache_key.h>
#include <oidfed/federation_urls.h>
#include <oidfed/trust_mark_status.h>

#include "chain/validator.h"
#include "statement/claims.h"

namespace oidfed::detail {

thread_local int trustMarkIssuerDepth = 0;

// The validator, with the request's entity types and trust mark issuers
// resolved through this resolver.
Result<TrustChain> ResolverImpl::validateStatements(const std::vector<const EntityStatement *> &statements,
                                                   const TrustAnchor &anchor, const ResolveRequest &request,
                                                   UnixTime now)
{
    ChainValidationOptions validation = validation_;
    validation.entityTypes = request.entityTypes;
    TrustMarkIssuerKeys issuerKeys = [this, &anchor, &request](const EntityId &issuer) {
        return trustMarkIssuerKeys(issuer, anchor, request.at);
    };
    // The status policy needs the present: a resolution as of another time
    // (--at) judges marks by signature and expiry only.
    TrustMarkStatusCheck status = [this, &anchor, now](const VerifiedTrustMark &mark) {
        return trustMarkStatus(mark, anchor, now);
    };
    const bool checkStatus = trustMarkIssuerDepth == 0 && !request.at && !options_.trustMarks.statusCheckedTypes.empty();
    detail::ValidationContext context{anchor, now, validation, registry_,
                                      trustMarkIssuerDepth == 0 ? &issuerKeys : nullptr, &memo_,
                                      checkStatus ? &status : nullptr};
    return detail::validateChain(statements, context);
}

// A chain another replica resolved, from the shared cache. Redis is not a
// trust boundary (threats J01, J06): the statements are parsed and the whole
// chain validated again, here and now; anything that fails is a miss, and
// the entry is dropped.
std::shared_ptr<const TrustChain> ResolverImpl::sharedChain(const std::string &key,
                                                            const std::vector<const TrustAnchor *> &anchors,
                                                            const ResolveRequest &request, UnixTime now)
{
    if (!deps_.cache)
        return nullptr;
    auto entry = deps_.cache->get(key, now);
    if (!entry || entry->negative)
        return nullptr;
    auto drop = [&] {
        deps_.cache->erase(key);
        return nullptr;
    };
    auto json = parseJson(entry->value);
    const std::string *anchorId = json ? json->findString("trust_anchor") : nullptr;
    const Json *jwts = json ? json->find("trust_chain") : nullptr;
    if (!anchorId || !jwts || !jwts->isArray() || jwts->size() == 0)
        return drop();
    auto anchor = std::find_if(anchors.begin(), anchors.end(),
                               [&](const TrustAnchor *a) { return a->entityId.str() == *anchorId; });
    if (anchor == anchors.end())
        return drop();
    std::vector<EntityStatement> parsed;
    for (const Json &jwt : jwts->asArray()) {
        auto statement = jwt.isString() ? EntityStatement::parse(jwt.asString(), validation_.statements)
                                        : Result<EntityStatement>(Unexpected{Error(ErrorCode::Malformed, "not a JWT")});
        if (!statement)
            return drop();
        parsed.push_back(std::move(statement).value());
    }
    std::vector<const EntityStatement *> pointers;
    for (const EntityStatement &statement : parsed)
        pointers.push_back(&statement);
    auto chain = validateStatements(pointers, **anchor, request, now);
    if (!chain || chain->subject().str() != request.subject)
        return drop();
    return std::make_shared<const TrustChain>(std::move(chain).value());
}

void ResolverImpl::shareChain(const std::string &key, const TrustChain &chain, UnixTime until, UnixTime now)
{
    if (!deps_.cache)
        return;
    Json value = Json::object();
    value.set("trust_anchor", chain.trustAnchor().str());
    Json jwts = Json::array();
    for (const std::string &jwt : chain.statements())
        jwts.push(jwt);
    value.set("trust_chain", std::move(jwts));
    deps_.cache->put(key, CacheEntry{value.dump(), until, false, CacheOrigin::Local}, now);
}

// The chain of a trust mark issuer to the same anchor (7.3), resolved one
// level deep: the issuer's own trust marks are not followed.
Result<std::shared_ptr<const TrustChain>> ResolverImpl::trustMarkIssuerChain(const EntityId &issuer,
                                                                           const TrustAnchor &anchor,
                                                                           std::optional<UnixTime> at,
                                                                           std::string_view rule)
{
    ++trustMarkIssuerDepth;
    struct Restore {
        ~Restore() { --trustMarkIssuerDepth; }
    } restore;
    ResolveRequest request;
    request.subject = issuer.str();
    request.trustAnchors = {anchor.entityId.str()};
    request.at = at;
    ResolveOutcome outcome = resolve(request);
    if (!outcome.chain)
        return fail(Error(ErrorCode::NoTrustAnchor, "trust mark issuer " + issuer.str() + " has no valid chain to " +
                                                        anchor.entityId.str() + ": " + outcome.chain.error().message)
                        .withRule(rule)
                        .withEntity(issuer.str()));
    return *outcome.chain;
}

// The Federation Entity Keys of a trust mark issuer, trusted because the
// issuer itself has a valid chain to the same anchor (7.3).
Result<JwkSet> ResolverImpl::trustMarkIssuerKeys(const EntityId &issuer, const TrustAnchor &anchor,
                                                 std::optional<UnixTime> at)
{
    OIDFED_TRY(std::shared_ptr<const TrustChain> chain, trustMarkIssuerChain(issuer, anchor, at, "7.3 trust mark issuer"));
    OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(chain->statements().front(), validation_.statements));
    return configuration.jwks();
}

bool ResolverImpl::carriesStatusCheckedMarks(const TrustChain &chain) const
{
    const auto &types = options_.trustMarks.statusCheckedTypes;
    if (types.empty() || chain.statements().empty())
        return false;
    auto configuration = EntityStatement::parse(chain.statements().front(), validation_.statements);
    const Json *marks = configuration ? configuration->claim("trust_marks") : nullptr;
    if (!marks || !marks->isArray())
        return false;
    for (const Json &entry : marks->asArray())
        if (const std::string *type = entry.findString("trust_mark_type"))
            if (std::find(types.begin(), types.end(), *type) != types.end())
                return true;
    return false;
}

UnixTime ResolverImpl::cacheUntil(const TrustChain &chain, UnixTime now) const
{
    UnixTime until = std::min<UnixTime>(chain.expiresAt(), now + options_.maxCacheTtl.count());
    if (carriesStatusCheckedMarks(chain))
        until = std::min<UnixTime>(until, now + options_.trustMarks.statusCacheTtl.count());
    return until;
}

Result<void> ResolverImpl::trustMarkStatus(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now)
{
    const auto &types = options_.trustMarks.statusCheckedTypes;
    if (std::find(types.begin(), types.end(), mark.trustMarkType) == types.end())
        return ok();
    const std::string key = cacheKey(CacheNamespace::Resolution, {"trust-mark-status", anchor.entityId.str(),
                                                                  anchor.keysFingerprint(), cacheKeyDigest(mark.jwt)});
    if (auto cached = statuses_.get(key, now)) {
        if (cached->failure)
            return fail(*cached->failure);
        return ok();
    }
    Result<void> verdict = askTrustMarkStatus(mark, anchor, now);
    TrustMarkStatusCache::Verdict entry;
    if (!verdict)
        entry.failure = verdict.error();
    statuses_.put(key, std::move(entry), now + options_.trustMarks.statusCacheTtl.count());
    return verdict;
}

// Spec 8.4: POST the mark to the status endpoint its issuer publishes (from
// the issuer's resolved metadata under the same anchor), and verify the
// signed answer with the issuer's keys from that chain.
Result<void> ResolverImpl::askTrustMarkStatus(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now)
{
    const std::string rule = "8.4 trust mark status";
    OIDFED_TRY(EntityId issuer, EntityId::parse(mark.issuer, validation_.statements.entityIds));
    OIDFED_TRY(std::shared_ptr<const TrustChain> chain, trustMarkIssuerChain(issuer, anchor, std::nullopt, rule));
    const Json *federation = chain->metadata().find("federation_entity");
    const std::string *endpoint = federation ? federation->findString("federation_trust_mark_status_endpoint") : nullptr;
    if (!endpoint || !claims::isEndpointUrl(*endpoint, validation_.statements.entityIds.allowHttp))
        return fail(Error(ErrorCode::NotFound, "trust mark issuer " + issuer.str() +
                                                   " publishes no usable federation_trust_mark_status_endpoint")
                        .withRule(rule)
                        .withEntity(issuer.str()));
    OIDFED_TRY(EntityStatement configuration,
               EntityStatement::parse(chain->statements().front(), validation_.statements));
    FetchRequest post{.url = *endpoint, .expectedMediaType = std::string(kTrustMarkStatusResponseMediaType)};
    post.formBody = "trust_mark=" + percentEncode(mark.jwt);
    auto response = deps_.fetcher.fetch(post);
    if (!response)
        return fail(std::move(response).error().withRule(rule).withEntity(issuer.str()));
    auto status = verifyTrustMarkStatusResponse(response->body, configuration.jwks(), issuer, mark.jwt, now,
                                                options_.clockSkew, validation_.statements);
    if (!status)
        return fail(std::move(status).error().withEntity(issuer.str()));
    if (!status->active())
        return fail(Error(ErrorCode::InvalidClaim, "trust mark status is " + status->status)
                        .withRule(rule)
                        .withClaim("status")
                        .withEntity(issuer.str()));
    return ok();
}

} // namespace oidfed::detail
