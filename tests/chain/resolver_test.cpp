// The resolver end to end over a FakeFetcher and a FakeClock: collection,
// selection, caching, budgets and explanations (spec 10; threats B, F, J).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/resolver.h>
#include <oidfed/trust_mark.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::fetchUrl;
using test::wellKnown;
using test::json;

namespace {

constexpr UnixTime kNow = 1767800000;

using test::authorityMetadata;

// A federation published on a FakeFetcher.
struct World {
    test::TestFederation fed;
    test::FakeFetcher fetcher;
    test::FakeClock clock{kNow};

    void authority(const std::string &id, std::vector<std::string> hints = {})
    {
        fed.add(id, authorityMetadata(id), std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    }
    void leaf(const std::string &id, std::vector<std::string> hints, Json metadata)
    {
        fed.add(id, std::move(metadata), std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    }
    void link(const std::string &superior, const std::string &subject, const test::SubordinateClaims &claims = {})
    {
        fetcher.serve(fetchUrl(superior, subject), fed.subordinateStatement(superior, subject, claims));
    }
    std::unique_ptr<Resolver> resolver(std::vector<std::string> anchors, ResolverOptions options = {})
    {
        std::vector<TrustAnchor> pins;
        for (const std::string &id : anchors)
            pins.push_back(fed.anchor(id));
        options.statements.entityIds.allowHttp = true;
        auto r = Resolver::create(options, pins, {fetcher, clock});
        REQUIRE(r);
        return std::move(r).value();
    }
};

const Json kRpMetadata = json(R"({"openid_relying_party":{"client_name":"RP","grant_types":["authorization_code","implicit"]}})");

// ta <- im <- rp
void threeLevels(World &w)
{
    w.authority("https://ta.example");
    w.authority("https://im.example", {"https://ta.example"});
    w.leaf("https://rp.example", {"https://im.example"}, kRpMetadata);
    test::SubordinateClaims policy;
    policy.metadataPolicy = json(R"({"openid_relying_party":{"grant_types":{"subset_of":["authorization_code"]}}})");
    w.link("https://ta.example", "https://im.example", policy);
    w.link("https://im.example", "https://rp.example");
}

} // namespace

TEST_CASE("resolves a three-level chain, then answers from the cache")
{
    World w;
    threeLevels(w);
    auto resolver = w.resolver({"https://ta.example"});
    ResolveOutcome first = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(first.chain, first.chain.error().describe());
    const TrustChain &chain = **first.chain;
    CHECK(chain.path() == std::vector<std::string>{"https://rp.example", "https://im.example", "https://ta.example"});
    CHECK(chain.statements().size() == 4);
    CHECK(*chain.metadata().find("openid_relying_party")->find("grant_types") == json(R"(["authorization_code"])"));
    CHECK(first.report.source == "network");
    CHECK(first.report.fetches == 5);
    // Never fetched twice in one resolution (10.1 step 5).
    for (const std::string &url : w.fetcher.calls())
        CHECK(w.fetcher.callCount(url) == 1);

    w.fetcher.clearCalls();
    ResolveOutcome second = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE(second.chain);
    CHECK(second.report.source == "cache");
    CHECK(w.fetcher.calls().empty());
    CHECK(second.chain->get() == first.chain->get());

    // After the chain's exp, the cache never answers (J04).
    w.clock.set(w.fed.exp() + 3600);
    ResolveOutcome late = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_FALSE(late.chain);
    CHECK(late.chain.error().code == ErrorCode::Expired);
}

TEST_CASE("statements shared by many leaves are fetched once")
{
    World w;
    threeLevels(w);
    w.leaf("https://rp2.example", {"https://im.example"}, kRpMetadata);
    w.link("https://im.example", "https://rp2.example");
    auto resolver = w.resolver({"https://ta.example"});
    REQUIRE(resolver->resolve({.subject = "https://rp.example"}).chain);
    ResolveOutcome second = resolver->resolve({.subject = "https://rp2.example"});
    REQUIRE(second.chain);
    CHECK(w.fetcher.callCount(wellKnown("https://im.example")) == 1);
    CHECK(w.fetcher.callCount(fetchUrl("https://ta.example", "https://im.example")) == 1);
    CHECK(second.report.fetches == 2);  // only rp2's own EC and the statement about it
}

TEST_CASE("selection: requested anchor order, then the shorter path")
{
    World w;
    w.authority("https://ta1.example");
    w.authority("https://ta2.example");
    w.authority("https://im.example", {"https://ta1.example"});
    w.leaf("https://rp.example", {"https://im.example", "https://ta2.example", "https://ta1.example"}, kRpMetadata);
    w.link("https://ta1.example", "https://im.example");
    w.link("https://im.example", "https://rp.example");
    w.link("https://ta2.example", "https://rp.example");
    w.link("https://ta1.example", "https://rp.example");
    auto resolver = w.resolver({"https://ta1.example", "https://ta2.example"});

    auto viaTa2 = resolver->resolve({.subject = "https://rp.example", .trustAnchors = {"https://ta2.example", "https://ta1.example"}});
    REQUIRE(viaTa2.chain);
    CHECK((*viaTa2.chain)->trustAnchor().str() == "https://ta2.example");

    auto viaTa1 = resolver->resolve({.subject = "https://rp.example", .trustAnchors = {"https://ta1.example"}, .explain = true});
    REQUIRE(viaTa1.chain);
    CHECK((*viaTa1.chain)->path().size() == 2);  // directly under ta1, not through im
    REQUIRE(viaTa1.report.candidates.size() == 2);
    CHECK(viaTa1.report.candidates[0].path.size() == 2);
    CHECK(viaTa1.report.candidates[1].path.size() == 3);
    CHECK(viaTa1.report.topologyDot.find("digraph") != std::string::npos);

    auto unknown = resolver->resolve({.subject = "https://rp.example", .trustAnchors = {"https://nope.example"}});
    REQUIRE_FALSE(unknown.chain);
    CHECK(unknown.chain.error().code == ErrorCode::NoTrustAnchor);
}

TEST_CASE("cyclic topologies end, and chains never loop (B, 17.1)")
{
    World w;
    w.authority("https://ta.example");
    w.authority("https://a.example", {"https://b.example"});
    w.authority("https://b.example", {"https://a.example", "https://ta.example"});
    w.leaf("https://rp.example", {"https://a.example"}, kRpMetadata);
    w.link("https://a.example", "https://rp.example");
    w.link("https://b.example", "https://a.example");
    w.link("https://a.example", "https://b.example");
    w.link("https://ta.example", "https://b.example");
    auto resolver = w.resolver({"https://ta.example"});
    auto outcome = resolver->resolve({.subject = "https://rp.example", .explain = true});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK((*outcome.chain)->path() ==
          std::vector<std::string>{"https://rp.example", "https://a.example", "https://b.example", "https://ta.example"});
    for (const std::string &url : w.fetcher.calls())
        CHECK(w.fetcher.callCount(url) == 1);
}

TEST_CASE("budgets: authority_hints fan-out and fetches per resolution (B01, B02)")
{
    World w;
    w.authority("https://ta.example");
    std::vector<std::string> hints;
    for (int i = 0; i < 20; ++i)
        hints.push_back("https://im" + std::to_string(i) + ".example");
    w.leaf("https://rp.example", hints, kRpMetadata);
    ResolverOptions options;
    options.maxAuthorityHintsPerEntity = 4;
    auto resolver = w.resolver({"https://ta.example"}, options);
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_FALSE(outcome.chain);
    CHECK(w.fetcher.calls().size() == 5);  // the leaf and 4 of its 20 hints
    bool reported = false;
    for (const Error &problem : outcome.report.problems)
        reported = reported || problem.rule == "maxAuthorityHintsPerEntity";
    CHECK(reported);

    World v;
    threeLevels(v);
    ResolverOptions tight;
    tight.maxFetchesPerResolution = 3;
    auto limited = v.resolver({"https://ta.example"}, tight);
    auto r = limited->resolve({.subject = "https://rp.example"});
    REQUIRE_FALSE(r.chain);
    CHECK(r.chain.error().code == ErrorCode::LimitExceeded);
    CHECK(v.fetcher.calls().size() == 3);
}

TEST_CASE("failures: unreachable subject, invalid chain, negative cache with the reason")
{
    World w;
    threeLevels(w);
    auto resolver = w.resolver({"https://ta.example"});
    w.fetcher.fail(wellKnown("https://down.example"), Error(ErrorCode::Unavailable, "connection refused"));
    auto down = resolver->resolve({.subject = "https://down.example"});
    REQUIRE_FALSE(down.chain);
    CHECK(down.chain.error().code == ErrorCode::Unavailable);

    // The intermediate's statement about the leaf, signed by an impostor key.
    test::TestFederation impostor = w.fed;
    impostor.add("https://im.example", authorityMetadata("https://im.example"), {"https://ta.example"});
    w.fetcher.serve(fetchUrl("https://im.example", "https://rp.example"),
                    impostor.subordinateStatement("https://im.example", "https://rp.example"));
    auto bad = resolver->resolve({.subject = "https://rp.example", .explain = true});
    REQUIRE_FALSE(bad.chain);
    CHECK(bad.chain.error().code == ErrorCode::KeyNotFound);
    CHECK(bad.chain.error().entityId == "https://im.example");
    REQUIRE(bad.report.candidates.size() == 1);
    CHECK_FALSE(bad.report.candidates[0].valid);

    // Remembered as a failure, not as trust, and only for negativeTtl.
    w.fetcher.clearCalls();
    auto cached = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_FALSE(cached.chain);
    CHECK(cached.report.source == "negative-cache");
    CHECK(cached.chain.error().code == ErrorCode::KeyNotFound);
    CHECK(w.fetcher.calls().empty());
    // Once negativeTtl has passed, it is resolved again.
    w.clock.advance(61);
    auto retried = resolver->resolve({.subject = "https://rp.example"});
    CHECK(retried.report.source == "network");
}

TEST_CASE("a chain resolved again ahead of its expiry replaces the cached one")
{
    World w;
    threeLevels(w);
    ResolverOptions options;
    options.refreshAhead = std::chrono::seconds(300);
    options.statementCacheMaxEntries = 0;  // every resolution fetches: the refresh sees the new statements
    auto resolver = w.resolver({"https://ta.example"}, options);
    auto first = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE(first.chain);
    CHECK((*first.chain)->expiresAt() == w.fed.exp());

    // Everything is re-signed for longer; close to the old expiry, the next
    // request resolves again, and the one after is answered from the cache.
    const UnixTime later = w.fed.exp() + 86400;
    for (const std::string id : {"https://ta.example", "https://im.example", "https://rp.example"})
        w.fetcher.serve(wellKnown(id), w.fed.entityConfiguration(id, w.fed.iat(), later));
    test::SubordinateClaims policy;
    policy.metadataPolicy = json(R"({"openid_relying_party":{"grant_types":{"subset_of":["authorization_code"]}}})");
    w.fetcher.serve(fetchUrl("https://ta.example", "https://im.example"),
                    w.fed.subordinateStatement("https://ta.example", "https://im.example", policy, w.fed.iat(), later));
    w.fetcher.serve(fetchUrl("https://im.example", "https://rp.example"),
                    w.fed.subordinateStatement("https://im.example", "https://rp.example", {}, w.fed.iat(), later));
    w.clock.set(kNow + options.maxCacheTtl.count() - 100);  // cached until now + maxCacheTtl (< exp)
    auto refreshed = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE(refreshed.chain);
    CHECK(refreshed.report.source == "network");
    CHECK((*refreshed.chain)->expiresAt() == later);
    auto next = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE(next.chain);
    CHECK(next.report.source == "cache");
    CHECK((*next.chain)->expiresAt() == later);
}

TEST_CASE("--at validates as of another time without touching the cache")
{
    World w;
    threeLevels(w);
    auto resolver = w.resolver({"https://ta.example"});
    auto past = resolver->resolve({.subject = "https://rp.example", .at = w.fed.iat() - 3600});
    REQUIRE_FALSE(past.chain);
    CHECK(past.chain.error().code == ErrorCode::NotYetValid);
    auto now = resolver->resolve({.subject = "https://rp.example"});
    CHECK(now.chain.has_value());
}

TEST_CASE("trust marks of the subject: verified per 7.3, unverifiable ones left out, exp bounded")
{
    World w;
    const std::string ta = "https://ta.example", im = "https://im.example", rp = "https://rp.example";
    const std::string sirtfi = "https://tm.example/sirtfi", member = "https://tm.example/member",
                      unknown = "https://tm.example/unknown";
    w.fed.add(ta, authorityMetadata(ta));
    w.fed.entity(ta).trustMarkIssuers = json(R"({})");
    w.fed.entity(ta).trustMarkIssuers.set(sirtfi, json(R"(["https://im.example"])"));
    w.fed.entity(ta).trustMarkIssuers.set(member, Json::array());
    w.fed.entity(ta).trustMarkIssuers.find(member)->push(ta);
    w.fetcher.serve(wellKnown(ta), w.fed.entityConfiguration(ta));
    w.authority(im, {ta});
    w.link(ta, im);

    auto mark = [&](const std::string &issuer, const std::string &type, UnixTime exp) {
        TrustMarkClaims claims{.issuer = *EntityId::parse(issuer), .subject = *EntityId::parse(rp)};
        claims.trustMarkType = type;
        claims.issuedAt = w.fed.iat();
        claims.expiresAt = exp;
        auto jwt = issueTrustMark(claims, w.fed.entity(issuer).key);
        REQUIRE(jwt);
        Json entry = Json::object();
        entry.set("trust_mark_type", type);
        entry.set("trust_mark", *jwt);
        return entry;
    };
    w.fed.add(rp, kRpMetadata, {im});
    Json marks = Json::array();
    marks.push(mark(im, sirtfi, kNow + 600));       // by a listed issuer with its own chain
    marks.push(mark(ta, member, -1));               // by the anchor itself, no exp
    marks.push(mark(im, unknown, -1));              // a type the anchor does not recognise
    marks.push(mark(ta, sirtfi, -1));               // the anchor is not a listed sirtfi issuer
    w.fed.entity(rp).trustMarks = marks;
    w.fetcher.serve(wellKnown(rp), w.fed.entityConfiguration(rp));
    w.link(im, rp);

    auto resolver = w.resolver({ta});
    auto outcome = resolver->resolve({.subject = rp});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    const auto &verified = (*outcome.chain)->trustMarks();
    REQUIRE(verified.size() == 2);
    CHECK(verified[0].trustMarkType == sirtfi);
    CHECK(verified[0].issuer == im);
    CHECK(verified[1].trustMarkType == member);
    CHECK(verified[1].issuer == ta);
    // The chain (and so a resolve response) expires with its earliest mark.
    CHECK((*outcome.chain)->expiresAt() == kNow + 600);
    CHECK((*outcome.chain)->toJson().find("trust_marks")->size() == 2);
}

TEST_CASE("trust marks typed as their trust framework defines: kept only where configured (spec 7)")
{
    World w;
    const std::string ta = "https://ta.example", rp = "https://rp.example", member = "https://tm.example/member";
    w.fed.add(ta, authorityMetadata(ta));
    w.fed.entity(ta).trustMarkIssuers = Json::object();
    w.fed.entity(ta).trustMarkIssuers.set(member, Json(Json::Array{ta}));
    w.fetcher.serve(wellKnown(ta), w.fed.entityConfiguration(ta));
    TrustMarkClaims claims{.issuer = *EntityId::parse(ta), .subject = *EntityId::parse(rp)};
    claims.trustMarkType = member;
    claims.issuedAt = w.fed.iat();
    claims.typ = "member-mark+jwt";
    auto jwt = issueTrustMark(claims, w.fed.entity(ta).key);
    REQUIRE(jwt);
    w.fed.add(rp, kRpMetadata, {ta});
    Json entry = Json::object();
    entry.set("trust_mark_type", member);
    entry.set("trust_mark", *jwt);
    w.fed.entity(rp).trustMarks = Json(Json::Array{entry});
    w.fetcher.serve(wellKnown(rp), w.fed.entityConfiguration(rp));
    w.link(ta, rp);

    auto plain = w.resolver({ta})->resolve({.subject = rp});
    REQUIRE_MESSAGE(plain.chain, plain.chain.error().describe());
    CHECK((*plain.chain)->trustMarks().empty());

    ResolverOptions options;
    options.trustMarks.typValues[member] = {"member-mark+jwt"};
    auto typed = w.resolver({ta}, options)->resolve({.subject = rp});
    REQUIRE_MESSAGE(typed.chain, typed.chain.error().describe());
    REQUIRE((*typed.chain)->trustMarks().size() == 1);
    CHECK((*typed.chain)->trustMarks()[0].trustMarkType == member);

    options.trustMarks.typValues[member] = {};
    CHECK(validateResolverOptions(options).error().code == ErrorCode::InvalidArgument);
}

namespace {

// ta <- im <- rp and ta <- tmi. rp carries a mark of type A by im; im
// carries a mark of type B by tmi. Resolving rp resolves im to learn its
// keys, one level deep: im's own mark (by tmi) is not followed there.
struct MarkedIssuers {
    static constexpr const char *ta = "https://ta.example", *im = "https://im.example", *rp = "https://rp.example",
                                *tmi = "https://tmi.example";
    static constexpr const char *typeA = "https://tm.example/a", *typeB = "https://tm.example/b";

    static Json markEntry(World &w, const std::string &issuer, const std::string &subject, const std::string &type)
    {
        TrustMarkClaims claims{.issuer = *EntityId::parse(issuer), .subject = *EntityId::parse(subject)};
        claims.trustMarkType = type;
        claims.issuedAt = w.fed.iat();
        auto jwt = issueTrustMark(claims, w.fed.entity(issuer).key);
        REQUIRE(jwt);
        Json entry = Json::object();
        entry.set("trust_mark_type", type);
        entry.set("trust_mark", *jwt);
        Json marks = Json::array();
        marks.push(std::move(entry));
        return marks;
    }

    explicit MarkedIssuers(World &w)
    {
        w.fed.add(ta, authorityMetadata(ta));
        w.fed.entity(ta).trustMarkIssuers = Json::object();
        w.fed.entity(ta).trustMarkIssuers.set(typeA, Json(Json::Array{im}));
        w.fed.entity(ta).trustMarkIssuers.set(typeB, Json(Json::Array{tmi}));
        w.fetcher.serve(wellKnown(ta), w.fed.entityConfiguration(ta));
        w.authority(tmi, {ta});
        w.link(ta, tmi);
        w.fed.add(im, authorityMetadata(im), {ta});
        w.fed.entity(im).trustMarks = markEntry(w, tmi, im, typeB);
        w.fetcher.serve(wellKnown(im), w.fed.entityConfiguration(im));
        w.link(ta, im);
        w.fed.add(rp, kRpMetadata, {im});
        w.fed.entity(rp).trustMarks = markEntry(w, im, rp, typeA);
        w.fetcher.serve(wellKnown(rp), w.fed.entityConfiguration(rp));
        w.link(im, rp);
    }
};

} // namespace

TEST_CASE("a trust mark issuer resolved for its keys is never cached as a partial chain")
{
    World w;
    MarkedIssuers f(w);

    SUBCASE("in process")
    {
        auto resolver = w.resolver({f.ta});
        auto rp = resolver->resolve({.subject = f.rp});
        REQUIRE_MESSAGE(rp.chain, rp.chain.error().describe());
        REQUIRE((*rp.chain)->trustMarks().size() == 1);
        CHECK((*rp.chain)->trustMarks()[0].issuer == f.im);

        // im was resolved for its keys, without its own mark: not kept.
        auto im = resolver->resolve({.subject = f.im});
        REQUIRE(im.chain);
        CHECK(im.report.source == "network");
        REQUIRE((*im.chain)->trustMarks().size() == 1);
        CHECK((*im.chain)->trustMarks()[0].issuer == f.tmi);
        CHECK(resolver->resolve({.subject = f.im}).report.source == "cache");
    }
    SUBCASE("read from the shared cache")
    {
        auto memory = makeMemoryCache();
        REQUIRE(memory);
        ResolverOptions options;
        options.statements.entityIds.allowHttp = true;
        std::vector<TrustAnchor> pins{w.fed.anchor(f.ta)};
        auto replicaA = Resolver::create(options, pins, {w.fetcher, w.clock, memory->get()});
        auto replicaB = Resolver::create(options, pins, {w.fetcher, w.clock, memory->get()});
        REQUIRE(replicaA);
        REQUIRE(replicaB);
        REQUIRE((*replicaA)->resolve({.subject = f.im}).chain);  // the whole chain of im, shared

        // Replica B reads im's chain from the shared cache while resolving rp;
        // validated there one level deep, it must not enter B's own cache.
        REQUIRE((*replicaB)->resolve({.subject = f.rp}).chain);
        auto im = (*replicaB)->resolve({.subject = f.im});
        REQUIRE(im.chain);
        CHECK(im.report.source == "shared-cache");
        CHECK((*im.chain)->trustMarks().size() == 1);
    }
}

namespace {

// A shared cache that remembers the keys of resolutions written to it, so a
// test can tamper with exactly those entries (as an attacker with access to
// Redis could).
class RecordingCache final : public Cache {
public:
    explicit RecordingCache(std::unique_ptr<Cache> inner) : inner_(std::move(inner)) {}
    std::optional<CacheEntry> get(std::string_view key, UnixTime now) override { return inner_->get(key, now); }
    void put(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        if (key.find(":res:") != std::string_view::npos)
            resolutionKeys.emplace_back(key);
        inner_->put(key, std::move(entry), now);
    }
    Result<bool> putIfAbsent(std::string_view key, CacheEntry entry, UnixTime now) override
    {
        return inner_->putIfAbsent(key, std::move(entry), now);
    }
    void erase(std::string_view key) override { inner_->erase(key); }
    Result<std::size_t> purgePrefix(std::string_view prefix) override { return inner_->purgePrefix(prefix); }
    CacheStats stats() const override { return inner_->stats(); }
    CacheHealth health() override { return inner_->health(); }

    std::vector<std::string> resolutionKeys;

private:
    std::unique_ptr<Cache> inner_;
};

} // namespace

TEST_CASE("replicas share resolved chains through the shared cache, and re-validate what they read (J01, J06)")
{
    World w;
    threeLevels(w);
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    RecordingCache shared(std::move(memory).value());
    std::vector<TrustAnchor> pins{w.fed.anchor("https://ta.example")};
    ResolverOptions options;
    options.statements.entityIds.allowHttp = true;
    test::FakeFetcher emptyNetwork;  // replicas B and C reach nothing: only the shared cache
    auto replicaA = Resolver::create(options, pins, {w.fetcher, w.clock, &shared});
    auto replicaB = Resolver::create(options, pins, {emptyNetwork, w.clock, &shared});
    auto replicaC = Resolver::create(options, pins, {emptyNetwork, w.clock, &shared});
    REQUIRE(replicaA);
    REQUIRE(replicaB);
    REQUIRE(replicaC);

    auto first = (*replicaA)->resolve({.subject = "https://rp.example"});
    REQUIRE(first.chain);
    REQUIRE(shared.resolutionKeys.size() == 1);
    auto second = (*replicaB)->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(second.chain, second.chain.error().describe());
    CHECK(second.report.source == "shared-cache");
    CHECK(emptyNetwork.calls().empty());
    CHECK((*second.chain)->metadata() == (*first.chain)->metadata());

    // A forged entry: the anchor's statement about the intermediate signed by
    // someone else. Replica C must not trust it, and drops it.
    test::TestFederation forger = w.fed;
    forger.add("https://ta.example", authorityMetadata("https://ta.example"));
    Json forged = Json::object();
    forged.set("trust_anchor", "https://ta.example");
    Json jwts = Json::array();
    jwts.push(w.fed.entityConfiguration("https://rp.example"));
    jwts.push(w.fed.subordinateStatement("https://im.example", "https://rp.example"));
    jwts.push(forger.subordinateStatement("https://ta.example", "https://im.example"));
    forged.set("trust_chain", jwts);
    const std::string key = shared.resolutionKeys.front();
    shared.put(key, CacheEntry{forged.dump(), w.fed.exp(), false, CacheOrigin::Local}, kNow);
    // (It resolves again from the statements instead: those, shared too, are
    // parsed and verified like anything fetched.)
    auto third = (*replicaC)->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(third.chain, third.chain.error().describe());
    CHECK(third.report.source == "network");
    CHECK((*third.chain)->statements() == (*first.chain)->statements());
    CHECK(emptyNetwork.calls().empty());

    // Garbage is a miss too.
    auto replicaD = Resolver::create(options, pins, {emptyNetwork, w.clock, &shared});
    REQUIRE(replicaD);
    shared.put(key, CacheEntry{"not json", w.fed.exp(), false, CacheOrigin::Local}, kNow);
    auto fourth = (*replicaD)->resolve({.subject = "https://rp.example"});
    REQUIRE(fourth.chain);
    CHECK(fourth.report.source == "network");
}
