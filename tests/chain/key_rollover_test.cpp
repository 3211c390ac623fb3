// Key rollover (threats G03, G04, C05, U12): after a key failure the resolver
// refetches the cached statements of the failed paths once, bypassing the
// in-process and the shared caches, rate-limited per URL; what it refetches
// must still verify. An anchor EC whose jwks differs from the pinned keys
// raises an alarm, and the pinned keys stay in use.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/resolver.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::fetchUrl;
using test::wellKnown;

namespace {

constexpr UnixTime kNow = 1767800000;
const std::string kTa = "https://ta.example";
const std::string kIm = "https://im.example";

// ta <- im <- leaves, published on a FakeFetcher.
struct World {
    test::TestFederation fed;
    test::FakeFetcher fetcher;
    test::FakeClock clock{kNow};

    World()
    {
        authority(kTa);
        authority(kIm, {kTa});
        link(kTa, kIm);
    }
    void authority(const std::string &id, std::vector<std::string> hints = {})
    {
        fed.add(id, test::authorityMetadata(id), std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    }
    void leaf(const std::string &id, std::vector<std::string> hints = {kIm})
    {
        fed.add(id, test::json(R"({"openid_relying_party":{"client_name":"RP"}})"), std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
        link(kIm, id);
    }
    void link(const std::string &superior, const std::string &subject)
    {
        fetcher.serve(fetchUrl(superior, subject), fed.subordinateStatement(superior, subject));
    }
    // im rotates to a new key K2: its EC and its statements are signed with
    // K2 from now on. The anchor's statement about im is not updated here.
    void rotateIntermediate()
    {
        fed.add(kIm, test::authorityMetadata(kIm), {kTa});
        fetcher.serve(wellKnown(kIm), fed.entityConfiguration(kIm));
    }
    // A leaf whose EC is signed with a key its superior's statement does not
    // list (a random kid): KeyNotFound, whatever is refetched.
    void bogusLeaf(const std::string &id, std::vector<std::string> hints = {kIm})
    {
        leaf(id, hints);
        test::TestFederation other = fed;
        other.add(id, test::json(R"({"openid_relying_party":{"client_name":"RP"}})"), hints);
        fetcher.serve(fetchUrl(kIm, id), other.subordinateStatement(kIm, id));
    }
    std::unique_ptr<Resolver> resolver(Cache *shared = nullptr, std::vector<TrustAnchor> pins = {})
    {
        if (pins.empty())
            pins.push_back(fed.anchor(kTa));
        ResolverOptions options;
        options.statements.entityIds.allowHttp = true;
        auto r = Resolver::create(options, pins, {fetcher, clock, shared});
        REQUIRE(r);
        return std::move(r).value();
    }
};

// The problem of the report with this rule, if any.
const Error *problemWithRule(const ResolveReport &report, std::string_view rule)
{
    for (const Error &problem : report.problems)
        if (problem.rule == rule)
            return &problem;
    return nullptr;
}

// After a key failure, cached statements were refetched and validated again.
bool refetched(const ResolveReport &report)
{
    const Error *problem = problemWithRule(report, "G04 key rollover");
    return problem && (problem->code == ErrorCode::KeyNotFound || problem->code == ErrorCode::BadSignature);
}

// After a key failure, the rate limit refused every refetch.
bool refetchRefused(const ResolveReport &report)
{
    const Error *problem = problemWithRule(report, "G04 refetch rate limit");
    return problem && problem->code == ErrorCode::LimitExceeded;
}

// Exactly one G03 alarm, about the anchor, and as an alarm only (not a problem).
void checkAnchorKeyAlarm(const ResolveReport &report)
{
    REQUIRE(report.alarms.size() == 1);
    const ResolveAlarm &alarm = report.alarms.front();
    CHECK(alarm.kind == ResolveAlarm::Kind::AnchorKeyMismatch);
    CHECK(resolveAlarmKindName(alarm.kind) == "anchor_key_mismatch");
    CHECK(alarm.detail.code == ErrorCode::InvalidKey);
    CHECK(alarm.detail.rule == "11.3 trust anchor keys (G03)");
    CHECK(alarm.detail.claim == "jwks");
    CHECK(alarm.detail.entityId == kTa);
    for (const Error &problem : report.problems)
        CHECK(problem.rule != alarm.detail.rule);
}

} // namespace

TEST_CASE("rollover: a stale cached statement about the intermediate is refetched once (G04, U12)")
{
    World w;
    w.leaf("https://rp.example");
    auto resolver = w.resolver();
    REQUIRE(resolver->resolve({.subject = "https://rp.example"}).chain);

    // im rotates; the anchor publishes a statement about im that lists K2.
    w.rotateIntermediate();
    w.link(kTa, kIm);
    w.leaf("https://rp2.example");
    w.fetcher.clearCalls();
    auto outcome = resolver->resolve({.subject = "https://rp2.example", .explain = true});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK((*outcome.chain)->path() == std::vector<std::string>{"https://rp2.example", kIm, kTa});
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 1);
    // im's EC is not part of the chain (only its superior's statement about
    // it is), so it is not refetched.
    CHECK(w.fetcher.callCount(wellKnown(kIm)) == 0);
    for (const std::string &url : w.fetcher.calls())
        CHECK(w.fetcher.callCount(url) == 1);
    CHECK(refetched(outcome.report));
    CHECK(outcome.report.fetches == w.fetcher.calls().size());
}

TEST_CASE("rollover through the shared cache: the refetch bypasses it and refreshes it (G04, J)")
{
    World w;
    w.leaf("https://rp.example");
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    Cache &shared = **memory;
    auto replicaA = w.resolver(&shared);
    REQUIRE(replicaA->resolve({.subject = "https://rp.example"}).chain);

    w.rotateIntermediate();
    w.link(kTa, kIm);
    w.leaf("https://rp2.example");
    w.fetcher.clearCalls();
    // Replica B starts empty: the stale statements come from the shared cache.
    auto replicaB = w.resolver(&shared);
    auto outcome = replicaB->resolve({.subject = "https://rp2.example", .explain = true});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 1);
    CHECK(refetched(outcome.report));

    // The shared cache now holds the current statements: replica C resolves
    // another new leaf without any refetch of them.
    w.leaf("https://rp3.example");
    w.fetcher.clearCalls();
    auto replicaC = w.resolver(&shared);
    auto third = replicaC->resolve({.subject = "https://rp3.example", .explain = true});
    REQUIRE_MESSAGE(third.chain, third.chain.error().describe());
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 0);
    CHECK_FALSE(refetched(third.report));
}

TEST_CASE("random kids force at most one refetch per URL per interval (G04, C05)")
{
    World w;
    w.leaf("https://rp.example");
    auto resolver = w.resolver();
    REQUIRE(resolver->resolve({.subject = "https://rp.example"}).chain);

    // evil1 also names a superior that is down: the retry does not fetch
    // that again (no URL is fetched twice in one resolution).
    const std::string down = "https://down.example";
    w.fetcher.fail(wellKnown(down), Error(ErrorCode::Unavailable, "connection refused"));
    w.bogusLeaf("https://evil1.example", {kIm, down});
    w.fetcher.clearCalls();
    auto first = resolver->resolve({.subject = "https://evil1.example", .explain = true});
    REQUIRE_FALSE(first.chain);
    CHECK(first.chain.error().code == ErrorCode::KeyNotFound);
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 1);
    CHECK(w.fetcher.callCount(wellKnown(kTa)) == 1);
    CHECK(w.fetcher.callCount(wellKnown(down)) == 1);
    CHECK(w.fetcher.calls().size() == 5);  // evil1's EC, down's EC, im's statement, then the two refetches
    for (const std::string &url : w.fetcher.calls())
        CHECK(w.fetcher.callCount(url) == 1);
    CHECK(refetched(first.report));
    // Both rounds met the superior that is down: one problem names it.
    std::size_t aboutDown = 0;
    for (const Error &problem : first.report.problems)
        if (problem.entityId == down) {
            ++aboutDown;
            CHECK(problem.code == ErrorCode::Unavailable);
        }
    CHECK(aboutDown == 1);

    // Within the interval: another random kid refetches nothing shared.
    w.bogusLeaf("https://evil2.example");
    w.fetcher.clearCalls();
    auto second = resolver->resolve({.subject = "https://evil2.example", .explain = true});
    REQUIRE_FALSE(second.chain);
    CHECK(second.chain.error().code == ErrorCode::KeyNotFound);
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 0);
    CHECK(w.fetcher.callCount(wellKnown(kIm)) == 0);
    CHECK(w.fetcher.callCount(wellKnown(kTa)) == 0);
    CHECK(w.fetcher.calls().size() == 2);  // evil2's own EC and im's statement about it
    CHECK(refetchRefused(second.report));

    // After the interval, once more (and only once).
    w.clock.advance(61);
    w.bogusLeaf("https://evil3.example");
    w.fetcher.clearCalls();
    auto third = resolver->resolve({.subject = "https://evil3.example"});
    REQUIRE_FALSE(third.chain);
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 1);

    // Valid chains through the same statements still resolve from memory.
    w.leaf("https://rp2.example");
    w.fetcher.clearCalls();
    REQUIRE(resolver->resolve({.subject = "https://rp2.example"}).chain);
    CHECK(w.fetcher.calls().size() == 2);
}

TEST_CASE("a refetched statement must still verify: nothing unverified is accepted (G04, C05)")
{
    World w;
    w.leaf("https://rp.example");
    auto resolver = w.resolver();
    REQUIRE(resolver->resolve({.subject = "https://rp.example"}).chain);

    // im rotates, but the anchor still lists only K1: refetching does not help.
    w.rotateIntermediate();
    w.leaf("https://rp2.example");
    w.fetcher.clearCalls();
    auto outcome = resolver->resolve({.subject = "https://rp2.example", .explain = true});
    REQUIRE_FALSE(outcome.chain);
    CHECK((outcome.chain.error().code == ErrorCode::KeyNotFound ||
           outcome.chain.error().code == ErrorCode::BadSignature));
    CHECK(w.fetcher.callCount(fetchUrl(kTa, kIm)) == 1);  // one refetch, no loop
    CHECK(refetched(outcome.report));
    CHECK(outcome.report.alarms.empty());  // an intermediate's rollover is no anchor key alarm
    REQUIRE_FALSE(outcome.report.candidates.empty());
    for (const CandidateVerdict &verdict : outcome.report.candidates)
        CHECK_FALSE(verdict.valid);
}

TEST_CASE("anchor EC keys differ from the pinned keys: one refetch, an alarm, the pinned keys kept (G03)")
{
    World w;
    w.leaf("https://rp.example");
    const TrustAnchor pinned = w.fed.anchor(kTa);
    // The anchor's EC now also publishes a key that is not pinned (K3), still
    // signed with the pinned K1.
    test::TestEntity &ta = w.fed.entity(kTa);
    auto k3 = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(k3);
    auto both = JwkSet::fromKeys({ta.key, *k3});
    REQUIRE(both);
    ta.jwks = *both;
    w.fetcher.serve(wellKnown(kTa), w.fed.entityConfiguration(kTa));
    w.link(kTa, kIm);
    auto resolver = w.resolver(nullptr, {pinned});

    // Fetched from the network: no refetch, the alarm at once; the chain is
    // valid under the pinned key.
    auto first = resolver->resolve({.subject = "https://rp.example", .explain = true});
    REQUIRE_MESSAGE(first.chain, first.chain.error().describe());
    checkAnchorKeyAlarm(first.report);
    CHECK(w.fetcher.callCount(wellKnown(kTa)) == 1);

    // From memory: refetched once (rate-limited), still different: alarm.
    w.leaf("https://rp2.example");
    w.fetcher.clearCalls();
    auto second = resolver->resolve({.subject = "https://rp2.example", .explain = true});
    REQUIRE(second.chain);
    checkAnchorKeyAlarm(second.report);
    CHECK(w.fetcher.callCount(wellKnown(kTa)) == 1);
    w.leaf("https://rp3.example");
    w.fetcher.clearCalls();
    auto third = resolver->resolve({.subject = "https://rp3.example", .explain = true});
    REQUIRE(third.chain);
    checkAnchorKeyAlarm(third.report);
    CHECK(w.fetcher.callCount(wellKnown(kTa)) == 0);

    // The anchor now signs with K3 only: its EC publishes K3, but K3 is not
    // pinned, so nothing it signs is trusted.
    ta.key = *k3;
    auto onlyK3 = JwkSet::fromKeys({*k3});
    REQUIRE(onlyK3);
    ta.jwks = *onlyK3;
    w.fetcher.serve(wellKnown(kTa), w.fed.entityConfiguration(kTa));
    w.link(kTa, kIm);
    w.clock.advance(61);
    w.leaf("https://rp4.example");
    auto fourth = resolver->resolve({.subject = "https://rp4.example", .explain = true});
    REQUIRE_FALSE(fourth.chain);
    checkAnchorKeyAlarm(fourth.report);
}
