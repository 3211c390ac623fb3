#include "client_fixture.h"

#include <atomic>
#include <stdexcept>

#include <oidfed/base64url.h>
#include <oidfed/federation_urls.h>
#include <oidfed/jws.h>

#include "loopback_servers.h"
#include "test_support.h"

namespace oidfed::test::client {

Jwk generatedKey()
{
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    if (!key)
        throw std::runtime_error("key generation: " + key.error().describe());
    return std::move(key).value();
}

Fixture::Fixture()
{
    FetchOptions options;
    options.allowHttp = true;
    options.allowLoopback = true;
    options.connectTimeout = std::chrono::milliseconds(1000);
    options.totalTimeout = std::chrono::milliseconds(1500);
    fetcher = makeFetcher(options);
    fed.add(ta, authorityMetadata(ta));
    Json opMetadata = Json::object();
    Json provider = Json::object();
    provider.set("issuer", op);
    opMetadata.set("openid_provider", provider);
    fed.add(op, opMetadata, {ta});
    fed.add(rp, Json::object(), {ta});
    setRpMetadata(Json::object());
}

void Fixture::setRpMetadata(const Json &relyingParty, const Json &extra)
{
    Json metadata = extra;
    metadata.set("openid_relying_party", relyingParty);
    fed.entity(rp).metadata = metadata;
    publish();
}

void Fixture::publish()
{
    for (const std::string &id : {ta, op, rp})
        server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
    server.serve(*fetchEndpointUrl(ta + "/fetch", op), fed.subordinateStatement(ta, op));
    server.serve(*fetchEndpointUrl(ta + "/fetch", rp), fed.subordinateStatement(ta, rp, rpClaims));
}

std::vector<std::string> Fixture::rpChainJwts() const
{
    return {fed.entityConfiguration(rp), fed.subordinateStatement(ta, rp, rpClaims), fed.entityConfiguration(ta)};
}

std::vector<std::string> Fixture::opChainJwts() const
{
    return {fed.entityConfiguration(op), fed.subordinateStatement(ta, op), fed.entityConfiguration(ta)};
}

Json Fixture::protocolJwks() const
{
    Json keys = Json::array();
    keys.push(protocolKey.toPublicJson());
    Json set = Json::object();
    set.set("keys", keys);
    return set;
}

std::string Fixture::signedJwks(const Json &overrides, const Jwk *key, const std::string &typ)
{
    Json payload = Json::object();
    payload.set("iss", rp);
    payload.set("sub", rp);
    payload.set("iat", now);
    payload.set("exp", now + 600);
    payload.set("keys", *protocolJwks().find("keys"));
    for (const auto &[name, value] : overrides.asObject()) {
        if (value.isNull())
            payload.erase(name);
        else
            payload.set(name, value);
    }
    Json header = Json::object();
    header.set("typ", typ);
    auto jwt = signJws(header, payload.dump(), key ? *key : fed.entity(rp).key);
    if (!jwt)
        throw std::runtime_error("signing the JWK Set: " + jwt.error().describe());
    return *jwt;
}

std::string Fixture::publishDocument(const std::string &name, const std::string &body, const std::string &mediaType)
{
    std::string url = rp + "/" + name;
    server.serve(url, body, 0, mediaType);
    return url;
}

ChainValidationOptions Fixture::validationOptions() const
{
    ChainValidationOptions options;
    options.statements.entityIds.allowHttp = true;
    return options;
}

TrustChain Fixture::rpChain(const std::vector<std::string> &entityTypes) const
{
    std::vector<std::string> jwts = rpChainJwts();
    ChainValidationOptions options = validationOptions();
    options.entityTypes = entityTypes;
    std::vector<TrustAnchor> anchors{fed.anchor(ta)};
    auto chain = validateTrustChain(jwts, anchors, now, options);
    if (!chain)
        throw std::runtime_error("the RP's chain: " + chain.error().describe());
    return std::move(chain).value();
}

std::string unsignedJws(const Json &header, const Json &payload)
{
    return base64urlEncode(header.dump()) + "." + base64urlEncode(payload.dump()) + "." +
           base64urlEncode("not a real signature at all, 32b");
}

std::string uniqueJti()
{
    static std::atomic<int> counter{0};
    return "jti-" + std::to_string(++counter);
}

std::string signedJwt(const Fixture &f, Json claims, const JwtSpec &spec, const std::string &typ)
{
    for (const auto &[name, value] : spec.overrides.asObject()) {
        if (value.isNull())
            claims.erase(name);
        else
            claims.set(name, value);
    }
    Json header = Json::object();
    header.set("typ", typ);
    for (const auto &[name, value] : spec.headerExtra.asObject())
        header.set(name, value);
    auto jwt = signJws(header, claims.dump(), spec.key ? *spec.key : f.protocolKey);
    REQUIRE(jwt);
    return *jwt;
}

std::string requestObject(const Fixture &f, const JwtSpec &spec)
{
    Json claims = Json::object();
    claims.set("iss", f.rp);
    claims.set("client_id", f.rp);
    claims.set("aud", f.op);
    claims.set("jti", uniqueJti());
    claims.set("iat", f.now);
    claims.set("exp", f.now + 300);
    claims.set("response_type", "code");
    claims.set("redirect_uri", "https://rp.example/cb");
    claims.set("scope", "openid");
    return signedJwt(f, claims, spec, "oauth-authz-req+jwt");
}

std::string clientAssertion(const Fixture &f, const JwtSpec &spec)
{
    Json claims = Json::object();
    claims.set("iss", f.rp);
    claims.set("sub", f.rp);
    claims.set("aud", f.op);
    claims.set("jti", uniqueJti());
    claims.set("iat", f.now);
    claims.set("exp", f.now + 60);
    return signedJwt(f, claims, spec, "JWT");
}

Json rpMetadata(const Fixture &f)
{
    Json rp = test::json(R"({"redirect_uris":["https://rp.example/cb"],"client_registration_types":["automatic"],
                       "token_endpoint_auth_method":"private_key_jwt"})");
    rp.set("jwks", f.protocolJwks());
    return rp;
}

} // namespace oidfed::test::client
