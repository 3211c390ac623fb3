// Explicit Registration responses: signed by the OP (12.2.3), verified by
// the RP (12.2.5).

#include <oidfed/registration_response.h>

#include <algorithm>
#include <set>

#include <oidfed/jws.h>
#include <oidfed/registration.h>

#include "registration/chain_policy.h"
#include "statement/claims.h"

namespace oidfed {

namespace {

Unexpected invalidArgument(std::string message, std::string_view claim = {})
{
    return fail(Error(ErrorCode::InvalidArgument, "registration response: " + std::move(message)).withClaim(claim));
}

// The client metadata of the response: what was registered, the client_id
// and the credentials the OP assigned.
Result<Json> responseClientMetadata(const Registration &registration, const ClientCredentials &credentials)
{
    if (credentials.clientId.empty())
        return invalidArgument("no client_id", "client_id");
    if (!credentials.extra.isObject())
        return invalidArgument("the credentials must be an object of client metadata parameters");
    for (std::string_view secret : {"registration_access_token", "registration_client_uri"})
        if (credentials.extra.contains(secret))
            return invalidArgument(std::string(secret) + " must not be issued to a federation client (12.2.2 step 8)",
                                   secret);
    if (const Json *expires = credentials.extra.find("client_secret_expires_at")) {
        if (!expires->isInt() || expires->asInt() < 0)
            return invalidArgument("client_secret_expires_at must be a NumericDate", "client_secret_expires_at");
        if (expires->asInt() != 0 && expires->asInt() < registration.expiresAt)
            return invalidArgument("the client_secret expires (" + std::to_string(expires->asInt()) +
                                       ") before the registration (" + std::to_string(registration.expiresAt) +
                                       "), which 12.2.2 step 8 forbids",
                                   "client_secret_expires_at");
    }
    Json metadata = registration.clientMetadata;
    if (metadata.contains("client_id"))
        return invalidArgument("the registered metadata already holds a client_id", "client_id");
    metadata.set("client_id", credentials.clientId);
    auto merged = claims::mergeExtraClaims(metadata, credentials.extra);
    if (!merged)
        return invalidArgument(merged.error().message, merged.error().claim);
    return metadata;
}

// The Federation Entity Keys that must have signed the OP's response: those
// the OP's Immediate Superior vouches for in the RP's chain for the OP
// (12.2.5 step 1); for an OP that is itself the anchor, its pinned EC's.
Result<JwkSet> opKeys(const TrustChain &opChain, const StatementOptions &options)
{
    const auto &jwts = opChain.statements();
    if (jwts.empty())
        return fail(Error(ErrorCode::InvalidArgument, "the OP's chain is empty").withRule("12.2.5 step 1"));
    OIDFED_TRY(EntityStatement vouching, EntityStatement::parse(jwts.size() > 1 ? jwts[1] : jwts[0], options));
    if (vouching.subject() != opChain.subject())
        return fail(Error(ErrorCode::InvalidArgument, "the OP's chain does not begin with the OP")
                        .withRule("12.2.5 step 1"));
    return vouching.jwks();
}

Unexpected refuse(ErrorCode code, std::string message, std::string_view rule, std::string_view claim,
                  const EntityStatement &response)
{
    return fail(Error(code, std::move(message)).withRule(rule).withClaim(claim).withEntity(response.issuer().str()));
}

// The iss of a presented chain's last statement (its trust anchor), or "".
std::string lastIssuer(const std::vector<std::string> &chain, const StatementOptions &options)
{
    if (chain.empty())
        return {};
    auto jws = Jws::parse(chain.back(), options.jws);
    auto claims = jws ? jws->payloadJson(options.jws.json) : Result<Json>(Unexpected{Error()});
    const std::string *iss = claims ? claims->findString("iss") : nullptr;
    return iss ? *iss : std::string();
}

// The types an RP asks to be registered as.
std::set<std::string> clientTypes(const std::vector<std::string> &types)
{
    std::set<std::string> out;
    for (const std::string &type : types)
        if (type == "openid_relying_party" || type == "oauth_client")
            out.insert(type);
    return out;
}

} // namespace

Result<std::string> issueRegistrationResponse(const Registration &registration, const ClientCredentials &credentials,
                                              const EntityId &op, UnixTime now, const Jwk &opKey)
{
    if (!opKey.hasPrivate() || opKey.kid().empty())
        return invalidArgument("the signing key has no private part or no kid");
    if (registration.expiresAt <= now)
        return invalidArgument("the registration has already ended (exp " + std::to_string(registration.expiresAt) +
                               ")");
    OIDFED_TRY(Json client, responseClientMetadata(registration, credentials));
    Json payload = Json::object();
    payload.set("iss", op.str());
    payload.set("sub", registration.rp.str());
    payload.set("aud", registration.rp.str());
    payload.set("iat", now);
    payload.set("exp", registration.expiresAt);
    if (!registration.jwks.isNull())
        payload.set("jwks", registration.jwks);
    payload.set("trust_anchor", registration.trustAnchor.str());
    Json hints = Json::array();
    hints.push(registration.immediateSuperior.str());
    payload.set("authority_hints", std::move(hints));
    Json metadata = Json::object();
    metadata.set(registration.entityType, std::move(client));
    payload.set("metadata", std::move(metadata));

    Json header = Json::object();
    header.set("typ", std::string(kRegistrationResponseType));
    OIDFED_TRY(std::string jwt, signJws(header, payload.dump(), opKey));
    // Parsed back as the RP will read it; an http OP exists only under the
    // test switch its EntityId was parsed with.
    StatementOptions options;
    options.entityIds.allowHttp = op.str().starts_with("http://");
    OIDFED_TRY(EntityStatement parsed, EntityStatement::parse(jwt, options, StatementContext::RegistrationResponse));
    OIDFED_TRY(JwkSet keys, JwkSet::fromKeys({opKey}));
    OIDFED_TRY_VOID(parsed.verifySignature(keys));
    return jwt;
}

Result<VerifiedRegistration> verifyRegistrationResponse(std::string_view jwt, const RegistrationResponseCheck &check)
{
    OIDFED_TRY(EntityStatement response,
               EntityStatement::parse(jwt, check.statements, StatementContext::RegistrationResponse));
    // Step 1: issued by the OP, with a key its Immediate Superior vouches for.
    const EntityId &op = check.opChain.subject();
    if (response.issuer() != op)
        return refuse(ErrorCode::InvalidClaim, "the response is issued by " + response.issuer().str() + ", not by the OP " + op.str(),
                      "12.2.5 step 1", "iss", response);
    OIDFED_TRY(JwkSet keys, opKeys(check.opChain, check.statements));
    if (auto signature = response.verifySignature(keys); !signature) {
        Error error = std::move(signature).error();
        error.message = "the response is not signed with a key the OP's Immediate Superior vouches for: " + error.message;
        error.rule = "12.2.5 step 1";
        return fail(std::move(error));
    }
    // Step 2 (and sub, 12.2.3).
    if (response.subject() != check.rp)
        return refuse(ErrorCode::InvalidClaim, "the response is about " + response.subject().str() + ", not this RP",
                      "12.2.3 sub", "sub", response);
    if (response.audience() != check.rp.str())
        return refuse(ErrorCode::InvalidClaim, "the response's aud is " + response.audience() + ", not this RP",
                      "12.2.5 step 2", "aud", response);
    OIDFED_TRY_VOID(response.checkValidityPeriod(check.now, check.clockSkew.count()));

    // Step 3: one of the RP's anchors, and the one of the chains it sent.
    const std::string trustAnchor = response.claim("trust_anchor")->asString();
    if (std::find(check.trustAnchors.begin(), check.trustAnchors.end(), trustAnchor) == check.trustAnchors.end())
        return refuse(ErrorCode::NoTrustAnchor, "the response's trust_anchor " + trustAnchor + " is not one of this RP's",
                      "12.2.5 step 3", "trust_anchor", response);
    for (const auto *presented : {&check.request.trustChainHeader(), &check.request.peerTrustChainHeader()}) {
        std::string end = lastIssuer(*presented, check.statements);
        if (!end.empty() && end != trustAnchor)
            return refuse(ErrorCode::InvalidClaim,
                          "the response's trust_anchor " + trustAnchor + " is not the anchor of the chains sent (" + end + ")",
                          "12.2.5 step 3", "trust_anchor", response);
    }
    // Step 4: the authority hint is one the RP asked for.
    const EntityId &hint = response.authorityHints().front();
    const auto &requested = check.request.authorityHints();
    if (std::find(requested.begin(), requested.end(), hint) == requested.end())
        return refuse(ErrorCode::InvalidClaim, "the response's authority hint " + hint.str() + " is not one of the request's",
                      "12.2.5 step 4", "authority_hints", response);
    if (const Json *jwks = response.claim("jwks"); jwks && check.request.claim("jwks") && !(*jwks == *check.request.claim("jwks")))
        return refuse(ErrorCode::InvalidClaim, "the response's jwks is not a copy of the request's", "12.2.3 jwks", "jwks",
                      response);

    // Step 5: the registered entity types are the requested ones; client_id.
    const Json &metadata = *response.claim("metadata");
    std::set<std::string> registered;
    for (const auto &[type, parameters] : metadata.asObject())
        registered.insert(type);
    const std::set<std::string> asked = clientTypes(check.request.entityTypes());
    if (registered != asked)
        return refuse(ErrorCode::InvalidClaim, "the registered entity types differ from the requested ones",
                      "12.2.5 step 5", "metadata", response);
    OIDFED_TRY(EntityId anchorId, EntityId::parse(trustAnchor, check.statements.entityIds));
    VerifiedRegistration out{
        .op = response.issuer(), .rp = response.subject(), .trustAnchor = std::move(anchorId), .authorityHint = hint};
    for (const std::string &type : registered) {
        const std::string *clientId = metadata.find(type)->findString("client_id");
        if (!clientId || clientId->empty())
            return refuse(ErrorCode::MissingClaim, "the registered " + type + " metadata has no client_id",
                          "12.2.3 metadata", "client_id", response);
        out.clientId = *clientId;
    }
    out.issuedAt = response.issuedAt();
    out.expiresAt = response.expiresAt();
    out.metadata = metadata;
    out.resolvedMetadata = metadata;
    out.jwt = std::string(jwt);

    if (check.rpChain) {
        const TrustChain &own = *check.rpChain;
        if (own.trustAnchor().str() != trustAnchor || own.path().size() < 2 || own.path()[1] != hint.str())
            return refuse(ErrorCode::InvalidClaim,
                          "the RP's own chain (through " + (own.path().size() > 1 ? own.path()[1] : std::string("-")) +
                              " to " + own.trustAnchor().str() + ") is not the one the response names (through " +
                              hint.str() + " to " + trustAnchor + ")",
                          "12.2.5 step 5", "authority_hints", response);
        const OperatorRegistry standard = OperatorRegistry::standard();
        OIDFED_TRY(out.resolvedMetadata, registration::reapplyChainPolicy(own, metadata, check.registry ? *check.registry : standard,
                                                                          check.statements));
        out.policyReapplied = true;
    }
    return out;
}

} // namespace oidfed
