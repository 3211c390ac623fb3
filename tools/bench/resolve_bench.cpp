// resolve_bench — the resolver's own cost, network excluded: a federation of
// 1 trust anchor, 10 intermediates and N leaves (ES256) held in memory by an
// in-process Fetcher, so the figures are parsing, signature verification,
// policy and caching alone (the full HTTP runs are the benchmark issue's).
//
//   resolve_bench [--benchmark_* flags]
//
// BM_ColdResolve: each iteration resolves a leaf never resolved before; the
//   intermediates' statements are shared, as in `oidfed resolve --batch`.
// BM_CachedResolve: the same leaf again (an in-process cache hit).

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <oidfed/federation_urls.h>
#include <oidfed/resolver.h>
#include <oidfed/statement_issuer.h>

namespace {

using namespace oidfed;

constexpr int kIntermediates = 10;
constexpr int kLeaves = 20000;

template <typename T>
T must(Result<T> r)
{
    if (!r) {
        std::fprintf(stderr, "resolve_bench: %s\n", r.error().describe().c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

class MapFetcher final : public Fetcher {
public:
    std::map<std::string, std::string> bodies;
    Result<FetchResponse> fetch(const FetchRequest &request) override
    {
        auto it = bodies.find(request.url);
        if (it == bodies.end())
            return fail(ErrorCode::NotFound, request.url);
        return FetchResponse{200, "application/entity-statement+jwt", it->second, "127.0.0.1"};
    }
    std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) override
    {
        std::vector<Result<FetchResponse>> out;
        for (const auto &r : requests)
            out.push_back(fetch(r));
        return out;
    }
};

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

struct Federation {
    MapFetcher fetcher;
    std::vector<TrustAnchor> anchors;
    std::vector<std::string> leaves;
    UnixTime now = 1767800000;

    void publishEc(const Entity &e, std::vector<EntityId> hints, Json metadata)
    {
        EntityConfigurationClaims claims{.entityId = e.id};
        claims.issuedAt = now - 60;
        claims.expiresAt = now + 86400;
        claims.jwks = e.jwks;
        claims.metadata = std::move(metadata);
        claims.authorityHints = std::move(hints);
        fetcher.bodies[must(entityConfigurationUrl(e.id.str()))] = must(issueEntityConfiguration(claims, e.key));
    }
    void publishSs(const Entity &superior, const Entity &subject, Json policy)
    {
        SubordinateStatementClaims claims{.issuer = superior.id, .subject = subject.id};
        claims.issuedAt = now - 60;
        claims.expiresAt = now + 86400;
        claims.jwks = subject.jwks;
        claims.metadataPolicy = std::move(policy);
        fetcher.bodies[must(fetchEndpointUrl(superior.id.str() + "/fetch", subject.id.str()))] =
            must(issueSubordinateStatement(claims, superior.key));
    }
    static Json authority(const Entity &e)
    {
        Json federation = Json::object();
        federation.set("federation_fetch_endpoint", e.id.str() + "/fetch");
        Json metadata = Json::object();
        metadata.set("federation_entity", federation);
        return metadata;
    }

    Federation()
    {
        Entity ta = makeEntity("https://ta.example");
        publishEc(ta, {}, authority(ta));
        anchors.push_back(TrustAnchor{ta.id, ta.jwks});
        Json policy = must(parseJson(R"({"openid_relying_party":{"grant_types":{"subset_of":["authorization_code","refresh_token"]}}})"));
        Json leafMetadata = must(parseJson(R"({"openid_relying_party":{"client_name":"leaf","grant_types":["authorization_code"]}})"));
        std::vector<Entity> intermediates;
        for (int i = 0; i < kIntermediates; ++i) {
            intermediates.push_back(makeEntity("https://im" + std::to_string(i) + ".example"));
            publishEc(intermediates.back(), {ta.id}, authority(intermediates.back()));
            publishSs(ta, intermediates.back(), policy);
        }
        // Every leaf has its own key; leaves are spread over the intermediates.
        for (int i = 0; i < kLeaves; ++i) {
            const Entity &im = intermediates[static_cast<std::size_t>(i % kIntermediates)];
            Entity leaf = makeEntity("https://leaf" + std::to_string(i) + ".example");
            publishEc(leaf, {im.id}, leafMetadata);
            publishSs(im, leaf, Json());
            leaves.push_back(leaf.id.str());
        }
    }
};

Federation &federation()
{
    static Federation *f = new Federation();  // built once, never destroyed (benchmark process)
    return *f;
}

void BM_ColdResolve(benchmark::State &state)
{
    Federation &f = federation();
    auto clock = makeFixedClock(f.now);
    auto resolver = must(Resolver::create({}, f.anchors, {f.fetcher, *clock}));
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == f.leaves.size()) {
            state.SkipWithError("ran out of distinct leaves");
            break;
        }
        auto outcome = resolver->resolve({.subject = f.leaves[next++]});
        if (!outcome.chain) {
            state.SkipWithError(outcome.chain.error().describe().c_str());
            break;
        }
        benchmark::DoNotOptimize(outcome);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_CachedResolve(benchmark::State &state)
{
    Federation &f = federation();
    auto clock = makeFixedClock(f.now);
    auto resolver = must(Resolver::create({}, f.anchors, {f.fetcher, *clock}));
    ResolveRequest request{.subject = f.leaves[0]};
    if (!resolver->resolve(request).chain) {
        state.SkipWithError("first resolution failed");
        return;
    }
    for (auto _ : state) {
        auto outcome = resolver->resolve(request);
        benchmark::DoNotOptimize(outcome);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_ColdResolve)->Iterations(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedResolve)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
