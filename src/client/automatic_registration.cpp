// Automatic Registration, the OP's side (12.1): the JWT (client_jwt.h), then
// the client's chain, its protocol keys, the signature, and last the jti.
// Each step is one function; verifyClientJwt() runs them in order.

#include <oidfed/automatic_registration.h>

#include <optional>

#include "client/client_jwt.h"
#include "core/range_check.h"
#include "registration/presented_chains.h"

namespace oidfed {

Result<void> validateAutomaticRegistrationOptions(const AutomaticRegistrationOptions &o)
{
    using namespace std::chrono;
    using detail::checkRange;
    if (o.entityType.empty() || o.entityType == "federation_entity")
        return fail(detail::outOfRange("entityType", "an entity type other than federation_entity"));
    OIDFED_TRY_VOID(checkRange<seconds>("clockSkew", o.clockSkew, seconds(0), minutes(10)));
    OIDFED_TRY_VOID(checkRange<seconds>("maxJwtLifetime", o.maxJwtLifetime, seconds(1), hours(24)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxChainStatements", o.maxChainStatements, 1, 64));
    return ok();
}

namespace {

using client::ClientJwt;
using client::ClientJwtKind;

using registration::PresentedChainRules;
using registration::PresentedChains;
using registration::refuse;

constexpr PresentedChainRules kRules{.peerChain = "4.4 peer_trust_chain",
                                     .anchorNotAccepted = "12.1.1.1 same trust anchor",
                                     .sameAnchor = "12.1.1.1 same trust anchor"};

// 12.1.1.1.2 steps 2-3: the presented trust_chain as a path hint, fully
// verified (its first statement must be the client's own Entity
// Configuration), else collection from the client's well-known Entity
// Configuration.
ResolveOutcome resolveClient(const EntityId &client, const std::vector<std::string> &trustChain,
                             std::vector<std::string> anchors, const AutomaticRegistrationContext &context,
                             const AutomaticRegistrationOptions &options)
{
    std::optional<Error> hintProblem;
    if (!trustChain.empty()) {
        auto head = EntityStatement::parse(trustChain.front(), context.validation.statements);
        if (head && head->isEntityConfiguration() && head->subject() == client) {
            PresentedResolveRequest presented{.configuration = std::move(head).value()};
            presented.pathHint.assign(trustChain.begin() + 1, trustChain.end());
            presented.trustAnchors = anchors;
            presented.entityTypes = {options.entityType};
            presented.explain = context.explain;
            ResolveOutcome outcome = context.resolver.resolvePresented(presented);
            if (outcome.chain)
                return outcome;
            hintProblem = outcome.chain.error();
        } else {
            hintProblem = Error(ErrorCode::InvalidClaim, "the trust_chain does not begin with the client's own "
                                                         "Entity Configuration")
                              .withRule("4.3 trust_chain")
                              .withClaim("trust_chain")
                              .withEntity(client.str());
        }
    }
    ResolveRequest request{.subject = client.str(), .trustAnchors = std::move(anchors),
                           .entityTypes = {options.entityType}, .explain = context.explain};
    ResolveOutcome outcome = context.resolver.resolve(request);
    if (hintProblem)
        registration::noteUnusedHint(outcome.report, std::move(*hintProblem));
    return outcome;
}

// The chain and the keys of a client (lookupClient and both JWT kinds).
Result<VerifiedClient> establishClient(const EntityId &client, const std::vector<std::string> &trustChain,
                                       std::vector<std::string> anchors, const AutomaticRegistrationContext &context,
                                       const AutomaticRegistrationOptions &options)
{
    ResolveOutcome outcome = resolveClient(client, trustChain, std::move(anchors), context, options);
    if (!outcome.chain)
        return fail(std::move(outcome.chain).error());
    std::shared_ptr<const TrustChain> chain = *outcome.chain;
    const Json *metadata = chain->metadata().find(options.entityType);
    if (!metadata || !metadata->isObject())
        return refuse(ErrorCode::InvalidMetadata,
                      "the resolved metadata of " + client.str() + " has no " + options.entityType,
                      "12.1.1.1.2 step 3", "metadata", client.str());
    OIDFED_TRY(std::shared_ptr<const ProtocolKeys> keys, context.keys.keysFor(*chain, options.entityType));
    VerifiedClient verified{.clientId = client, .entityType = options.entityType, .trustAnchor = chain->trustAnchor()};
    verified.expiresAt = chain->expiresAt();
    verified.clientMetadata = *metadata;
    verified.clientMetadata.set("client_id", client.str());
    verified.keys = std::move(keys);
    verified.chain = std::move(chain);
    verified.report = std::move(outcome.report);
    return verified;
}

// 12.1.1.1.2 step 6 / 12.1.1.2: the signature with the key the JWT's kid
// names among the client's protocol keys; a fetched set is read again once
// for an unknown kid (key rollover), as often as the store allows.
Result<void> checkSignature(const ClientJwt &jwt, ClientJwtKind kind, VerifiedClient &verified,
                            const AutomaticRegistrationContext &context)
{
    const std::string_view rule = kind == ClientJwtKind::RequestObject ? "12.1.1.1.2 step 6" : "12.1.1.2 keys";
    auto verifiedSignature = jwt.jws.verify(verified.keys->keys);
    if (!verifiedSignature && verifiedSignature.error().code == ErrorCode::KeyNotFound &&
        verified.keys->source != ProtocolKeySource::Jwks && !jwt.jws.kid().empty()) {
        OIDFED_TRY(auto again, context.keys.keysFor(*verified.chain, verified.entityType, KeyFreshness::Refetch));
        verified.keys = std::move(again);
        verifiedSignature = jwt.jws.verify(verified.keys->keys);
    }
    if (verifiedSignature)
        return ok();
    const Error &why = verifiedSignature.error();
    const std::string source(protocolKeySourceName(verified.keys->source));
    if (why.code == ErrorCode::KeyNotFound) {
        std::string message = jwt.jws.kid().empty()
                                  ? "the JWT has no kid naming one of the client's protocol keys (" + source + ")"
                                  : "kid " + jwt.jws.kid() + " is not among the client's protocol keys (" + source +
                                        " of its resolved " + verified.entityType + " metadata)";
        if (!jwt.jws.kid().empty() && verified.chain->subjectKeys().find(jwt.jws.kid()))
            message += "; it is a Federation Entity Key, which must not sign protocol messages when the metadata "
                       "publishes protocol keys";
        return refuse(client::refusalCode(kind), std::move(message), rule, "kid", jwt.client.str());
    }
    return refuse(client::refusalCode(kind), "the signature does not verify with the client's key " + jwt.jws.kid() +
                                                 " (" + source + "): " + why.message,
                  rule, "signature", jwt.client.str());
}

Result<VerifiedClient> verifyClientJwt(std::string_view text, ClientJwtKind kind,
                                       const AutomaticRegistrationContext &context,
                                       const AutomaticRegistrationOptions &options, std::string_view clientIdParameter)
{
    OIDFED_TRY_VOID(validateAutomaticRegistrationOptions(options));
    const std::vector<std::string> noAudiences;
    client::ClientJwtExpectations expected{context.op,
                                           kind == ClientJwtKind::ClientAssertion ? context.assertionAudiences
                                                                                  : noAudiences,
                                           clientIdParameter, context.now, context.validation.statements.entityIds};
    OIDFED_TRY(ClientJwt jwt, client::parseClientJwt(text, kind, expected, options));
    const std::string clientId = jwt.client.str();
    const PresentedChains presented{clientId, jwt.trustChain, jwt.peerTrustChain};
    OIDFED_TRY(std::vector<std::string> anchors,
               registration::narrowAnchors(options.trustAnchors, context.resolver, presented,
                                           context.validation.statements, kRules));
    OIDFED_TRY(VerifiedClient verified, establishClient(jwt.client, jwt.trustChain, std::move(anchors), context,
                                                        options));
    if (!jwt.peerTrustChain.empty())
        OIDFED_TRY_VOID(registration::checkPeerTrustChain(presented, context.op, *verified.chain, context.resolver,
                                                          context.now, context.validation, kRules));
    OIDFED_TRY_VOID(checkSignature(jwt, kind, verified, context));

    // Last: only a JWT that verified may use up its jti.
    const std::string scope = context.op.str() + " " + jwt.client.str() + " " + std::string(client::kindName(kind));
    const std::string_view jtiRule =
        kind == ClientJwtKind::RequestObject ? "12.1.1.1 jti single use" : "RFC 7523 3 jti single use";
    auto first = context.replay.firstUse(scope, jwt.jti, jwt.expiresAt, context.now);
    if (!first) {
        Error error = std::move(first).error();
        if (error.code == ErrorCode::InvalidArgument)  // e.g. exp beyond the store's maxLifetime
            error.code = client::refusalCode(kind);
        return fail(std::move(error).withRule(jtiRule).withClaim("jti").withEntity(jwt.client.str()));
    }
    if (!*first)
        return refuse(client::refusalCode(kind), "jti " + jwt.jti + " was used before: a JWT is single use", jtiRule,
                      "jti", jwt.client.str());
    verified.claims = std::move(jwt.claims);
    return verified;
}

} // namespace

Result<VerifiedClient> lookupClient(std::string_view clientId, const AutomaticRegistrationContext &context,
                                    const AutomaticRegistrationOptions &options)
{
    OIDFED_TRY_VOID(validateAutomaticRegistrationOptions(options));
    auto client = EntityId::parse(clientId, context.validation.statements.entityIds);
    if (!client)
        return refuse(ErrorCode::InvalidArgument, "client_id is not an Entity Identifier: " + client.error().message,
                      "12.1 client_id", "client_id", clientId);
    std::vector<std::string> anchors = options.trustAnchors;
    return establishClient(*client, {}, std::move(anchors), context, options);
}

Result<VerifiedClient> verifyRequestObject(std::string_view requestObject, const AutomaticRegistrationContext &context,
                                           const AutomaticRegistrationOptions &options,
                                           std::string_view clientIdParameter)
{
    return verifyClientJwt(requestObject, ClientJwtKind::RequestObject, context, options, clientIdParameter);
}

Result<VerifiedClient> verifyClientAssertion(std::string_view assertion, const AutomaticRegistrationContext &context,
                                             const AutomaticRegistrationOptions &options,
                                             std::string_view clientIdParameter)
{
    return verifyClientJwt(assertion, ClientJwtKind::ClientAssertion, context, options, clientIdParameter);
}

} // namespace oidfed
