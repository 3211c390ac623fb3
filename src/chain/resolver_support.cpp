// Pieces of ResolverImpl that resolve() calls: validation with trust mark
// issuers (and the status checker), the shared (replica) cache, and trust
// mark issuer chains.

#include "chain/resolver_impl.h"

#include <algorithm>

#include "chain/validator.h"

namespace oidfed::detail {

// The validator, with the request's entity types and, in Subject scope,
// trust mark issuers resolved through this resolver and the status policy.
Result<TrustChain> ResolverImpl::validateStatements(const std::vector<const EntityStatement *> &statements,
                                                   const TrustAnchor &anchor, const ResolveRequest &request,
                                                   ResolveScope scope, UnixTime now)
{
    ChainValidationOptions validation = validation_;
    validation.entityTypes = request.entityTypes;
    TrustMarkIssuerKeys issuerKeys = [this, &anchor, &request](const EntityId &issuer) {
        return trustMarkIssuerKeys(issuer, anchor, request.at);
    };
    // The status policy needs the present: a resolution as of another time
    // (--at) judges marks by signature and expiry only.
    TrustMarkStatusCheck status = [this, &anchor, now](const VerifiedTrustMark &mark) {
        return statusChecker_.check(mark, anchor, now, [this, &anchor](const EntityId &issuer) {
            return trustMarkIssuerChain(issuer, anchor, std::nullopt, "8.4 trust mark status");
        });
    };
    const bool subjectScope = scope == ResolveScope::Subject;
    const bool checkStatus = subjectScope && !request.at && statusChecker_.enabled();
    detail::ValidationContext context{anchor, now, validation, registry_, subjectScope ? &issuerKeys : nullptr, &memo_,
                                      checkStatus ? &status : nullptr};
    return detail::validateChain(statements, context);
}

// A chain another replica resolved, from the shared cache. Redis is not a
// trust boundary (threats J01, J06): the statements are parsed and the whole
// chain validated again, here and now; anything that fails is a miss, and
// the entry is dropped.
std::shared_ptr<const TrustChain> ResolverImpl::sharedChain(const std::string &key,
                                                            const std::vector<const TrustAnchor *> &anchors,
                                                            const ResolveRequest &request, ResolveScope scope,
                                                            UnixTime now)
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
    auto chain = validateStatements(pointers, **anchor, request, scope, now);
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
    ResolveRequest request;
    request.subject = issuer.str();
    request.trustAnchors = {anchor.entityId.str()};
    request.at = at;
    ResolveOutcome outcome = resolveIn(request, ResolveScope::TrustMarkIssuer);
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

UnixTime ResolverImpl::cacheUntil(const TrustChain &chain, UnixTime now) const
{
    UnixTime until = std::min<UnixTime>(chain.expiresAt(), now + options_.maxCacheTtl.count());
    if (statusChecker_.carriesCheckedMarks(chain))
        until = std::min<UnixTime>(until, now + statusChecker_.cacheTtl().count());
    return until;
}

} // namespace oidfed::detail
