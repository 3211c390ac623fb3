// Request Objects (12.1.1.1, RFC 9101) and client assertions (12.1.1.2,
// RFC 7523 3): the checks that need no key and no I/O, cheapest first, so a
// JWT that must be refused never costs a resolution or a fetch.

#include "client/client_jwt.h"

#include <algorithm>

#include "statement/claims.h"

namespace oidfed::client {

namespace {

// The rules of one kind of JWT, by the section that states them.
struct Rules {
    ErrorCode code;
    std::string_view signedRule;
    std::string_view typRule;
    std::string_view issRule;
    std::string_view subRule;
    std::string_view audRule;
    std::string_view jtiRule;
    std::string_view expRule;
    std::string_view iatRule;
    std::vector<std::string_view> types;  // accepted typ values (absent is accepted too)
};

const Rules &rulesFor(ClientJwtKind kind)
{
    static const Rules requestObject{ErrorCode::InvalidRequestObject,
                                     "12.1.1.1 signed",
                                     "RFC 9101 4 typ",
                                     "12.1.1.1 iss",
                                     "12.1.1.1 sub",
                                     "12.1.1.1 aud",
                                     "12.1.1.1 jti",
                                     "12.1.1.1 exp",
                                     "12.1.1.1 iat",
                                     {kRequestObjectType, "JWT", "jwt"}};
    static const Rules clientAssertion{ErrorCode::InvalidClient,
                                       "12.1.1.2 signed",
                                       "RFC 7523 3 typ",
                                       "RFC 7523 3 iss",
                                       "RFC 7523 3 sub",
                                       "12.1.1.2 aud",
                                       "RFC 7523 3 jti",
                                       "RFC 7523 3 exp",
                                       "RFC 7523 3 iat",
                                       {"JWT", "jwt", "client-authentication+jwt"}};
    return kind == ClientJwtKind::RequestObject ? requestObject : clientAssertion;
}

class Checker {
public:
    Checker(const Rules &rules) : rules_(rules) {}

    Unexpected refuse(std::string_view rule, std::string_view claim, std::string message) const
    {
        return fail(Error(rules_.code, std::move(message)).withRule(rule).withClaim(claim).withEntity(entity_));
    }
    void setEntity(std::string entity) { entity_ = std::move(entity); }

    // A REQUIRED non-empty string claim.
    Result<std::string> text(const Json &claims, std::string_view name, std::string_view rule) const
    {
        const Json *value = claims.find(name);
        if (!value)
            return refuse(rule, name, "the " + std::string(name) + " claim is REQUIRED");
        if (!value->isString() || value->asString().empty())
            return refuse(rule, name, "the " + std::string(name) + " claim must be a non-empty string");
        return value->asString();
    }

    // An OPTIONAL NumericDate; -1 when absent.
    Result<UnixTime> date(const Json &claims, std::string_view name, std::string_view rule, bool required) const
    {
        const Json *value = claims.find(name);
        if (!value) {
            if (required)
                return refuse(rule, name, "the " + std::string(name) + " claim is REQUIRED");
            return UnixTime{-1};
        }
        auto parsed = claims::numericDateClaim(claims, name, rule);
        if (!parsed)
            return refuse(rule, name, parsed.error().message);
        return *parsed;
    }

    // The JWS header's chain (trust_chain / peer_trust_chain): absent, or a
    // non-empty array of at most `max` strings.
    Result<std::vector<std::string>> chainHeader(const Json &header, std::string_view name, std::string_view rule,
                                                 std::size_t max) const
    {
        std::vector<std::string> chain;
        const Json *value = header.find(name);
        if (!value)
            return chain;
        if (!value->isArray() || value->asArray().empty())
            return refuse(rule, name, "the " + std::string(name) + " header must be a non-empty array of JWTs");
        if (value->asArray().size() > max)
            return refuse(rule, name, "the " + std::string(name) + " header has " +
                                          std::to_string(value->asArray().size()) + " statements; at most " +
                                          std::to_string(max) + " are accepted");
        for (const Json &jwt : value->asArray()) {
            if (!jwt.isString() || jwt.asString().empty())
                return refuse(rule, name, "the " + std::string(name) + " header must hold JWT strings");
            chain.push_back(jwt.asString());
        }
        return chain;
    }

private:
    const Rules &rules_;
    std::string entity_;
};

// aud names this OP only: a string, or an array of that single value.
bool audienceIsOp(const Json &aud, const ClientJwtExpectations &expected)
{
    auto accepted = [&](const Json &value) {
        if (!value.isString())
            return false;
        const std::string &text = value.asString();
        return text == expected.op.str() ||
               std::find(expected.extraAudiences.begin(), expected.extraAudiences.end(), text) !=
                   expected.extraAudiences.end();
    };
    if (aud.isArray())
        return aud.asArray().size() == 1 && accepted(aud.asArray()[0]);
    return accepted(aud);
}

} // namespace

ErrorCode refusalCode(ClientJwtKind kind) noexcept
{
    return kind == ClientJwtKind::RequestObject ? ErrorCode::InvalidRequestObject : ErrorCode::InvalidClient;
}

std::string_view kindName(ClientJwtKind kind) noexcept
{
    return kind == ClientJwtKind::RequestObject ? "request_object" : "client_assertion";
}

Result<ClientJwt> parseClientJwt(std::string_view jwt, ClientJwtKind kind, const ClientJwtExpectations &expected,
                                 const AutomaticRegistrationOptions &options)
{
    const Rules &rules = rulesFor(kind);
    Checker check(rules);
    const bool requestObject = kind == ClientJwtKind::RequestObject;

    // Signed, with an asymmetric allow-listed alg: never none, never HMAC.
    auto jws = Jws::parse(jwt, options.jws);
    if (!jws) {
        const bool alg = jws.error().code == ErrorCode::UnsupportedAlgorithm;
        return check.refuse(rules.signedRule, alg ? "alg" : (requestObject ? "request" : "client_assertion"),
                            jws.error().message);
    }
    if (const Json *typ = jws->header().find("typ")) {
        const bool known = typ->isString() && std::find(rules.types.begin(), rules.types.end(), typ->asString()) !=
                                                  rules.types.end();
        if (!known)
            return check.refuse(rules.typRule, "typ",
                                "typ " + typ->dump() + " is not one this kind of JWT may carry; another kind of JWT "
                                                       "is not accepted in its place");
    }
    auto payload = jws->payloadJson(options.jws.json);
    if (!payload)
        return check.refuse(rules.signedRule, requestObject ? "request" : "client_assertion",
                            "the payload is not a JSON object: " + payload.error().message);
    const Json &claims = *payload;

    // Who: iss, and client_id (Request Object) or sub (assertion), all the
    // client's Entity Identifier.
    OIDFED_TRY(std::string iss, check.text(claims, "iss", rules.issRule));
    auto client = EntityId::parse(iss, expected.entityIds);
    if (!client)
        return check.refuse(rules.issRule, "iss", "iss must be the client's Entity Identifier: " +
                                                      client.error().message);
    check.setEntity(iss);
    if (requestObject) {
        OIDFED_TRY(std::string clientId, check.text(claims, "client_id", "12.1.1.1 client_id"));
        if (clientId != iss)
            return check.refuse("12.1.1.1 client_id", "client_id",
                                "client_id " + clientId + " is not the iss " + iss + " (both are the RP's Entity "
                                                                                     "Identifier)");
        if (claims.contains("sub"))
            return check.refuse(rules.subRule, "sub",
                                "a Request Object must not carry sub: it could then pass as a private_key_jwt "
                                "client assertion");
    } else {
        OIDFED_TRY(std::string sub, check.text(claims, "sub", rules.subRule));
        if (sub != iss)
            return check.refuse(rules.subRule, "sub", "sub " + sub + " is not the iss " + iss +
                                                          " (both are the client's Entity Identifier)");
    }
    if (!expected.clientIdParameter.empty() && expected.clientIdParameter != iss)
        return check.refuse(requestObject ? "RFC 9101 5 client_id" : "RFC 7523 3 client_id", "client_id",
                            "the request's client_id " + std::string(expected.clientIdParameter) +
                                " is not the JWT's " + iss);

    const Json *aud = claims.find("aud");
    if (!aud)
        return check.refuse(rules.audRule, "aud", "the aud claim is REQUIRED: this OP's Entity Identifier");
    if (!audienceIsOp(*aud, expected))
        return check.refuse(rules.audRule, "aud",
                            "aud " + aud->dump() + " is not this OP alone (" + expected.op.str() +
                                ", as a string or an array of that single value)");

    // Single use and time.
    OIDFED_TRY(std::string jti, check.text(claims, "jti", rules.jtiRule));
    OIDFED_TRY(UnixTime exp, check.date(claims, "exp", rules.expRule, true));
    OIDFED_TRY(UnixTime iat, check.date(claims, "iat", rules.iatRule, false));
    OIDFED_TRY(UnixTime nbf, check.date(claims, "nbf", "RFC 7519 nbf", false));
    const UnixTime now = expected.now;
    const UnixTime skew = options.clockSkew.count();
    const UnixTime lifetime = options.maxJwtLifetime.count();
    if (exp + skew <= now)
        return check.refuse(rules.expRule, "exp", "the JWT expired " + std::to_string(now - exp) + " s ago");
    if (exp - now > lifetime)
        return check.refuse(rules.expRule, "exp",
                            "exp is " + std::to_string(exp - now) + " s ahead; at most " + std::to_string(lifetime) +
                                " s are accepted (maxJwtLifetime)");
    if (iat >= 0 && iat > now + skew)
        return check.refuse(rules.iatRule, "iat", "iat is " + std::to_string(iat - now) + " s in the future");
    if (iat >= 0 && now - iat > lifetime + skew)
        return check.refuse(rules.iatRule, "iat", "iat is " + std::to_string(now - iat) + " s ago; at most " +
                                                      std::to_string(lifetime) + " s are accepted (maxJwtLifetime)");
    if (nbf >= 0 && nbf > now + skew)
        return check.refuse("RFC 7519 nbf", "nbf", "nbf is " + std::to_string(nbf - now) + " s in the future");

    // The presented chains (4.3, 4.4); what they hold is judged later.
    OIDFED_TRY(std::vector<std::string> trustChain,
               check.chainHeader(jws->header(), "trust_chain", "4.3 trust_chain", options.maxChainStatements));
    OIDFED_TRY(std::vector<std::string> peerTrustChain, check.chainHeader(jws->header(), "peer_trust_chain",
                                                                          "4.4 peer_trust_chain",
                                                                          options.maxChainStatements));
    if (requestObject && options.requireTrustChain && trustChain.empty())
        return check.refuse("18.1 require trust chain", "trust_chain",
                            "this OP requires a trust_chain header with every Request Object");

    Jws parsed = std::move(jws).value();
    return ClientJwt{std::move(parsed), std::move(payload).value(), std::move(client).value(), std::move(jti), exp,
                     std::move(trustChain), std::move(peerTrustChain)};
}

} // namespace oidfed::client
