// The OP's side of Explicit Registration after parsing (12.2.2 steps 3-6,
// 8-9): resolve the RP from what it presented, check the peer chain, apply
// the OP's policy. Each step is one function; registerClient() runs them in
// order.

#include <oidfed/registration.h>

#include <algorithm>
#include <optional>

#include "registration/chain_policy.h"
#include "registration/presented_chains.h"

namespace oidfed {

using registration::PresentedChainRules;
using registration::PresentedChains;
using registration::refuse;

namespace {

constexpr PresentedChainRules kRules{.peerChain = "12.2.2 step 6",
                                     .anchorNotAccepted = "12.2.3 trust_anchor",
                                     .sameAnchor = "12.2.1 same trust anchor"};

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
        auto head = registration::peekNames(request.trustChain.front(), context.validation.statements);
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
    if (badHead)
        registration::noteUnusedHint(outcome.report, std::move(*badHead));
    return outcome;
}

} // namespace

Result<Registration> registerClient(const RegistrationRequest &request, const RegistrationContext &context)
{
    const RegistrationPolicy &policy = context.policy;
    const std::string rp = request.rp().str();
    if (policy.requireTrustChain && request.trustChain.empty())
        return refuse(ErrorCode::InvalidArgument, "this OP requires a trust_chain with every registration request",
                      "18.1 require trust chain", "trust_chain", rp);
    const PresentedChains presented{rp, request.trustChain, request.peerTrustChain};
    OIDFED_TRY(std::vector<std::string> anchors,
               registration::narrowAnchors(policy.trustAnchors, context.resolver, presented,
                                           context.validation.statements, kRules));

    ResolveOutcome outcome = resolveRp(request, std::move(anchors), context);
    if (!outcome.chain)
        return fail(std::move(outcome.chain).error());
    std::shared_ptr<const TrustChain> chain = *outcome.chain;
    if (chain->path().size() < 2)
        return refuse(ErrorCode::InvalidArgument, "the RP is itself a trust anchor; it has no superior to name",
                      "12.2.3 authority_hints", "authority_hints", rp);
    if (!request.peerTrustChain.empty())
        OIDFED_TRY_VOID(registration::checkPeerTrustChain(presented, context.op, *chain, context.resolver,
                                                          context.now, context.validation, kRules));

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
