#include "registration_requests.h"

#include <doctest/doctest.h>

#include "entity/key_store.h"

namespace oidfed::test {

namespace {

EntityId idOf(const std::string &text)
{
    auto id = EntityId::parse(text, EntityIdOptions{.allowHttp = true});
    REQUIRE_MESSAGE(id, text);
    return std::move(id).value();
}

} // namespace

RpKeys rpKeysFrom(const std::filesystem::path &keysDir, UnixTime now)
{
    entity::KeyStoreOptions options;
    options.createIfMissing = false;
    auto store = entity::KeyStore::open(keysDir, options, now);
    REQUIRE_MESSAGE(store, store.error().describe());
    return RpKeys{.published = store->publishedKeys(now), .active = store->activeKey()};
}

RegistrationRequestClaims demoRequestClaims(const std::string &base, const RpKeys &keys, UnixTime now,
                                            const DemoGet &get)
{
    const std::string rp = base + "/rp";
    Json client = Json::object();
    client.set("client_name", "Library Portal");
    Json redirects = Json::array();
    redirects.push(rp + "/callback");
    client.set("redirect_uris", std::move(redirects));
    Json types = Json::array();
    types.push("code");
    client.set("response_types", std::move(types));
    Json grants = Json::array();
    grants.push("authorization_code");
    client.set("grant_types", std::move(grants));
    Json registration = Json::array();
    registration.push("explicit");
    client.set("client_registration_types", std::move(registration));
    client.set("token_endpoint_auth_method", "private_key_jwt");
    client.set("jwks", keys.published.toJson());
    Json federation = Json::object();
    federation.set("organization_name", "Demo Library Portal");
    Json metadata = Json::object();
    metadata.set("federation_entity", std::move(federation));
    metadata.set("openid_relying_party", std::move(client));

    EntityConfigurationClaims configuration{.entityId = idOf(rp),
                                            .issuedAt = now,
                                            .expiresAt = now + 3600,
                                            .jwks = keys.published,
                                            .metadata = std::move(metadata),
                                            .authorityHints = {idOf(base + "/ia")}};
    std::vector<std::string> chain = {get("/rp/.well-known/openid-federation"), get("/ia/fetch?sub=" + rp),
                                      get("/ta/fetch?sub=" + base + "/ia"), get("/ta/.well-known/openid-federation")};
    return RegistrationRequestClaims{.configuration = std::move(configuration),
                                     .op = idOf(base + "/op"),
                                     .trustChain = std::move(chain)};
}

std::string signDemoRequest(const RegistrationRequestClaims &claims, const RpKeys &keys)
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    auto jwt = issueRegistrationRequest(claims, keys.active, options);
    REQUIRE_MESSAGE(jwt, jwt.error().describe());
    return std::move(jwt).value();
}

std::string chainBody(const std::string &request, const std::vector<std::string> &chain)
{
    Json body = Json::array();
    body.push(request);
    for (std::size_t i = 1; i < chain.size(); ++i)
        body.push(chain[i]);
    return body.dump();
}

} // namespace oidfed::test
