// micro_bench — the building blocks of a resolution, one at a time: base64url,
// JSON, JWS sign/verify per algorithm, Entity Statement parsing and the pure
// chain validator (issue #7). Policy combine/apply is policy_bench's.
//
//   micro_bench [--benchmark_* flags]
//
// e.g. build/tools/bench/micro_bench --benchmark_min_time=0.3
//      build/tools/bench/micro_bench --benchmark_filter='JwsVerify'
//
// Everything is built in memory at start-up, outside the timed loops: one key
// per algorithm from Jwk::generate (RSA 2048 for RS256/PS256), and a small
// federation — a trust anchor and a relying party it vouches for directly —
// issued with the library's own statement issuer, valid at the fixed time
// kNow. Before any timing, the set-up checks that every signature verifies
// and that the chain validates, so a benchmark never times an error path.
// Nothing here asserts on time; docs/benchmarks.md has the figures.
//
// BM_Base64url{Encode,Decode}/N    N bytes of pseudo-random data.
// BM_JsonParse/X, BM_JsonDump/X    the claims of the relying party's Entity
//                                  Configuration (~2 KB) and of a resolve
//                                  response for it (~6-8 KB, it carries the
//                                  whole trust chain).
// BM_JwsParse                      Jws::parse of the signed Entity Configuration
//                                  (split, base64url, header JSON; no crypto).
// BM_JwsSign/ALG, BM_JwsVerify/ALG the EC claims as payload; verify takes an
//                                  already parsed Jws and the public JwkSet.
// BM_JwkImport/ALG                 Jwk::fromPublicJson of one public key, as
//                                  done for every key of a statement's jwks.
// BM_StatementParse/X              EntityStatement::parse: JWS, claims JSON and
//                                  every structural rule of spec 3.2, including
//                                  importing the jwks keys; no signature check.
// BM_StatementParseVerify/X        the same plus verifySignature().
// BM_ChainValidate                 validateTrustChain() over [RP EC, TA's
//                                  statement about the RP, TA EC]: parsing the
//                                  three JWTs, then spec 10.2.
// BM_ChainValidateParsed           the validator alone (detail::validateChain)
//                                  over the same statements already parsed.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include <oidfed/base64url.h>
#include <oidfed/chain_validator.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/operator_registry.h>
#include <oidfed/resolve_response.h>
#include <oidfed/statement_issuer.h>
#include <oidfed/trust_anchor.h>

#include "chain/validator.h"

namespace {

using namespace oidfed;

constexpr UnixTime kNow = 1767800000;

constexpr std::array kAlgorithms = {JwsAlgorithm::ES256, JwsAlgorithm::ES384, JwsAlgorithm::ES512,
                                    JwsAlgorithm::RS256, JwsAlgorithm::PS256, JwsAlgorithm::EdDSA};

[[noreturn]] void die(const std::string &what, const Error &error)
{
    std::fprintf(stderr, "micro_bench: %s: %s\n", what.c_str(), error.describe().c_str());
    std::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string &what)
{
    if (!r)
        die(what, r.error());
    return std::move(r).value();
}

void must(Result<void> r, const std::string &what)
{
    if (!r)
        die(what, r.error());
}

// A generated key and the public set a verifier would hold for it.
struct KeyPair {
    Jwk key;
    JwkSet publicSet;
};

KeyPair makeKey(JwsAlgorithm alg)
{
    Jwk key = must(Jwk::generate(alg), "key generation");
    return KeyPair{key, must(JwkSet::fromKeys({key}), "jwks")};
}

// Metadata of a typical relying party: about 1.5 KB of the EC's ~2 KB claims.
constexpr const char *kRpMetadata = R"({
  "openid_relying_party": {
    "application_type": "web",
    "client_name": "Example University Library — Discovery Service",
    "client_uri": "https://library.rp.example/",
    "logo_uri": "https://library.rp.example/static/logo-256.png",
    "policy_uri": "https://library.rp.example/privacy",
    "tos_uri": "https://library.rp.example/terms",
    "contacts": ["ops@rp.example", "security@rp.example"],
    "redirect_uris": ["https://library.rp.example/oidc/callback", "https://library.rp.example/oidc/callback2",
                      "https://search.rp.example/oidc/callback"],
    "post_logout_redirect_uris": ["https://library.rp.example/logged-out"],
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "scope": "openid profile email offline_access",
    "token_endpoint_auth_method": "private_key_jwt",
    "token_endpoint_auth_signing_alg": "ES256",
    "id_token_signed_response_alg": "ES256",
    "userinfo_signed_response_alg": "ES256",
    "request_object_signing_alg": "ES256",
    "default_max_age": 3600,
    "require_auth_time": true,
    "client_registration_types": ["automatic", "explicit"],
    "jwks_uri": "https://library.rp.example/oidc/jwks.json",
    "signed_jwks_uri": "https://library.rp.example/oidc/jwks.jwt",
    "initiate_login_uri": "https://library.rp.example/oidc/login"
  },
  "federation_entity": {
    "organization_name": "Example University",
    "organization_uri": "https://www.university.example/",
    "homepage_uri": "https://library.rp.example/",
    "logo_uri": "https://www.university.example/logo.svg",
    "contacts": ["federation@university.example"],
    "policy_uri": "https://www.university.example/federation-policy"
  }
})";

constexpr const char *kTaMetadata = R"({
  "federation_entity": {
    "organization_name": "Example Research and Education Federation",
    "homepage_uri": "https://ta.example/",
    "contacts": ["operations@ta.example"],
    "federation_fetch_endpoint": "https://ta.example/fetch",
    "federation_list_endpoint": "https://ta.example/list",
    "federation_resolve_endpoint": "https://ta.example/resolve",
    "federation_trust_mark_status_endpoint": "https://ta.example/trust-mark-status"
  }
})";

// The TA's policy on its relying parties: a few of the standard operators.
constexpr const char *kTaPolicy = R"({
  "openid_relying_party": {
    "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
    "token_endpoint_auth_method": {"one_of": ["private_key_jwt", "self_signed_tls_client_auth"]},
    "id_token_signed_response_alg": {"one_of": ["ES256", "ES384", "PS256"]},
    "contacts": {"add": ["federation-support@ta.example"]},
    "default_max_age": {"default": 3600}
  }
})";

// Everything the benchmarks read, built once by main() before any timing.
struct Fixture {
    std::string random8k;  // pseudo-random bytes
    std::string encoded1k;
    std::string encoded8k;

    std::vector<KeyPair> keys;  // one per kAlgorithms entry
    std::vector<Jws> signedPayload;  // the EC claims signed with each key

    std::string rpEc;          // compact JWTs
    std::string taAboutRp;
    std::string taEc;
    std::string rpEcRsa;       // an EC signed with RS256, with an RSA key in its jwks
    JwkSet taKeys;
    JwkSet rpRsaKeys;
    std::vector<TrustAnchor> anchors;

    std::string ecClaims;      // payload text of rpEc
    std::string resolveClaims; // payload text of a resolve response for the RP
    Json ecClaimsJson;
    Json resolveClaimsJson;

    std::vector<EntityStatement> parsedChain;
};

const Fixture *gFixture = nullptr;  // owned by main()

std::size_t indexOf(JwsAlgorithm alg)
{
    for (std::size_t i = 0; i < kAlgorithms.size(); ++i)
        if (kAlgorithms[i] == alg)
            return i;
    std::abort();
}

std::unique_ptr<Fixture> buildFixture()
{
    auto f = std::make_unique<Fixture>();

    std::mt19937 rng(7);
    f->random8k.resize(8192);
    for (char &c : f->random8k)
        c = static_cast<char>(rng() & 0xff);
    f->encoded1k = base64urlEncode(std::string_view(f->random8k).substr(0, 1024));
    f->encoded8k = base64urlEncode(f->random8k);

    for (JwsAlgorithm alg : kAlgorithms)
        f->keys.push_back(makeKey(alg));

    // The federation: TA (ES256) -> RP (ES256), issued by the library.
    const KeyPair &taKey = f->keys[indexOf(JwsAlgorithm::ES256)];
    const KeyPair rpKey = makeKey(JwsAlgorithm::ES256);
    const EntityId taId = must(EntityId::parse("https://ta.example"), "entity id");
    const EntityId rpId = must(EntityId::parse("https://library.rp.example"), "entity id");
    f->taKeys = taKey.publicSet;

    EntityConfigurationClaims ta{.entityId = taId};
    ta.issuedAt = kNow - 60;
    ta.expiresAt = kNow + 86400;
    ta.jwks = taKey.publicSet;
    ta.metadata = must(parseJson(kTaMetadata), "TA metadata");
    f->taEc = must(issueEntityConfiguration(ta, taKey.key), "TA EC");

    EntityConfigurationClaims rp{.entityId = rpId};
    rp.issuedAt = kNow - 60;
    rp.expiresAt = kNow + 86400;
    rp.jwks = rpKey.publicSet;
    rp.metadata = must(parseJson(kRpMetadata), "RP metadata");
    rp.authorityHints = {taId};
    f->rpEc = must(issueEntityConfiguration(rp, rpKey.key), "RP EC");

    SubordinateStatementClaims ss{.issuer = taId, .subject = rpId};
    ss.issuedAt = kNow - 60;
    ss.expiresAt = kNow + 86400;
    ss.jwks = rpKey.publicSet;
    ss.metadataPolicy = must(parseJson(kTaPolicy), "TA policy");
    f->taAboutRp = must(issueSubordinateStatement(ss, taKey.key), "TA statement about the RP");

    const KeyPair &rsaKey = f->keys[indexOf(JwsAlgorithm::RS256)];
    EntityConfigurationClaims rpRsa = rp;
    rpRsa.jwks = rsaKey.publicSet;
    f->rpEcRsa = must(issueEntityConfiguration(rpRsa, rsaKey.key), "RP EC (RS256)");
    f->rpRsaKeys = rsaKey.publicSet;

    f->anchors.push_back(TrustAnchor{taId, taKey.publicSet});

    // JSON documents: the EC's claims, and a resolve response carrying the
    // validated chain (as the TA's resolver would return it).
    f->ecClaims = must(Jws::parse(f->rpEc), "RP EC JWS").payload();
    const std::vector<std::string> jwts = {f->rpEc, f->taAboutRp, f->taEc};
    const TrustChain chain = must(validateTrustChain(jwts, f->anchors, kNow), "chain validation");
    const std::string response = must(issueResolveResponse(chain, taId, kNow, taKey.key), "resolve response");
    f->resolveClaims = must(Jws::parse(response), "resolve response JWS").payload();
    f->ecClaimsJson = must(parseJson(f->ecClaims), "EC claims");
    f->resolveClaimsJson = must(parseJson(f->resolveClaims), "resolve response claims");

    // Every algorithm signs the EC claims, and each signature must verify.
    const Json typ = must(parseJson(R"({"typ":"entity-statement+jwt"})"), "header");
    for (std::size_t i = 0; i < kAlgorithms.size(); ++i) {
        const std::string name(jwsAlgorithmName(kAlgorithms[i]));
        const std::string jwt = must(signJws(typ, f->ecClaims, f->keys[i].key), "sign " + name);
        f->signedPayload.push_back(must(Jws::parse(jwt), "parse " + name));
        must(f->signedPayload.back().verify(f->keys[i].publicSet), "verify " + name);
    }

    for (const std::string &jwt : jwts)
        f->parsedChain.push_back(must(EntityStatement::parse(jwt), "statement"));
    must(must(EntityStatement::parse(f->rpEcRsa), "RS256 statement").verifySignature(f->rpRsaKeys), "RS256 EC");
    must(must(EntityStatement::parse(f->taAboutRp), "statement").verifySignature(f->taKeys), "TA statement");
    must(detail::validateChain(std::vector<const EntityStatement *>{&f->parsedChain[0], &f->parsedChain[1],
                                                                    &f->parsedChain[2]},
                               detail::ValidationContext{f->anchors.front(), kNow, ChainValidationOptions{},
                                                         OperatorRegistry::standard()}),
         "parsed chain");
    return f;
}

// ---- base64url ------------------------------------------------------------

void BM_Base64urlEncode(benchmark::State &state)
{
    const std::size_t size = static_cast<std::size_t>(state.range(0));
    const std::string_view input = std::string_view(gFixture->random8k).substr(0, size);
    for (auto _ : state)
        benchmark::DoNotOptimize(base64urlEncode(input));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Base64urlEncode)->Arg(1024)->Arg(8192);

void BM_Base64urlDecode(benchmark::State &state)
{
    const std::string &input = state.range(0) == 1024 ? gFixture->encoded1k : gFixture->encoded8k;
    for (auto _ : state)
        benchmark::DoNotOptimize(base64urlDecode(input));
    // Bytes of text read, so that encode and decode compare per input byte.
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}
BENCHMARK(BM_Base64urlDecode)->Arg(1024)->Arg(8192);

// ---- JSON -----------------------------------------------------------------

void BM_JsonParse(benchmark::State &state, const std::string Fixture::*text)
{
    const std::string &input = gFixture->*text;
    for (auto _ : state)
        benchmark::DoNotOptimize(parseJson(input));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
    state.counters["bytes"] = static_cast<double>(input.size());
}
BENCHMARK_CAPTURE(BM_JsonParse, EntityConfiguration, &Fixture::ecClaims);
BENCHMARK_CAPTURE(BM_JsonParse, ResolveResponse, &Fixture::resolveClaims);

void BM_JsonDump(benchmark::State &state, const Json Fixture::*value)
{
    const Json &input = gFixture->*value;
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::string text = input.dump();
        bytes = text.size();
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}
BENCHMARK_CAPTURE(BM_JsonDump, EntityConfiguration, &Fixture::ecClaimsJson);
BENCHMARK_CAPTURE(BM_JsonDump, ResolveResponse, &Fixture::resolveClaimsJson);

// ---- JWS ------------------------------------------------------------------

void BM_JwsParse(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(Jws::parse(gFixture->rpEc));
}
BENCHMARK(BM_JwsParse);

void BM_JwsSign(benchmark::State &state, JwsAlgorithm alg)
{
    static const Json header = Json(Json::Object{{"typ", "entity-statement+jwt"}});
    const Jwk &key = gFixture->keys[indexOf(alg)].key;
    for (auto _ : state)
        benchmark::DoNotOptimize(signJws(header, gFixture->ecClaims, key));
    state.SetItemsProcessed(state.iterations());
}

void BM_JwsVerify(benchmark::State &state, JwsAlgorithm alg)
{
    const std::size_t i = indexOf(alg);
    const Jws &jws = gFixture->signedPayload[i];
    const JwkSet &keys = gFixture->keys[i].publicSet;
    for (auto _ : state)
        benchmark::DoNotOptimize(jws.verify(keys));
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_JwsSign, ES256, JwsAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_JwsSign, ES384, JwsAlgorithm::ES384);
BENCHMARK_CAPTURE(BM_JwsSign, ES512, JwsAlgorithm::ES512);
BENCHMARK_CAPTURE(BM_JwsSign, RS256, JwsAlgorithm::RS256);
BENCHMARK_CAPTURE(BM_JwsSign, PS256, JwsAlgorithm::PS256);
BENCHMARK_CAPTURE(BM_JwsSign, EdDSA, JwsAlgorithm::EdDSA);
BENCHMARK_CAPTURE(BM_JwsVerify, ES256, JwsAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_JwsVerify, ES384, JwsAlgorithm::ES384);
BENCHMARK_CAPTURE(BM_JwsVerify, ES512, JwsAlgorithm::ES512);
BENCHMARK_CAPTURE(BM_JwsVerify, RS256, JwsAlgorithm::RS256);
BENCHMARK_CAPTURE(BM_JwsVerify, PS256, JwsAlgorithm::PS256);
BENCHMARK_CAPTURE(BM_JwsVerify, EdDSA, JwsAlgorithm::EdDSA);

// ---- JWK import (part of every statement parse: the "jwks" claim) ---------

void BM_JwkImport(benchmark::State &state, JwsAlgorithm alg)
{
    const Json jwk = gFixture->keys[indexOf(alg)].publicSet.keys().front().toPublicJson();
    for (auto _ : state)
        benchmark::DoNotOptimize(Jwk::fromPublicJson(jwk));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_JwkImport, ES256, JwsAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_JwkImport, ES384, JwsAlgorithm::ES384);
BENCHMARK_CAPTURE(BM_JwkImport, RS256, JwsAlgorithm::RS256);
BENCHMARK_CAPTURE(BM_JwkImport, EdDSA, JwsAlgorithm::EdDSA);

// ---- Entity Statements ----------------------------------------------------

void BM_StatementParse(benchmark::State &state, const std::string Fixture::*jwt)
{
    const std::string &input = gFixture->*jwt;
    for (auto _ : state)
        benchmark::DoNotOptimize(EntityStatement::parse(input));
    state.counters["bytes"] = static_cast<double>(input.size());
}
BENCHMARK_CAPTURE(BM_StatementParse, EntityConfiguration, &Fixture::rpEc);
BENCHMARK_CAPTURE(BM_StatementParse, SubordinateStatement, &Fixture::taAboutRp);
BENCHMARK_CAPTURE(BM_StatementParse, EntityConfiguration_RS256, &Fixture::rpEcRsa);

// An EC verifies with its own jwks; the subordinate statement with the TA's.
void BM_StatementParseVerifyEc(benchmark::State &state)
{
    for (auto _ : state) {
        auto statement = EntityStatement::parse(gFixture->rpEc);
        benchmark::DoNotOptimize(statement->verifySignature(statement->jwks()));
    }
}
BENCHMARK(BM_StatementParseVerifyEc)->Name("BM_StatementParseVerify/EntityConfiguration");

void BM_StatementParseVerifySs(benchmark::State &state)
{
    for (auto _ : state) {
        auto statement = EntityStatement::parse(gFixture->taAboutRp);
        benchmark::DoNotOptimize(statement->verifySignature(gFixture->taKeys));
    }
}
BENCHMARK(BM_StatementParseVerifySs)->Name("BM_StatementParseVerify/SubordinateStatement");

// ---- Chain validation -----------------------------------------------------

void BM_ChainValidate(benchmark::State &state)
{
    const std::vector<std::string> jwts = {gFixture->rpEc, gFixture->taAboutRp, gFixture->taEc};
    for (auto _ : state)
        benchmark::DoNotOptimize(validateTrustChain(jwts, gFixture->anchors, kNow));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainValidate)->Unit(benchmark::kMicrosecond);

void BM_ChainValidateParsed(benchmark::State &state)
{
    std::vector<const EntityStatement *> chain;
    for (const EntityStatement &statement : gFixture->parsedChain)
        chain.push_back(&statement);
    const ChainValidationOptions options;
    const OperatorRegistry registry = OperatorRegistry::standard();
    const detail::ValidationContext context{gFixture->anchors.front(), kNow, options, registry};
    for (auto _ : state)
        benchmark::DoNotOptimize(detail::validateChain(chain, context));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainValidateParsed)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    const std::unique_ptr<Fixture> fixture = buildFixture();
    gFixture = fixture.get();
    std::fprintf(stderr, "micro_bench: EC %zu bytes (claims %zu), subordinate statement %zu, TA EC %zu, "
                         "resolve response claims %zu\n",
                 gFixture->rpEc.size(), gFixture->ecClaims.size(), gFixture->taAboutRp.size(), gFixture->taEc.size(),
                 gFixture->resolveClaims.size());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
