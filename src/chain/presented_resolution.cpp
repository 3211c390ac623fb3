// Resolver::resolvePresented(): resolving an entity from the Entity
// Configuration it presented (an RP's Explicit Registration request, 12.2.2
// steps 3-5), with the chain it presented as a path hint. The presented EC
// never goes through the statement store and the result is never cached
// under the subject: the RP may tailor its EC per OP and may publish none at
// its well-known URL.

#include "chain/resolver_impl.h"

#include <algorithm>

#include "chain/validator.h"

namespace oidfed {

std::string_view pathHintUseName(PathHintUse use) noexcept
{
    switch (use) {
    case PathHintUse::None:
        return "none";
    case PathHintUse::Used:
        return "used";
    case PathHintUse::Stale:
        return "stale";
    case PathHintUse::Invalid:
        return "invalid";
    }
    return "none";
}

namespace detail {

namespace {

constexpr std::string_view kHintRule = "12.2.2 step 5 path hint";

} // namespace

Result<TrustChain> ResolverImpl::validatePathHint(const PresentedResolveRequest &request, const Presented &presented,
                                                  const std::vector<const TrustAnchor *> &anchors,
                                                  const ResolveRequest &base, UnixTime now)
{
    std::vector<EntityStatement> hint;
    hint.reserve(request.pathHint.size());
    for (std::size_t j = 0; j < request.pathHint.size(); ++j) {
        auto statement = EntityStatement::parse(request.pathHint[j], validation_.statements);
        if (!statement) {
            Error error = std::move(statement).error();
            error.message = "path hint statement " + std::to_string(j + 1) + ": " + error.message;
            return fail(std::move(error));
        }
        hint.push_back(std::move(statement).value());
    }
    const EntityId &top = hint.back().issuer();
    auto anchor = std::find_if(anchors.begin(), anchors.end(), [&](const TrustAnchor *a) { return a->entityId == top; });
    if (anchor == anchors.end())
        return fail(Error(ErrorCode::NoTrustAnchor,
                          "the path hint ends at " + top.str() + ", which is not a requested trust anchor")
                        .withRule(kHintRule)
                        .withEntity(top.str()));
    if (!presented.immediateSuperior.empty() && hint.front().issuer().str() != presented.immediateSuperior)
        return fail(Error(ErrorCode::InvalidClaim, "the path hint goes through " + hint.front().issuer().str() +
                                                       ", not through " + presented.immediateSuperior)
                        .withRule(kHintRule)
                        .withEntity(hint.front().issuer().str()));
    std::vector<const EntityStatement *> chain{presented.configuration.get()};
    for (const EntityStatement &statement : hint)
        chain.push_back(&statement);
    return validateStatements(chain, **anchor, base, ResolveScope::Subject, now);
}

ResolveOutcome ResolverImpl::resolvePresented(const PresentedResolveRequest &request)
{
    ResolveOutcome outcome;
    const EntityStatement &configuration = request.configuration;
    if (!configuration.isEntityConfiguration()) {
        outcome.chain = Unexpected{Error(ErrorCode::InvalidArgument,
                                         "a presented statement must be an Entity Configuration (iss == sub)")
                                       .withClaim("iss")
                                       .withEntity(configuration.issuer().str())};
        return outcome;
    }
    ResolveRequest base;
    base.subject = configuration.subject().str();
    base.trustAnchors = request.trustAnchors;
    base.entityTypes = request.entityTypes;
    base.at = request.at;
    base.explain = request.explain;
    auto anchors = selectAnchors(base);
    if (!anchors) {
        outcome.chain = Unexpected{std::move(anchors).error()};
        return outcome;
    }
    const UnixTime now = request.at.value_or(deps_.clock.now());
    const Presented presented{std::make_shared<const EntityStatement>(configuration), request.immediateSuperior};

    // 12.2.2 step 5: a hint is used only when it verifies as a whole.
    if (!request.pathHint.empty()) {
        auto hinted = validatePathHint(request, presented, *anchors, base, now);
        if (hinted) {
            outcome.report.source = "presented-hint";
            outcome.report.pathHint = PathHintUse::Used;
            outcome.report.candidates.push_back(CandidateVerdict{hinted->trustAnchor().str(), hinted->path(), true,
                                                                 hinted->expiresAt(), std::nullopt});
            outcome.chain = std::make_shared<const TrustChain>(std::move(hinted).value());
            return outcome;
        }
        Error why = std::move(hinted).error();
        const bool stale = why.code == ErrorCode::Expired || why.code == ErrorCode::NotYetValid;
        // Collected instead (step 3), from the presented EC's authority_hints.
        outcome = resolveFresh(configuration.subject(), *anchors, base, ResolveScope::Subject, now, &presented);
        outcome.report.pathHint = stale ? PathHintUse::Stale : PathHintUse::Invalid;
        outcome.report.problems.insert(outcome.report.problems.begin(),
                                       Error(why.code, "the presented trust chain was not used (" + why.describe() +
                                                           "); the chain was collected from authority_hints instead")
                                           .withRule(kHintRule)
                                           .withClaim("trust_chain")
                                           .withEntity(why.entityId));
        outcome.report.pathHintError = std::move(why);
        return outcome;
    }
    return resolveFresh(configuration.subject(), *anchors, base, ResolveScope::Subject, now, &presented);
}

} // namespace detail

} // namespace oidfed
