#include "registration/presented_chains.h"

#include <algorithm>

#include <oidfed/jws.h>

namespace oidfed::registration {

Unexpected refuse(ErrorCode code, std::string message, std::string_view rule, std::string_view claim,
                  std::string_view entity)
{
    return fail(Error(code, std::move(message)).withRule(rule).withClaim(claim).withEntity(entity));
}

std::optional<StatementNames> peekNames(const std::string &jwt, const StatementOptions &options)
{
    auto jws = Jws::parse(jwt, options.jws);
    if (!jws)
        return std::nullopt;
    auto claims = jws->payloadJson(options.jws.json);
    if (!claims)
        return std::nullopt;
    const std::string *iss = claims->findString("iss");
    const std::string *sub = claims->findString("sub");
    if (!iss || !sub)
        return std::nullopt;
    return StatementNames{*iss, *sub};
}

Result<std::vector<std::string>> narrowAnchors(std::vector<std::string> configured, const Resolver &resolver,
                                               const PresentedChains &presented, const StatementOptions &options,
                                               const PresentedChainRules &rules)
{
    if (configured.empty())
        for (const TrustAnchor &anchor : resolver.trustAnchors())
            configured.push_back(anchor.entityId.str());
    auto accepted = [&](const std::string &id) {
        return std::find(configured.begin(), configured.end(), id) != configured.end();
    };
    std::optional<std::string> chosen;
    if (!presented.peerTrustChain.empty()) {
        auto last = peekNames(presented.peerTrustChain.back(), options);
        if (!last)
            return refuse(ErrorCode::Malformed, "the last statement of peer_trust_chain cannot be read",
                          rules.peerChain, "peer_trust_chain", presented.subject);
        if (!accepted(last->iss))
            return refuse(ErrorCode::NoTrustAnchor,
                          "peer_trust_chain ends at " + last->iss + ", which this OP does not accept as a trust anchor",
                          rules.anchorNotAccepted, "peer_trust_chain", presented.subject);
        chosen = last->iss;
    }
    if (presented.trustChain.size() > 1) {
        // A hint whose end cannot be read is simply not used.
        if (auto last = peekNames(presented.trustChain.back(), options)) {
            if (!accepted(last->iss))
                return refuse(ErrorCode::NoTrustAnchor,
                              "trust_chain ends at " + last->iss + ", which this OP does not accept as a trust anchor",
                              rules.anchorNotAccepted, "trust_chain", presented.subject);
            if (chosen && *chosen != last->iss)
                return refuse(ErrorCode::InvalidClaim,
                              "trust_chain ends at " + last->iss + " but peer_trust_chain at " + *chosen +
                                  "; both must use the same trust anchor",
                              rules.sameAnchor, "peer_trust_chain", presented.subject);
            chosen = last->iss;
        }
    }
    if (chosen)
        return std::vector<std::string>{*chosen};
    return configured;
}

Result<void> checkPeerTrustChain(const PresentedChains &presented, const EntityId &op, const TrustChain &subjectChain,
                                 const Resolver &resolver, UnixTime now, const ChainValidationOptions &validation,
                                 const PresentedChainRules &rules)
{
    const StatementOptions &options = validation.statements;
    auto first = peekNames(presented.peerTrustChain.front(), options);
    if (!first || first->iss != op.str() || first->sub != first->iss)
        return refuse(ErrorCode::InvalidClaim,
                      "peer_trust_chain must begin with this OP's Entity Configuration (" + op.str() + "), not " +
                          (first ? "a statement by " + first->iss + " about " + first->sub : "an unreadable statement"),
                      rules.peerChain, "peer_trust_chain", presented.subject);
    auto last = peekNames(presented.peerTrustChain.back(), options);
    if (!last || last->iss != subjectChain.trustAnchor().str())
        return refuse(ErrorCode::InvalidClaim,
                      "peer_trust_chain ends at " + (last ? last->iss : std::string("an unreadable statement")) +
                          ", not at the trust anchor of " + std::string(presented.subject) + "'s chain (" +
                          subjectChain.trustAnchor().str() + ")",
                      rules.peerChain, "peer_trust_chain", presented.subject);
    auto valid = validateTrustChain(presented.peerTrustChain, resolver.trustAnchors(), now, validation);
    if (!valid) {
        Error error = std::move(valid).error();
        error.message = "peer_trust_chain does not validate: " + error.message + " (rule " + error.rule + ")";
        error.rule = rules.peerChain;
        error.claim = "peer_trust_chain";
        return fail(std::move(error));
    }
    return ok();
}

void noteUnusedHint(ResolveReport &report, Error why)
{
    report.pathHint = PathHintUse::Invalid;
    report.problems.insert(report.problems.begin(), why);
    report.pathHintError = std::move(why);
}

} // namespace oidfed::registration
