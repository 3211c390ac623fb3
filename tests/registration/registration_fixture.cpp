#include "registration_fixture.h"

#include <doctest/doctest.h>

#include <oidfed/jws.h>
#include <oidfed/statement_issuer.h>

#include "test_support.h"

namespace oidfed::test::registration {

StatementOptions testStatementOptions()
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    return options;
}

RegistrationRequestOptions requestOptions()
{
    RegistrationRequestOptions options;
    options.statements = testStatementOptions();
    return options;
}

Json rpClientMetadata()
{
    return json(R"({
        "client_name": "RP", "application_type": "web",
        "redirect_uris": ["https://rp.example/callback"],
        "response_types": ["code"], "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://rp.example/jwks.json"})");
}

Federation::Federation()
{
    fed.add(kTa, authorityMetadata(kTa));
    fed.add(kIm, authorityMetadata(kIm), {kTa});
    Json rp = Json::object();
    rp.set("openid_relying_party", rpClientMetadata());
    fed.add(kRp, rp, {kIm});
    fed.add(kOp, json(R"({"openid_provider": {
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "client_registration_types_supported": ["explicit"],
        "federation_registration_endpoint": "https://op.example/register"}})"),
            {kTa});
    publish();
}

void Federation::publish()
{
    for (const char *id : {kTa, kIm, kOp})
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    fetcher.serve(fetchUrl(kTa, kIm), fed.subordinateStatement(kTa, kIm, imClaims));
    fetcher.serve(fetchUrl(kIm, kRp), fed.subordinateStatement(kIm, kRp, rpClaims));
    fetcher.serve(fetchUrl(kTa, kOp), fed.subordinateStatement(kTa, kOp));
}

std::vector<std::string> Federation::rpChain(std::optional<UnixTime> exp) const
{
    UnixTime until = exp.value_or(fed.exp());
    return {fed.entityConfiguration(kRp), fed.subordinateStatement(kIm, kRp, rpClaims, fed.iat(), until),
            fed.subordinateStatement(kTa, kIm, imClaims), fed.entityConfiguration(kTa)};
}

std::vector<std::string> Federation::opChain() const
{
    return {fed.entityConfiguration(kOp), fed.subordinateStatement(kTa, kOp), fed.entityConfiguration(kTa)};
}

Result<std::string> Federation::tryRequest(const RequestSpec &spec)
{
    const TestEntity &rp = fed.entity(kRp);
    RegistrationRequestClaims claims{.configuration = {.entityId = rp.id}, .op = EntityId::parse(spec.op, {.allowHttp = true}).value()};
    claims.configuration.issuedAt = spec.iat.value_or(fed.iat());
    claims.configuration.expiresAt = spec.exp.value_or(fed.exp());
    claims.configuration.jwks = rp.jwks;
    claims.configuration.metadata = spec.metadata.isNull() ? rp.metadata : spec.metadata;
    for (const std::string &hint : spec.authorityHints)
        claims.configuration.authorityHints.push_back(EntityId::parse(hint, {.allowHttp = true}).value());
    claims.configuration.extraClaims = spec.extraClaims;
    claims.trustChain = spec.trustChain;
    claims.peerTrustChain = spec.peerTrustChain;
    Jwk key = rp.key;
    if (spec.signWithUnvouchedKey) {
        auto fresh = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(fresh);
        key = *fresh;
        claims.configuration.jwks = JwkSet::fromKeys({key}).value();
    }
    return issueRegistrationRequest(claims, key, testStatementOptions());
}

std::string Federation::request(const RequestSpec &spec)
{
    auto jwt = tryRequest(spec);
    REQUIRE_MESSAGE(jwt, jwt.error().describe());
    return *jwt;
}

std::string Federation::signedRequest(const RequestSpec &spec)
{
    const TestEntity &rp = fed.entity(kRp);
    Json claims = Json::object();
    claims.set("iss", kRp);
    claims.set("sub", kRp);
    claims.set("iat", spec.iat.value_or(fed.iat()));
    claims.set("exp", spec.exp.value_or(fed.exp()));
    claims.set("aud", spec.op);
    claims.set("jwks", rp.jwks.toJson());
    claims.set("metadata", spec.metadata.isNull() ? rp.metadata : spec.metadata);
    Json hints = Json::array();
    for (const std::string &hint : spec.authorityHints)
        hints.push(hint);
    claims.set("authority_hints", hints);
    for (const auto &[name, value] : spec.extraClaims.asObject())
        claims.set(name, value);
    Json header = json(R"({"typ":"entity-statement+jwt"})");
    Jwk key = rp.key;
    if (spec.signWithUnpublishedKey) {
        auto other = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(other);
        key = *other;
    }
    auto jwt = signJws(header, claims.dump(), key);
    REQUIRE(jwt);
    return *jwt;
}

std::unique_ptr<Resolver> Federation::resolver(ResolverOptions options)
{
    options.statements = testStatementOptions();
    auto r = Resolver::create(options, {fed.anchor(kTa)}, {fetcher, clock});
    REQUIRE(r);
    return std::move(r).value();
}

} // namespace oidfed::test::registration
