// Reading and writing Explicit Registration requests (12.2.1, 12.2.2 steps
// 1-2). The statements of presented chains are left to the registration
// (registration.cpp): a trust_chain is only a path hint.

#include <oidfed/registration_request.h>

#include <algorithm>
#include <cctype>

#include <oidfed/jws.h>

#include "core/range_check.h"
#include "statement/claims.h"
#include "statement/statement_payload.h"

namespace oidfed {

namespace {

constexpr std::string_view kLimitsRule = "12.2.1 limits";

// "Application/Entity-Statement+JWT; charset=x" -> "application/entity-statement+jwt".
std::string mediaType(std::string_view contentType)
{
    std::string_view type = contentType.substr(0, contentType.find(';'));
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
        type.remove_prefix(1);
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
        type.remove_suffix(1);
    std::string out(type);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

Result<void> checkChainLength(const std::vector<std::string> &chain, std::string_view name,
                              const RegistrationRequestOptions &options, const std::string &rp)
{
    if (chain.size() > options.maxChainStatements)
        return fail(Error(ErrorCode::LimitExceeded, std::string(name) + " holds " + std::to_string(chain.size()) +
                                                        " statements; at most " +
                                                        std::to_string(options.maxChainStatements) + " are read")
                        .withRule(kLimitsRule)
                        .withClaim(name)
                        .withEntity(rp));
    return ok();
}

// A chain body: a non-empty JSON array of JWT strings (15.4).
Result<std::vector<std::string>> chainBody(std::string_view body, const RegistrationRequestOptions &options)
{
    constexpr std::string_view kRule = "12.2.1 trust chain body";
    auto refuse = [&](std::string message) {
        return fail(Error(ErrorCode::InvalidArgument, std::move(message)).withRule(kRule).withClaim("trust_chain"));
    };
    auto json = parseJson(body, options.statements.jws.json);
    if (!json)
        return refuse("the " + std::string(kTrustChainMediaType) + " body is not JSON: " + json.error().message);
    if (!json->isArray() || json->size() == 0)
        return refuse("the " + std::string(kTrustChainMediaType) + " body must be a non-empty JSON array of JWTs");
    if (json->size() > options.maxChainStatements)
        return fail(Error(ErrorCode::LimitExceeded, "the trust chain body holds " + std::to_string(json->size()) +
                                                        " statements; at most " +
                                                        std::to_string(options.maxChainStatements) + " are read")
                        .withRule(kLimitsRule)
                        .withClaim("trust_chain"));
    std::vector<std::string> chain;
    for (const Json &jwt : json->asArray()) {
        if (!jwt.isString() || jwt.asString().empty())
            return refuse("the " + std::string(kTrustChainMediaType) + " body holds something that is not a JWT string");
        chain.push_back(jwt.asString());
    }
    return chain;
}

} // namespace

Result<void> validateRegistrationRequestOptions(const RegistrationRequestOptions &o)
{
    using namespace std::chrono;
    using detail::checkRange;
    OIDFED_TRY_VOID(checkRange<seconds>("clockSkew", o.clockSkew, seconds(0), minutes(10)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("maxBodyBytes", o.maxBodyBytes, 1024, 16 << 20));
    return checkRange<std::size_t>("maxChainStatements", o.maxChainStatements, 1, 64);
}

Result<RegistrationRequest> parseRegistrationRequest(std::string_view body, std::string_view contentType,
                                                     const EntityId &op, UnixTime now,
                                                     const RegistrationRequestOptions &options)
{
    if (body.size() > options.maxBodyBytes)
        return fail(Error(ErrorCode::LimitExceeded, "the request body has " + std::to_string(body.size()) +
                                                        " bytes; at most " + std::to_string(options.maxBodyBytes) +
                                                        " are read")
                        .withRule(kLimitsRule));
    // Step 1: the content type tells an Entity Configuration from a chain.
    const std::string type = mediaType(contentType);
    std::vector<std::string> bodyChain;
    std::string_view ecJwt = body;
    const bool isChain = type == kTrustChainMediaType;
    if (isChain) {
        OIDFED_TRY(bodyChain, chainBody(body, options));
        ecJwt = bodyChain.front();
    } else if (type != kEntityStatementMediaType) {
        return fail(Error(ErrorCode::InvalidArgument, "a registration request is " +
                                                          std::string(kEntityStatementMediaType) + " or " +
                                                          std::string(kTrustChainMediaType) + ", not \"" + type + "\"")
                        .withRule("12.2.2 step 1")
                        .withClaim("Content-Type"));
    }

    // Step 2: the Entity Configuration under the registration rules of 3.2.
    OIDFED_TRY(EntityStatement configuration,
               EntityStatement::parse(ecJwt, options.statements, StatementContext::RegistrationRequest));
    const std::string rp = configuration.subject().str();
    if (configuration.audience() != op.str())
        return fail(Error(ErrorCode::InvalidArgument, "the request's aud is " + configuration.audience() +
                                                          ", not this OP (" + op.str() + ")")
                        .withRule("12.2.2 step 2")
                        .withClaim("aud")
                        .withEntity(rp));
    if (isChain && !configuration.peerTrustChainHeader().empty())
        return fail(Error(ErrorCode::InvalidArgument,
                          "peer_trust_chain must not be used when the request body is a trust chain")
                        .withRule("12.2.1 peer_trust_chain")
                        .withClaim("peer_trust_chain")
                        .withEntity(rp));
    OIDFED_TRY_VOID(configuration.checkValidityPeriod(now, options.clockSkew.count()));
    OIDFED_TRY_VOID(configuration.verifySignature(configuration.jwks()));

    std::vector<std::string> trustChain = isChain ? std::move(bodyChain) : configuration.trustChainHeader();
    std::vector<std::string> peerTrustChain = configuration.peerTrustChainHeader();
    OIDFED_TRY_VOID(checkChainLength(trustChain, "trust_chain", options, rp));
    OIDFED_TRY_VOID(checkChainLength(peerTrustChain, "peer_trust_chain", options, rp));
    return RegistrationRequest{std::move(configuration), std::move(trustChain), std::move(peerTrustChain), isChain};
}

Result<std::string> issueRegistrationRequest(const RegistrationRequestClaims &claims, const Jwk &signingKey,
                                             const StatementOptions &options)
{
    OIDFED_TRY(Json payload, statement::entityConfigurationPayload(claims.configuration, signingKey));
    if (payload.contains("aud"))
        return fail(Error(ErrorCode::InvalidArgument, "aud is set from the OP, not from the extra claims")
                        .withClaim("aud"));
    payload.set("aud", claims.op.str());
    Json header = Json::object();
    header.set("typ", std::string(kEntityStatementType));
    auto array = [](const std::vector<std::string> &jwts) {
        Json out = Json::array();
        for (const std::string &jwt : jwts)
            out.push(jwt);
        return out;
    };
    if (!claims.trustChain.empty())
        header.set("trust_chain", array(claims.trustChain));
    if (!claims.peerTrustChain.empty())
        header.set("peer_trust_chain", array(claims.peerTrustChain));
    OIDFED_TRY(std::string jwt, signJws(header, payload.dump(), signingKey));
    OIDFED_TRY(EntityStatement parsed, EntityStatement::parse(jwt, options, StatementContext::RegistrationRequest));
    OIDFED_TRY_VOID(parsed.verifySignature(claims.configuration.jwks));
    return jwt;
}

} // namespace oidfed
