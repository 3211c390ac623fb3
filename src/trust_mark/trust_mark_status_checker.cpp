#include "trust_mark/trust_mark_status_checker.h"

#include <algorithm>
#include <string>
#include <utility>

#include <oidfed/cache_key.h>
#include <oidfed/federation_urls.h>
#include <oidfed/trust_mark_status.h>

#include "statement/claims.h"

namespace oidfed::detail {

TrustMarkStatusChecker::TrustMarkStatusChecker(const TrustMarkVerificationOptions &options, Fetcher &fetcher,
                                               std::chrono::seconds clockSkew, StatementOptions statements)
    : options_(options), fetcher_(fetcher), clockSkew_(clockSkew), statements_(std::move(statements)),
      cache_(options.statusCacheMaxEntries)
{
}

bool TrustMarkStatusChecker::checks(std::string_view trustMarkType) const
{
    const auto &types = options_.statusCheckedTypes;
    return std::find(types.begin(), types.end(), trustMarkType) != types.end();
}

bool TrustMarkStatusChecker::carriesCheckedMarks(const TrustChain &chain) const
{
    if (!enabled() || chain.statements().empty())
        return false;
    auto configuration = EntityStatement::parse(chain.statements().front(), statements_);
    const Json *marks = configuration ? configuration->claim("trust_marks") : nullptr;
    if (!marks || !marks->isArray())
        return false;
    for (const Json &entry : marks->asArray())
        if (const std::string *type = entry.findString("trust_mark_type"); type && checks(*type))
            return true;
    return false;
}

Result<void> TrustMarkStatusChecker::check(const VerifiedTrustMark &mark, const TrustAnchor &anchor, UnixTime now,
                                           const IssuerChain &issuerChain)
{
    if (!checks(mark.trustMarkType))
        return ok();
    const std::string key = cacheKey(CacheNamespace::Resolution, {"trust-mark-status", anchor.entityId.str(),
                                                                  anchor.keysFingerprint(), cacheKeyDigest(mark.jwt)});
    if (auto cached = cache_.get(key, now)) {
        if (cached->failure)
            return fail(*cached->failure);
        return ok();
    }
    Result<void> verdict = ask(mark, now, issuerChain);
    TrustMarkStatusCache::Verdict entry;
    if (!verdict)
        entry.failure = verdict.error();
    cache_.put(key, std::move(entry), now + options_.statusCacheTtl.count());
    return verdict;
}

// Spec 8.4: POST the mark to the status endpoint its issuer publishes (from
// the issuer's resolved metadata under the same anchor), and verify the
// signed answer with the issuer's keys from that chain.
Result<void> TrustMarkStatusChecker::ask(const VerifiedTrustMark &mark, UnixTime now, const IssuerChain &issuerChain)
{
    const std::string rule = "8.4 trust mark status";
    OIDFED_TRY(EntityId issuer, EntityId::parse(mark.issuer, statements_.entityIds));
    OIDFED_TRY(std::shared_ptr<const TrustChain> chain, issuerChain(issuer));
    const Json *federation = chain->metadata().find("federation_entity");
    const std::string *endpoint = federation ? federation->findString("federation_trust_mark_status_endpoint") : nullptr;
    if (!endpoint || !claims::isEndpointUrl(*endpoint, statements_.entityIds.allowHttp))
        return fail(Error(ErrorCode::NotFound, "trust mark issuer " + issuer.str() +
                                                   " publishes no usable federation_trust_mark_status_endpoint")
                        .withRule(rule)
                        .withEntity(issuer.str()));
    OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(chain->statements().front(), statements_));
    FetchRequest post{.url = *endpoint, .expectedMediaType = std::string(kTrustMarkStatusResponseMediaType)};
    post.formBody = "trust_mark=" + percentEncode(mark.jwt);
    auto response = fetcher_.fetch(post);
    if (!response)
        return fail(std::move(response).error().withRule(rule).withEntity(issuer.str()));
    auto status = verifyTrustMarkStatusResponse(response->body, configuration.jwks(), issuer, mark.jwt, now, clockSkew_,
                                                statements_);
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
