#include "memory_federation.h"

#include <cstdio>
#include <cstdlib>

#include <oidfed/federation_urls.h>
#include <oidfed/statement_issuer.h>

namespace oidfed::bench {

void dieWith(const Error &error)
{
    std::fprintf(stderr, "benchmark set-up failed: %s\n", error.describe().c_str());
    std::exit(1);
}

Result<FetchResponse> MapFetcher::fetch(const FetchRequest &request)
{
    auto it = bodies.find(request.url);
    if (it == bodies.end())
        return fail(ErrorCode::NotFound, request.url);
    return FetchResponse{200, "application/entity-statement+jwt", it->second, "127.0.0.1"};
}

std::vector<Result<FetchResponse>> MapFetcher::fetchAll(const std::vector<FetchRequest> &requests)
{
    std::vector<Result<FetchResponse>> out;
    for (const auto &r : requests)
        out.push_back(fetch(r));
    return out;
}

namespace {

struct Entity {
    EntityId id;
    Jwk key;
    JwkSet jwks;
};

Entity makeEntity(const std::string &id)
{
    Jwk key = must(Jwk::generate(JwsAlgorithm::ES256));
    return Entity{must(EntityId::parse(id)), key, must(JwkSet::fromKeys({key}))};
}

Json authorityMetadata(const Entity &e)
{
    Json federation = Json::object();
    federation.set("federation_fetch_endpoint", e.id.str() + "/fetch");
    Json metadata = Json::object();
    metadata.set("federation_entity", federation);
    return metadata;
}

class Publisher {
public:
    Publisher(MapFetcher &fetcher, UnixTime now) : fetcher_(fetcher), now_(now) {}

    void entityConfiguration(const Entity &e, std::vector<EntityId> hints, Json metadata)
    {
        EntityConfigurationClaims claims{.entityId = e.id};
        claims.issuedAt = now_ - 60;
        claims.expiresAt = now_ + 86400;
        claims.jwks = e.jwks;
        claims.metadata = std::move(metadata);
        claims.authorityHints = std::move(hints);
        fetcher_.bodies[must(entityConfigurationUrl(e.id.str()))] = must(issueEntityConfiguration(claims, e.key));
    }

    void subordinateStatement(const Entity &superior, const Entity &subject, Json policy)
    {
        SubordinateStatementClaims claims{.issuer = superior.id, .subject = subject.id};
        claims.issuedAt = now_ - 60;
        claims.expiresAt = now_ + 86400;
        claims.jwks = subject.jwks;
        claims.metadataPolicy = std::move(policy);
        fetcher_.bodies[must(fetchEndpointUrl(superior.id.str() + "/fetch", subject.id.str()))] =
            must(issueSubordinateStatement(claims, superior.key));
    }

private:
    MapFetcher &fetcher_;
    UnixTime now_;
};

} // namespace

MemoryFederation::MemoryFederation(int intermediates, int leafCount)
{
    Publisher publish(fetcher, now);
    Entity ta = makeEntity("https://ta.example");
    publish.entityConfiguration(ta, {}, authorityMetadata(ta));
    anchors.push_back(TrustAnchor{ta.id, ta.jwks});
    Json policy = must(parseJson(
        R"({"openid_relying_party":{"grant_types":{"subset_of":["authorization_code","refresh_token"]}}})"));
    Json leafMetadata = must(
        parseJson(R"({"openid_relying_party":{"client_name":"leaf","grant_types":["authorization_code"]}})"));
    std::vector<Entity> parents;
    for (int i = 0; i < intermediates; ++i) {
        parents.push_back(makeEntity("https://im" + std::to_string(i) + ".example"));
        publish.entityConfiguration(parents.back(), {ta.id}, authorityMetadata(parents.back()));
        publish.subordinateStatement(ta, parents.back(), policy);
    }
    for (int i = 0; i < leafCount; ++i) {
        const Entity &parent = parents[static_cast<std::size_t>(i % intermediates)];
        Entity leaf = makeEntity("https://leaf" + std::to_string(i) + ".example");
        publish.entityConfiguration(leaf, {parent.id}, leafMetadata);
        publish.subordinateStatement(parent, leaf, Json());
        leaves.push_back(leaf.id.str());
    }
}

} // namespace oidfed::bench
