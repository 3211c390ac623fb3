// The OP's side of Explicit Registration after parsing (12.2.2 steps 3-6,
// 8-9): resolve the RP from what it presented, check the peer chain, apply
// the OP's policy. Each step is one function; registerClient() runs them in
// order.

#include <oidfed/registration.h>

#include <algorithm>
#include <optional>

#include <oidfed/jws.h>

#include "registration/chain_policy.h"

namespace oidfed {

namespace {

Unexpected refuse(ErrorCode code, std::string message, std::string_view rule, std::string_view claim,
                  std::string_view entity)
{
    return fail(Error(code, std::move(message)).withRule(rule).withClaim(claim).withEntity(entity));
}

// The iss and sub of a compact JWS, read without judging it: which entity a
// presented chain starts at or ends with. nullopt when unreadable.
struct Names {
    std::string iss;
    std::string sub;
};
std::optional<Names> peek(const std::string &jwt, const StatementOptions &options)
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
    return Names{*iss, *sub};
}

bool accepted(const std::vector<std::string> &anchors, const std::string &id)
{
    return std::find(anchors.begin(), anchors.end(), id) != anchors.end();
}

// The anchors a registration may use: the policy's (or all the resolver's),
// narrowed to the one the presented chains end at (12.2.3: trust_anchor
// MUST match the anchor of any chain provided; 12.2.1: both chains use the
// same one).
Result<std::vector<std::string>> selectAnchors(const RegistrationRequest &request, const RegistrationContext &context)
{
    std::vector<std::string> anchors = context.policy.trustAnchors;
    if (anchors.empty())
        for (const TrustAnchor &anchor : context.resolver.trustAnchors())
            anchors.push_back(anchor.entityId.str());
    const std::string rp = request.rp().str();
    const StatementOptions &options = context.validation.statements;
    std::optional<std::string> chosen;
    if (!request.peerTrustChain.empty()) {
        auto last = peek(request.peerTrustChain.back(), options);
        if (!last)
            return refuse(ErrorCode::Malformed, "the last statement of peer_trust_chain cannot be read",
                          "12.2.2 step 6", "peer_trust_chain", rp);
        if (!accepted(anchors, last->iss))
            return refuse(ErrorCode::NoTrustAnchor,
                          "peer_trust_chain ends at " + last->iss + ", which this OP does not accept as a trust anchor",
                          "12.2.3 trust_anchor", "peer_trust_chain", rp);
        chosen = last->iss;
    }
    if (request.trustChain.size() > 1) {
        // A hint whose end cannot be read is simply not used (step 5).
        if (auto last = peek(request.trustChain.back(), options)) {
            if (!accepted(anchors, last->iss))
                return refuse(ErrorCode::NoTrustAnchor,
                              "trust_chain ends at " + last->iss + ", which this OP does not accept as a trust anchor",
                              "12.2.3 trust_anchor", "trust_chain", rp);
            if (chosen && *chosen != last->iss)
                return refuse(ErrorCode::InvalidClaim,
                              "trust_chain ends at " + last->iss + " but peer_trust_chain at " + *chosen +
                                  "; both must use the same trust anchor",
                              "12.2.1 same trust anchor", "peer_trust_chain", rp);
            chosen = last->iss;
        }
    }
    if (chosen)
        return std::vector<std::string>{*chosen};
    return anchors;
}

// Steps 3-5: the RP's chain from its presented EC, the trust_chain as path
// hint (its first statement must be the RP's own EC; the path is the rest).
ResolveOutcome resolveRp(const RegistrationRequest &request, std::vector<std::string> anchors,
                         const RegistrationContext &context)
{
    PresentedResolveRequest presented{.configuration = request.configuration};
    presented.trustAnchors = std::move(anchors);
    presented.entityTypes = {context.policy.entityType};
    presented.explain = context.explain;
    std::optional<Error> badHead;
    if (!request.trustChain.empty()) {
        auto head = peek(request.trustChain.front(), context.validation.statements);
        if (head && head->iss == request.rp().str() && head->sub == head->iss)
            presented.pathHint.assign(request.trustChain.begin() + 1, request.trustChain.end());
        else
            badHead = Error(ErrorCode::InvalidClaim, "the presented trust_chain does not begin with the RP's Entity "
                                                     "Configuration; the chain was collected from authority_hints instead")
                          .withRule("3.2 step 24 trust_chain")
                          .withClaim("trust_chain")
                          .withEntity(request.rp().str());
    }
    ResolveOutcome outcome = context.resolver.resolvePresented(presented);
    if (badHead) {
        outcome.report.pathHint = PathHintUse::Invalid;
        outcome.report.pathHintError = badHead;
        outcome.report.problems.insert(outcome.report.problems.begin(), *badHead);
    }
    return outcome;
}

// Step 6: the peer chain begins at this OP and ends at the anchor of the
// RP's chain, and verifies from that anchor's pinned keys down.
Result<void> checkPeerChain(const RegistrationRequest &request, const TrustChain &rpChain,
                            const RegistrationContext &context)
{
    constexpr std::string_view kRule = "12.2.2 step 6";
    const std::string rp = request.rp().str();
    const StatementOptions &options = context.validation.statements;
    auto first = peek(request.peerTrustChain.front(), options);
    if (!first || first->iss != context.op.str() || first->sub != first->iss)
        return refuse(ErrorCode::InvalidClaim,
                      "peer_trust_chain must begin with this OP's Entity Configuration (" + context.op.str() + "), not " +
                          (first ? "a statement by " + first->iss + " about " + first->sub : "an unreadable statement"),
                      kRule, "peer_trust_chain", rp);
    auto last = peek(request.peerTrustChain.back(), options);
    if (!last || last->iss != rpChain.trustAnchor().str())
        return refuse(ErrorCode::InvalidClaim,
                      "peer_trust_chain ends at " + (last ? last->iss : std::string("an unreadable statement")) +
                          ", not at the trust anchor of the RP's chain (" + rpChain.trustAnchor().str() + ")",
                      kRule, "peer_trust_chain", rp);
    const auto &pinned = context.resolver.trustAnchors();
    auto valid = validateTrustChain(request.peerTrustChain, pinned, context.now, context.validation);
    if (!valid) {
        Error error = std::move(valid).error();
        error.message = "peer_trust_chain does not validate: " + error.message + " (rule " + error.rule + ")";
        error.rule = kRule;
        error.claim = "peer_trust_chain";
        return fail(std::move(error));
    }
    return ok();
}

} // namespace

Result<Registration> registerClient(const RegistrationRequest &request, const RegistrationContext &context)
{
    const RegistrationPolicy &policy = context.policy;
    const std::string rp = request.rp().str();
    if (policy.requireTrustChain && request.trustChain.empty())
        return refuse(ErrorCode::InvalidArgument, "this OP requires a trust_chain with every registration request",
                      "18.1 require trust chain", "trust_chain", rp);
    OIDFED_TRY(std::vector<std::string> anchors, selectAnchors(request, context));

    ResolveOutcome outcome = resolveRp(request, std::move(anchors), context);
    if (!outcome.chain)
        return fail(std::move(outcome.chain).error());
    std::shared_ptr<const TrustChain> chain = *outcome.chain;
    if (chain->path().size() < 2)
        return refuse(ErrorCode::InvalidArgument, "the RP is itself a trust anchor; it has no superior to name",
                      "12.2.3 authority_hints", "authority_hints", rp);
    if (!request.peerTrustChain.empty())
        OIDFED_TRY_VOID(checkPeerChain(request, *chain, context));

    // Step 8: the OP's policy on the metadata the federation resolved, then
    // the federation's policy again on what the OP registers.
    const Json *client = chain->metadata().find(policy.entityType);
    if (!client)
        return refuse(ErrorCode::InvalidClientMetadata,
                      "the request's metadata has no " + policy.entityType + " (after the federation's policy)",
                      "12.2.1 metadata", "metadata", rp);
    OIDFED_TRY(Json registered, applyClientMetadataPolicy(*client, policy));
    Json keyed = Json::object();
    keyed.set(policy.entityType, std::move(registered));
    const OperatorRegistry standard = OperatorRegistry::standard();
    const OperatorRegistry &registry = context.validation.registry ? *context.validation.registry : standard;
    OIDFED_TRY(Json final, registration::reapplyChainPolicy(*chain, keyed, registry, context.validation.statements));
    const Json *finalClient = final.find(policy.entityType);
    if (!finalClient)
        return refuse(ErrorCode::PolicyViolation, "the federation's policy removes " + policy.entityType,
                      "6.2.3 allowed_entity_types", "metadata", rp);

    // Step 9: no longer than the chain, nor than the OP's cap.
    OIDFED_TRY(EntityId superior, EntityId::parse(chain->path()[1], context.validation.statements.entityIds));
    Registration registration{.rp = request.rp(), .trustAnchor = chain->trustAnchor(), .immediateSuperior = superior};
    registration.expiresAt = std::min<UnixTime>(chain->expiresAt(), context.now + policy.maxLifetime.count());
    registration.entityType = policy.entityType;
    registration.clientMetadata = *finalClient;
    registration.jwks = *request.configuration.claim("jwks");
    registration.chain = std::move(chain);
    registration.report = std::move(outcome.report);
    return registration;
}

} // namespace oidfed
