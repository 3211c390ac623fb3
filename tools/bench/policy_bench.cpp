// policy_bench — micro-benchmark of metadata policy combine + apply over the
// 2019 Connect2id vectors (PRODUCT.md 5: all 2019 in under 100 ms).
//
//   policy_bench [--benchmark_* flags] [SHARED_DIR]
//
// SHARED_DIR is the shared/ folder holding oidfed-vectors/; without it the
// environment variable OIDFED_SHARED_DIR is used. The vectors are read and
// parsed once, outside the timed loop. One iteration of BM_CombineApplyAll
// combines the TA and INT policies of every vector and, where that succeeds,
// applies the result to the vector's metadata: its time is the figure for
// "all 2019". Before timing, the outcome counts are checked against the file
// (1253 resolved, 564 policy errors, 202 metadata errors).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <oidfed/metadata_policy.h>

namespace {

using namespace oidfed;

struct Vector {
    std::vector<PolicyStatement> statements;  // TA, INT
    Json metadata;
};

std::vector<Vector> gVectors;

Json wrap(const Json &value)
{
    Json out = Json::object();
    out.set("openid_relying_party", value);
    return out;
}

bool loadVectors(const std::string &sharedDir)
{
    const std::string path = sharedDir + "/oidfed-vectors/connect2id/metadata-policy-test-vectors-2025-02-13.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "policy_bench: cannot read %s\n", path.c_str());
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    JsonLimits limits;
    limits.maxBytes = 64u << 20;
    limits.maxMembers = 1u << 20;
    auto parsed = parseJson(text.str(), limits);
    if (!parsed || !parsed->isArray()) {
        std::fprintf(stderr, "policy_bench: cannot parse %s\n", path.c_str());
        return false;
    }
    for (const Json &v : parsed->asArray()) {
        Vector vector;
        vector.statements.push_back(PolicyStatement{"https://ta.example", wrap(*v.find("TA")), {}});
        vector.statements.push_back(PolicyStatement{"https://int.example", wrap(*v.find("INT")), {}});
        vector.metadata = wrap(*v.find("metadata"));
        gVectors.push_back(std::move(vector));
    }
    return true;
}

struct Counts {
    int resolved = 0;
    int policyErrors = 0;
    int metadataErrors = 0;
};

Counts combineApplyAll(const OperatorRegistry &registry)
{
    Counts counts;
    for (const Vector &vector : gVectors) {
        auto merged = combinePolicies(vector.statements, registry);
        if (!merged) {
            ++counts.policyErrors;
            continue;
        }
        auto applied = applyPolicy(*merged, vector.metadata, registry);
        if (applied)
            ++counts.resolved;
        else
            ++counts.metadataErrors;
        benchmark::DoNotOptimize(applied);
    }
    return counts;
}

void BM_CombineApplyAll(benchmark::State &state)
{
    const OperatorRegistry registry = OperatorRegistry::standard();
    for (auto _ : state)
        benchmark::DoNotOptimize(combineApplyAll(registry));
    state.counters["vectors"] = static_cast<double>(gVectors.size());
    state.counters["per_vector"] = benchmark::Counter(static_cast<double>(gVectors.size()),
                                                      benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
}
BENCHMARK(BM_CombineApplyAll)->Unit(benchmark::kMillisecond);

void BM_CombineOnly(benchmark::State &state)
{
    const OperatorRegistry registry = OperatorRegistry::standard();
    for (auto _ : state)
        for (const Vector &vector : gVectors)
            benchmark::DoNotOptimize(combinePolicies(vector.statements, registry));
}
BENCHMARK(BM_CombineOnly)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    std::string sharedDir;
    if (argc > 1)
        sharedDir = argv[1];
    else if (const char *env = std::getenv("OIDFED_SHARED_DIR"))
        sharedDir = env;
    if (sharedDir.empty()) {
        std::fprintf(stderr, "usage: policy_bench [--benchmark_* flags] SHARED_DIR (or set OIDFED_SHARED_DIR)\n");
        return 2;
    }
    if (!loadVectors(sharedDir))
        return 2;
    const Counts counts = combineApplyAll(OperatorRegistry::standard());
    if (gVectors.size() != 2019 || counts.resolved != 1253 || counts.policyErrors != 564 ||
        counts.metadataErrors != 202) {
        std::fprintf(stderr, "policy_bench: unexpected outcomes (%zu vectors: %d resolved, %d policy errors, %d "
                             "metadata errors)\n",
                     gVectors.size(), counts.resolved, counts.policyErrors, counts.metadataErrors);
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
