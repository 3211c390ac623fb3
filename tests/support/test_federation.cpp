#include "test_federation.h"

#include <fstream>

#include <stdexcept>

#include <oidfed/federation_urls.h>

namespace oidfed::test {

namespace {

template <typename T>
T orThrow(Result<T> result, const char *what)
{
    if (!result)
        throw std::runtime_error(std::string(what) + ": " + result.error().describe());
    return std::move(result).value();
}

EntityId idOf(const std::string &text)
{
    return orThrow(EntityId::parse(text, {.allowHttp = true}), "entity id");
}

StatementOptions testOptions()
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    return options;
}

} // namespace

std::string wellKnown(const std::string &id)
{
    return orThrow(entityConfigurationUrl(id), "entity configuration URL");
}

std::string fetchUrl(const std::string &superior, const std::string &subject)
{
    return orThrow(fetchEndpointUrl(superior + "/fetch", subject), "fetch endpoint URL");
}

Json authorityMetadata(const std::string &id)
{
    Json federation = Json::object();
    federation.set("federation_fetch_endpoint", id + "/fetch");
    Json metadata = Json::object();
    metadata.set("federation_entity", federation);
    return metadata;
}

Json listingAuthorityMetadata(const std::string &id)
{
    Json metadata = authorityMetadata(id);
    metadata.find("federation_entity")->set("federation_list_endpoint", id + "/list");
    return metadata;
}

void TestFederation::writeAnchorFile(const std::string &id, const std::string &path) const
{
    Json pin = Json::object();
    pin.set("entity_id", id);
    pin.set("jwks", anchor(id).jwks.toJson());
    std::ofstream(path) << pin.dump();
}

TestEntity &TestFederation::add(const std::string &id, Json metadata, std::vector<std::string> authorityHints,
                                JwsAlgorithm alg)
{
    Jwk key = orThrow(Jwk::generate(alg), "key generation");
    JwkSet jwks = orThrow(JwkSet::fromKeys({key}), "jwks");
    std::vector<EntityId> hints;
    for (const std::string &hint : authorityHints)
        hints.push_back(idOf(hint));
    auto [it, inserted] = entities_.insert_or_assign(id, TestEntity{idOf(id), key, jwks, std::move(metadata), hints, Json(), Json()});
    return it->second;
}

TestEntity &TestFederation::entity(const std::string &id)
{
    auto it = entities_.find(id);
    if (it == entities_.end())
        throw std::runtime_error("no test entity " + id);
    return it->second;
}

std::string TestFederation::entityConfiguration(const std::string &id) const
{
    return entityConfiguration(id, iat_, exp_);
}

std::string TestFederation::entityConfiguration(const std::string &id, UnixTime iat, UnixTime exp) const
{
    const TestEntity &e = entities_.at(id);
    EntityConfigurationClaims claims{.entityId = e.id};
    claims.issuedAt = iat;
    claims.expiresAt = exp;
    claims.jwks = e.jwks;
    claims.metadata = e.metadata.isNull() ? Json::object() : e.metadata;
    claims.authorityHints = e.authorityHints;
    claims.trustMarks = e.trustMarks;
    claims.trustMarkIssuers = e.trustMarkIssuers;
    return orThrow(issueEntityConfiguration(claims, e.key, testOptions()), "entity configuration");
}

std::string TestFederation::subordinateStatement(const std::string &superior, const std::string &subject,
                                                 const SubordinateClaims &extra) const
{
    return subordinateStatement(superior, subject, extra, iat_, exp_);
}

std::string TestFederation::subordinateStatement(const std::string &superior, const std::string &subject,
                                                 const SubordinateClaims &extra, UnixTime iat, UnixTime exp) const
{
    const TestEntity &issuer = entities_.at(superior);
    const TestEntity &sub = entities_.at(subject);
    SubordinateStatementClaims claims{.issuer = issuer.id, .subject = sub.id};
    claims.issuedAt = iat;
    claims.expiresAt = exp;
    claims.jwks = sub.jwks;
    claims.metadata = extra.metadata;
    claims.metadataPolicy = extra.metadataPolicy;
    claims.constraints = extra.constraints;
    claims.metadataPolicyCrit = extra.metadataPolicyCrit;
    StatementOptions options = testOptions();
    options.understoodPolicyOperators = extra.metadataPolicyCrit;
    return orThrow(issueSubordinateStatement(claims, issuer.key, options), "subordinate statement");
}

Jwk TestFederation::publishExtraKey(const std::string &id)
{
    TestEntity &e = entity(id);
    auto extra = Jwk::generate(JwsAlgorithm::ES256);
    if (!extra)
        throw std::runtime_error("cannot generate a key: " + extra.error().describe());
    std::vector<Jwk> keys = e.jwks.keys();
    keys.push_back(*extra);
    auto published = JwkSet::fromKeys(std::move(keys));
    if (!published)
        throw std::runtime_error("cannot publish the key: " + published.error().describe());
    e.jwks = std::move(published).value();
    return std::move(extra).value();
}

TrustAnchor TestFederation::anchor(const std::string &id) const
{
    const TestEntity &e = entities_.at(id);
    return TrustAnchor{e.id, e.jwks};
}

} // namespace oidfed::test
