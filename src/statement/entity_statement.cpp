#include <oidfed/entity_statement.h>

#include <oidfed/cache_key.h>

#include "statement/claims.h"
#include "statement/registration_rules.h"
#include "statement/statement_name.h"
#include "statement/statement_rules.h"

namespace oidfed {

namespace statement {

std::string statementName(const EntityStatement &statement)
{
    if (statement.isEntityConfiguration())
        return "the Entity Configuration of " + statement.issuer().str();
    return "the Subordinate Statement of " + statement.issuer().str() + " about " + statement.subject().str();
}

} // namespace statement

Result<EntityStatement> EntityStatement::parse(std::string_view jwt, const StatementOptions &options)
{
    return parse(jwt, options, StatementContext::Federation);
}

Result<EntityStatement> EntityStatement::parse(std::string_view jwt, const StatementOptions &options,
                                               StatementContext context)
{
    const bool request = context == StatementContext::RegistrationRequest;
    const bool response = context == StatementContext::RegistrationResponse;
    // 3.2 steps 1 and 3: a compact JWS with an allowed alg (Jws::parse).
    auto jws = Jws::parse(jwt, options.jws);
    if (!jws)
        return fail(std::move(jws).error().withRule("3.2 JWS"));
    statement::ChainHeaders headers;
    if (request) {
        OIDFED_TRY(headers, statement::checkRequestHeader(*jws));
    } else if (response) {
        OIDFED_TRY_VOID(statement::checkResponseHeader(*jws));
    } else {
        OIDFED_TRY_VOID(statement::checkHeader(*jws));
    }

    // Claims are read from exactly the bytes that the signature covers (C23).
    auto claims = jws->payloadJson(options.jws.json);
    if (!claims)
        return fail(std::move(claims).error().withRule("3.2 JWT claims"));

    // jwks is OPTIONAL in a registration response only (3.1.1).
    if (response) {
        OIDFED_TRY_VOID(claims::checkRequired(*claims, {"iss", "sub", "iat", "exp"}, "3.1.1 required claims"));
    } else {
        OIDFED_TRY_VOID(claims::checkRequired(*claims, {"iss", "sub", "iat", "exp", "jwks"}, "3.1.1 required claims"));
    }
    // 3.2 step 5.
    OIDFED_TRY(EntityId issuer, claims::entityIdClaim(*claims, "iss", options.entityIds, "3.2 iss"));
    auto subject = claims::entityIdClaim(*claims, "sub", options.entityIds, "3.1.1 sub");
    if (!subject)
        return fail(std::move(subject).error().withEntity(issuer.str()));

    EntityStatement statement(std::move(jws).value(), std::move(claims).value(), std::move(issuer), std::move(subject).value());
    const Json &c = statement.claims_;
    auto withEntity = [&](Error error) { return fail(std::move(error).withEntity(statement.issuer_.str())); };

    // 3.2 step 6 (placement), and every claim's own syntax.
    statement.context_ = context;
    auto placement = request    ? statement::checkRequestClaimPlacement(c, statement.isEntityConfiguration())
                     : response ? statement::checkResponseClaimPlacement(c, statement.isEntityConfiguration())
                                : statement::checkClaimPlacement(c, statement.isEntityConfiguration());
    if (!placement)
        return withEntity(std::move(placement).error());
    if (request || response) {
        // 3.1.4 / 3.1.5, 3.2 step 26.
        auto audience = statement::checkSingleAudience(c, options.entityIds, request ? "3.1.4 aud" : "3.1.5 aud");
        if (!audience)
            return withEntity(std::move(audience).error());
        statement.audience_ = audience->str();
        statement.trustChainHeader_ = std::move(headers.trustChain);
        statement.peerTrustChainHeader_ = std::move(headers.peerTrustChain);
    }
    auto iat = claims::numericDateClaim(c, "iat", "3.1.1 iat");
    if (!iat)
        return withEntity(std::move(iat).error());
    auto exp = claims::numericDateClaim(c, "exp", "3.1.1 exp");
    if (!exp)
        return withEntity(std::move(exp).error());
    if (auto r = claims::checkIssuedBeforeExpiry(*iat, *exp, "3.1.1 iat/exp"); !r)
        return withEntity(std::move(r).error());
    statement.iat_ = *iat;
    statement.exp_ = *exp;

    if (!response || c.contains("jwks")) {
        auto jwks = statement::checkJwks(c, options.keys);
        if (!jwks)
            return withEntity(std::move(jwks).error());
        statement.jwks_ = std::move(jwks).value();
    }

    auto hints = statement::checkAuthorityHints(c, statement.subject_, options.entityIds);
    if (!hints)
        return withEntity(std::move(hints).error());
    statement.authorityHints_ = std::move(hints).value();
    if (response) {
        // 12.2.3: one authority hint, and the anchor the OP selected (3.2 step 27).
        if (auto single = statement::checkSingleAuthorityHint(statement.authorityHints_); !single)
            return withEntity(std::move(single).error());
        if (auto anchor = statement::checkTrustAnchorClaim(c, options.entityIds); !anchor)
            return withEntity(std::move(anchor).error());
    }

    Result<void> checks[] = {
        statement::checkTrustAnchorHints(c, options.entityIds),
        statement::checkMetadata(c, options.entityIds),
        statement::checkMetadataPolicySyntax(c),
        statement::checkMetadataPolicyCrit(c, options.understoodPolicyOperators),
        statement::checkConstraintsSyntax(c),
        statement::checkTrustMarks(c, options.jws),
        statement::checkTrustMarkIssuers(c, options.entityIds),
        statement::checkTrustMarkOwners(c, options.entityIds, options.keys),
        statement::checkSourceEndpoint(c, options.entityIds),
        statement::checkStatementCrit(c, options.understoodCriticalClaims),
    };
    for (auto &check : checks)
        if (!check)
            return withEntity(std::move(check).error());
    statement.digest_ = cacheKeyDigest(statement.compact());
    return statement;
}

std::vector<std::string> EntityStatement::entityTypes() const
{
    std::vector<std::string> types;
    if (const Json *metadata = claims_.find("metadata"))
        for (const auto &member : metadata->asObject())
            types.push_back(member.first);
    return types;
}

Result<void> EntityStatement::verifySignature(const JwkSet &issuerKeys) const
{
    auto verified = jws_.verify(issuerKeys);
    if (!verified) {
        Error error = std::move(verified).error();
        error.message = statement::statementName(*this) + " (kid \"" + jws_.kid() + "\"): " + error.message;
        return fail(std::move(error).withRule("3.2 signature").withEntity(issuer_.str()));
    }
    return ok();
}

Result<void> EntityStatement::checkValidityPeriod(UnixTime now, std::int64_t skewSeconds) const
{
    auto r = claims::checkValidityPeriod(iat_, exp_, now, skewSeconds, "3.2 iat/exp", statement::statementName(*this));
    if (!r)
        return fail(std::move(r).error().withEntity(issuer_.str()));
    return ok();
}

Result<void> checkIssuerIsAuthorityHint(const EntityStatement &subordinate, const EntityStatement &subjectConfiguration)
{
    const auto &hints = subjectConfiguration.authorityHints();
    for (const EntityId &hint : hints)
        if (hint == subordinate.issuer())
            return ok();
    return fail(Error(ErrorCode::InvalidClaim, "issuer " + subordinate.issuer().str() +
                                                   " is not in the authority_hints of " + subjectConfiguration.subject().str())
                    .withRule("3.2 step 6 authority_hints")
                    .withClaim("authority_hints")
                    .withEntity(subordinate.issuer().str()));
}

} // namespace oidfed
