// Hostile upstreams seen by the resolver (threats.md groups A, B, C, E, F, G,
// J, L): each case publishes a federation on a FakeFetcher, plants one
// malicious statement or fault, and asserts the exact outcome (error code,
// entity and, where it matters, which URLs were and were never requested).
// See docs/security.md for the coverage matrix.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/jws.h>
#include <oidfed/resolver.h>

#include "chain/statement_store.h"
#include "fake_clock.h"
#include "fake_fetcher.h"
#include "jws_test_support.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::fetchUrl;
using test::wellKnown;
using test::json;

namespace {

constexpr UnixTime kNow = 1767800000;

const Json kRpMetadata = json(R"({"openid_relying_party":{"client_name":"RP"}})");

struct World {
    test::TestFederation fed;
    test::FakeFetcher fetcher;
    test::FakeClock clock{kNow};

    void authority(const std::string &id, std::vector<std::string> hints = {})
    {
        fed.add(id, test::authorityMetadata(id), std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    }
    void leaf(const std::string &id, std::vector<std::string> hints)
    {
        fed.add(id, kRpMetadata, std::move(hints));
        fetcher.serve(wellKnown(id), fed.entityConfiguration(id));
    }
    void link(const std::string &superior, const std::string &subject, const test::SubordinateClaims &claims = {})
    {
        fetcher.serve(fetchUrl(superior, subject), fed.subordinateStatement(superior, subject, claims));
    }
    /// An anchor `ta`, an intermediate `im` under it, and `count` leaves
    /// https://rpN.example under `im`; returns the leaves' ids.
    std::vector<std::string> leavesUnder(const std::string &ta, const std::string &im, std::size_t count)
    {
        authority(ta);
        authority(im, {ta});
        link(ta, im);
        std::vector<std::string> leaves;
        for (std::size_t i = 0; i < count; ++i) {
            leaves.push_back("https://rp" + std::to_string(i) + ".example");
            leaf(leaves.back(), {im});
            link(im, leaves.back());
        }
        return leaves;
    }
    std::unique_ptr<Resolver> resolver(std::vector<std::string> anchors, ResolverOptions options = {})
    {
        std::vector<TrustAnchor> pins;
        for (const std::string &id : anchors)
            pins.push_back(fed.anchor(id));
        auto r = Resolver::create(options, pins, {fetcher, clock});
        REQUIRE(r);
        return std::move(r).value();
    }
    bool requested(const std::string &fragment) const
    {
        for (const std::string &url : fetcher.calls())
            if (url.find(fragment) != std::string::npos)
                return true;
        return false;
    }
    void everyUrlOnce() const
    {
        for (const std::string &url : fetcher.calls()) {
            CAPTURE(url);
            CHECK(fetcher.callCount(url) == 1);
        }
    }
};

// ta <- im <- rp
void threeLevels(World &w)
{
    w.authority("https://ta.example");
    w.authority("https://im.example", {"https://ta.example"});
    w.leaf("https://rp.example", {"https://im.example"});
    w.link("https://ta.example", "https://im.example");
    w.link("https://im.example", "https://rp.example");
}

void expectFailure(const ResolveOutcome &outcome, ErrorCode code, const std::string &entity = {})
{
    REQUIRE_FALSE(outcome.chain);
    CHECK_MESSAGE(outcome.chain.error().code == code, outcome.chain.error().describe());
    if (!entity.empty())
        CHECK(outcome.chain.error().entityId == entity);
}

// Threads of a herd test. Whatever happens to the test, the fetcher lets its
// held calls go before the threads are joined, so a failed check never hangs.
class Herd {
public:
    explicit Herd(test::FakeFetcher &fetcher) : fetcher_(fetcher) {}
    Herd(const Herd &) = delete;
    Herd &operator=(const Herd &) = delete;
    ~Herd() { join(); }

    void run(std::function<void()> work) { threads_.emplace_back(std::move(work)); }
    void join()
    {
        fetcher_.release();
        for (std::thread &thread : threads_)
            if (thread.joinable())
                thread.join();
    }

private:
    test::FakeFetcher &fetcher_;
    std::vector<std::thread> threads_;
};

// Polls `condition` every millisecond, at most `limit`; returns its last value.
bool eventually(const std::function<bool()> &condition, std::chrono::milliseconds limit)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= end)
            return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace

TEST_CASE("F01, D05: an Entity Configuration served for another entity is refused (10.1 scrub)")
{
    struct Row {
        const char *threat;
        std::string servedFor;  ///< the entity whose valid EC is served at rp's URL
    };
    for (const Row &row : {Row{"F01 another entity", "https://evil.example"},
                           Row{"D05 the same host in upper case", "https://RP.example"},
                           Row{"D05 with a trailing slash", "https://rp.example/"}}) {
        CAPTURE(std::string(row.threat));
        World w;
        threeLevels(w);
        w.fed.add(row.servedFor, kRpMetadata, {"https://im.example"});
        w.fetcher.serve(wellKnown("https://rp.example"), w.fed.entityConfiguration(row.servedFor));
        auto resolver = w.resolver({"https://ta.example"});
        auto outcome = resolver->resolve({.subject = "https://rp.example"});
        expectFailure(outcome, ErrorCode::InvalidClaim, "https://rp.example");
        CHECK(outcome.chain.error().rule == "10.1 scrub iss/sub");
        // Nothing the impostor EC names is followed.
        CHECK(w.fetcher.calls() == std::vector<std::string>{wellKnown("https://rp.example")});
    }
}

TEST_CASE("F02: a fetch endpoint answering with a statement about someone else, or by someone else")
{
    struct Row {
        const char *threat;
        std::string issuer, subject;  ///< who signs the substituted statement, and about whom
    };
    for (const Row &row : {Row{"F02 sub of another subordinate", "https://im.example", "https://rp2.example"},
                           Row{"F02 iss of another authority", "https://ta.example", "https://rp.example"}}) {
        CAPTURE(std::string(row.threat));
        World w;
        threeLevels(w);
        w.leaf("https://rp2.example", {"https://im.example"});
        w.fetcher.serve(fetchUrl("https://im.example", "https://rp.example"),
                        w.fed.subordinateStatement(row.issuer, row.subject));
        auto resolver = w.resolver({"https://ta.example"});
        auto outcome = resolver->resolve({.subject = "https://rp.example", .explain = true});
        expectFailure(outcome, ErrorCode::NoTrustAnchor);
        bool scrubbed = false;
        for (const Error &problem : outcome.report.problems)
            scrubbed = scrubbed || (problem.code == ErrorCode::InvalidClaim && problem.rule == "10.1 scrub iss/sub");
        CHECK(scrubbed);
    }
}

TEST_CASE("B03: a chain deeper than maxChainDepth is not explored beyond it")
{
    World w;
    w.authority("https://ta.example");
    std::string above = "https://ta.example";
    for (int i = 0; i < 12; ++i) {
        const std::string id = "https://im" + std::to_string(i) + ".example";
        w.authority(id, {above});
        w.link(above, id);
        above = id;
    }
    w.leaf("https://rp.example", {above});
    w.link(above, "https://rp.example");
    ResolverOptions options;
    options.maxChainDepth = 8;
    auto resolver = w.resolver({"https://ta.example"}, options);
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    expectFailure(outcome, ErrorCode::NoTrustAnchor);
    // The leaf's EC, then an EC and a statement for each of 8 levels.
    CHECK(w.fetcher.calls().size() == 1 + 2 * 8);
    CHECK_FALSE(w.requested("ta.example"));
    w.everyUrlOnce();

    // The same federation within a deeper limit resolves.
    ResolverOptions deep;
    deep.maxChainDepth = 16;
    test::FakeFetcher &fetcher = w.fetcher;
    fetcher.clearCalls();
    auto enough = w.resolver({"https://ta.example"}, deep);
    auto resolved = enough->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(resolved.chain, resolved.chain.error().describe());
    CHECK((*resolved.chain)->path().size() == 14);
}

TEST_CASE("B04: a three-entity cycle without an anchor ends, each URL fetched once")
{
    World w;
    w.authority("https://ta.example");
    w.authority("https://a.example", {"https://b.example"});
    w.authority("https://b.example", {"https://c.example"});
    w.authority("https://c.example", {"https://a.example"});
    w.leaf("https://rp.example", {"https://a.example"});
    w.link("https://a.example", "https://rp.example");
    w.link("https://b.example", "https://a.example");
    w.link("https://c.example", "https://b.example");
    w.link("https://a.example", "https://c.example");
    auto resolver = w.resolver({"https://ta.example"});
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    expectFailure(outcome, ErrorCode::NoTrustAnchor);
    w.everyUrlOnce();
    CHECK(w.fetcher.calls().size() == 8);  // 4 ECs, 4 statements (a about c closes the cycle), then nothing new
}

TEST_CASE("B05: a diamond is fetched once per statement and resolves to the same chain every time")
{
    World w;
    w.authority("https://ta.example");
    w.authority("https://i3.example", {"https://ta.example"});
    w.authority("https://i1.example", {"https://i3.example"});
    w.authority("https://i2.example", {"https://i3.example"});
    w.leaf("https://rp.example", {"https://i2.example", "https://i1.example"});
    w.link("https://ta.example", "https://i3.example");
    w.link("https://i3.example", "https://i1.example");
    w.link("https://i3.example", "https://i2.example");
    w.link("https://i1.example", "https://rp.example");
    w.link("https://i2.example", "https://rp.example");
    std::vector<std::string> first;
    for (int run = 0; run < 3; ++run) {
        w.fetcher.clearCalls();
        auto resolver = w.resolver({"https://ta.example"});
        auto outcome = resolver->resolve({.subject = "https://rp.example"});
        REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
        w.everyUrlOnce();
        CHECK(w.fetcher.calls().size() == 10);  // 5 ECs, 5 statements, each once
        if (run == 0)
            first = (*outcome.chain)->path();
        CHECK((*outcome.chain)->path() == first);
    }
    CHECK(first.size() == 4);
}

TEST_CASE("B06, G06: hints that lead only to other anchors never give a chain to a non-requested one")
{
    World w;
    w.authority("https://ta.example");
    w.authority("https://other-ta.example");
    std::vector<std::string> hints;
    for (int i = 0; i < 6; ++i) {
        const std::string id = "https://x" + std::to_string(i) + ".example";
        w.authority(id, {"https://other-ta.example"});
        w.link("https://other-ta.example", id);
        hints.push_back(id);
    }
    w.leaf("https://rp.example", hints);
    for (const std::string &hint : hints)
        w.link(hint, "https://rp.example");

    SUBCASE("B06: the configured anchor is unreachable from the subject")
    {
        auto resolver = w.resolver({"https://ta.example"});
        auto outcome = resolver->resolve({.subject = "https://rp.example"});
        expectFailure(outcome, ErrorCode::NoTrustAnchor);
        CHECK(outcome.report.fetches <= ResolverOptions{}.maxFetchesPerResolution);
    }
    SUBCASE("G06: both anchors configured, only ta requested: no fallback to other-ta")
    {
        auto resolver = w.resolver({"https://ta.example", "https://other-ta.example"});
        auto outcome = resolver->resolve({.subject = "https://rp.example", .trustAnchors = {"https://ta.example"}});
        expectFailure(outcome, ErrorCode::NoTrustAnchor);
        // The climb stops at other-ta, which was not requested either way;
        // asked for it, the same resolver finds the chain.
        auto other = resolver->resolve({.subject = "https://rp.example", .trustAnchors = {"https://other-ta.example"}});
        REQUIRE(other.chain);
        CHECK((*other.chain)->trustAnchor().str() == "https://other-ta.example");
    }
}

TEST_CASE("C13: jku, x5u and jwk headers in a fetched statement are never dereferenced")
{
    World w;
    threeLevels(w);
    // The leaf's EC, re-signed by the leaf's own key with hostile headers.
    auto ec = Jws::parse(w.fed.entityConfiguration("https://rp.example"));
    REQUIRE(ec);
    auto attacker = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(attacker);
    Json header = json(R"({"typ":"entity-statement+jwt","alg":"ES256"})");
    header.set("kid", w.fed.entity("https://rp.example").key.kid());
    header.set("jku", "https://keys.attacker.example/jwks");
    header.set("x5u", "https://certs.attacker.example/cert.pem");
    header.set("jwk", attacker->toPublicJson());
    const std::string forged =
        test::craftJws(header.dump(), ec->payload(), w.fed.entity("https://rp.example").key, JwsAlgorithm::ES256);
    w.fetcher.serve(wellKnown("https://rp.example"), forged);
    auto resolver = w.resolver({"https://ta.example"});
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    // Ignored (never used for key selection, never fetched): the chain
    // verifies with the keys its superior vouches for.
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK_FALSE(w.requested("attacker.example"));
    CHECK(w.fetcher.calls().size() == 5);

    // The same headers on an EC signed by the attacker's embedded key fail.
    const std::string attackerSigned = test::craftJws(header.dump(), ec->payload(), *attacker, JwsAlgorithm::ES256);
    w.fetcher.serve(wellKnown("https://rp.example"), attackerSigned);
    w.fetcher.clearCalls();
    auto refused = w.resolver({"https://ta.example"})->resolve({.subject = "https://rp.example"});
    expectFailure(refused, ErrorCode::BadSignature, "https://rp.example");
    CHECK_FALSE(w.requested("attacker.example"));
}

TEST_CASE("F08, F09: only the superior's own Entity Configuration names its fetch endpoint")
{
    World w;
    threeLevels(w);
    // The anchor's statement about im claims im's fetch endpoint is elsewhere
    // and names a source_endpoint on loopback.
    test::SubordinateClaims claims;
    claims.metadata = json(R"({"federation_entity":{"federation_fetch_endpoint":"https://evil.example/fetch"}})");
    w.fetcher.serve(fetchUrl("https://ta.example", "https://im.example"),
                    w.fed.subordinateStatement("https://ta.example", "https://im.example", claims));
    auto resolver = w.resolver({"https://ta.example"});
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK_FALSE(w.requested("evil.example"));
    CHECK(w.fetcher.callCount(fetchUrl("https://im.example", "https://rp.example")) == 1);
}

TEST_CASE("G01: an anchor EC self-signed by a rogue key fails against the pinned keys")
{
    World w;
    threeLevels(w);
    auto pinned = w.fed.anchor("https://ta.example");
    test::TestFederation rogue = w.fed;
    rogue.add("https://ta.example", test::authorityMetadata("https://ta.example"));
    // Both the anchor's EC and its statement about im come from the rogue key.
    w.fetcher.serve(wellKnown("https://ta.example"), rogue.entityConfiguration("https://ta.example"));
    w.fetcher.serve(fetchUrl("https://ta.example", "https://im.example"),
                    rogue.subordinateStatement("https://ta.example", "https://im.example"));
    auto resolver = Resolver::create({}, {pinned}, {w.fetcher, w.clock});
    REQUIRE(resolver);
    auto outcome = (*resolver)->resolve({.subject = "https://rp.example"});
    expectFailure(outcome, ErrorCode::KeyNotFound, "https://ta.example");
}

TEST_CASE("J05, F11, L04: a transient upstream failure is remembered for negativeTtl only")
{
    struct Row {
        const char *threat;
        Error fault;
    };
    for (const Row &row : {Row{"J05 upstream 500", Error(ErrorCode::Unavailable, "HTTP 500")},
                           Row{"L04 unsigned JSON error from upstream", Error(ErrorCode::NotFound, "not_found")},
                           Row{"F11 upstream timeout", Error(ErrorCode::Timeout, "deadline")}}) {
        CAPTURE(std::string(row.threat));
        World w;
        threeLevels(w);
        const std::string url = fetchUrl("https://ta.example", "https://im.example");
        const std::string good = w.fed.subordinateStatement("https://ta.example", "https://im.example");
        w.fetcher.fail(url, row.fault);
        ResolverOptions options;
        options.negativeTtl = std::chrono::seconds(30);
        auto resolver = w.resolver({"https://ta.example"}, options);
        auto failed = resolver->resolve({.subject = "https://rp.example"});
        REQUIRE_FALSE(failed.chain);
        // The upstream recovers. Within negativeTtl the failure is answered
        // from memory, with no new fetch; after it, the chain resolves.
        w.fetcher.serve(url, good);
        w.fetcher.clearCalls();
        w.clock.advance(29);
        auto remembered = resolver->resolve({.subject = "https://rp.example"});
        REQUIRE_FALSE(remembered.chain);
        CHECK(remembered.report.source == "negative-cache");
        CHECK(w.fetcher.calls().empty());
        w.clock.advance(2);
        auto recovered = resolver->resolve({.subject = "https://rp.example"});
        REQUIRE_MESSAGE(recovered.chain, recovered.chain.error().describe());
        CHECK(recovered.report.source == "network");
    }
    // negativeTtl 0: nothing is remembered at all.
    World w;
    threeLevels(w);
    const std::string url = fetchUrl("https://ta.example", "https://im.example");
    const std::string good = w.fed.subordinateStatement("https://ta.example", "https://im.example");
    w.fetcher.fail(url, Error(ErrorCode::Unavailable, "HTTP 503"));
    ResolverOptions none;
    none.negativeTtl = std::chrono::seconds(0);
    auto resolver = w.resolver({"https://ta.example"}, none);
    REQUIRE_FALSE(resolver->resolve({.subject = "https://rp.example"}).chain);
    w.fetcher.serve(url, good);
    CHECK(resolver->resolve({.subject = "https://rp.example"}).chain.has_value());
}

TEST_CASE("E05: a statement valid for a century is cached no longer than maxCacheTtl")
{
    World w;
    w.fed = test::TestFederation(kNow - 60, kNow + 100LL * 365 * 86400);
    threeLevels(w);
    ResolverOptions options;
    options.maxCacheTtl = std::chrono::seconds(3600);
    options.refreshAhead = std::chrono::seconds(0);
    auto resolver = w.resolver({"https://ta.example"}, options);
    auto first = resolver->resolve({.subject = "https://rp.example"});
    REQUIRE_MESSAGE(first.chain, first.chain.error().describe());
    CHECK((*first.chain)->expiresAt() == kNow + 100LL * 365 * 86400);
    w.clock.advance(3599);
    CHECK(resolver->resolve({.subject = "https://rp.example"}).report.source == "cache");
    w.clock.advance(2);
    CHECK(resolver->resolve({.subject = "https://rp.example"}).report.source == "network");
}

// Threat B09: the collector verifies a fetched Entity Configuration with its
// own jwks before it follows the authority_hints, so a forged one costs no
// further fetch.
TEST_CASE("B09: hints of an EC whose self-signature does not verify are not followed")
{
    World w;
    threeLevels(w);
    test::TestFederation impostor = w.fed;
    impostor.add("https://rp.example", kRpMetadata, {"https://im.example"});
    // Signed by a key that is not in the jwks it carries.
    Json payload = *Jws::parse(impostor.entityConfiguration("https://rp.example"))->payloadJson();
    Json jwks = Json::object();
    Json keys = Json::array();
    keys.push(w.fed.entity("https://rp.example").key.toPublicJson());
    jwks.set("keys", keys);
    payload.set("jwks", jwks);
    Json header = json(R"({"typ":"entity-statement+jwt"})");
    auto forged = signJws(header, payload.dump(), impostor.entity("https://rp.example").key);
    REQUIRE(forged);
    w.fetcher.serve(wellKnown("https://rp.example"), *forged);
    auto resolver = w.resolver({"https://ta.example"});
    auto outcome = resolver->resolve({.subject = "https://rp.example"});
    expectFailure(outcome, ErrorCode::KeyNotFound, "https://rp.example");
    CHECK(w.fetcher.calls() == std::vector<std::string>{wellKnown("https://rp.example")});
}

// Threat B08 (thundering herd on cold start), at the StatementStore: callers
// that want the same cold URLs while their fetch is in flight join it (single
// flight) instead of fetching again. Deterministic: every caller is known to
// have joined (stats().waits) before the one fetch is let go.
TEST_CASE("B08: concurrent cold requests for the same statements share one fetch each (single flight)")
{
    World w;
    w.authority("https://ta.example");
    w.authority("https://im.example", {"https://ta.example"});
    w.link("https://ta.example", "https://im.example");
    detail::StatementStore store(w.fetcher, nullptr, w.clock, {});
    const std::vector<detail::StatementRequest> requests{
        {wellKnown("https://im.example"), "https://im.example", "https://im.example"},
        {fetchUrl("https://ta.example", "https://im.example"), "https://ta.example", "https://im.example"},
    };
    constexpr std::size_t kCallers = 16;
    std::vector<std::vector<Result<detail::StatementPtr>>> results(kCallers);
    std::vector<std::vector<detail::StatementSource>> sources(kCallers);
    w.fetcher.hold();
    {
        Herd herd(w.fetcher);
        for (std::size_t i = 0; i < kCallers; ++i)
            herd.run([&, i] { results[i] = store.getAll(requests, std::chrono::seconds(10), &sources[i]); });
        // One caller owns both flights and is held in its first fetch; every
        // other one has joined both flights.
        REQUIRE(w.fetcher.awaitWaiting(1, std::chrono::seconds(10)));
        REQUIRE(eventually([&] { return store.stats().waits == 2 * (kCallers - 1); }, std::chrono::seconds(10)));
        CHECK(w.fetcher.calls() == std::vector<std::string>{requests[0].url});
        herd.join();
    }
    for (const detail::StatementRequest &request : requests) {
        CAPTURE(request.url);
        CHECK(w.fetcher.callCount(request.url) == 1);
    }
    CHECK(w.fetcher.calls().size() == 2);
    CHECK(store.stats().fetches == 2);
    for (std::size_t i = 0; i < kCallers; ++i) {
        CAPTURE(i);
        REQUIRE(results[i].size() == 2);
        for (std::size_t k = 0; k < 2; ++k) {
            REQUIRE_MESSAGE(results[i][k], results[i][k].error().describe());
            CHECK(results[i][k]->get() == results[0][k]->get());  // one parsed statement, shared
            CHECK(sources[i][k] == detail::StatementSource::Network);
        }
    }
    CHECK((*results[0][0])->issuer().str() == "https://im.example");
    CHECK((*results[0][1])->subject().str() == "https://im.example");
}

// A caller that joins a fetch started by another waits no longer than its
// own budget (the deadline rule of threats B and U): the owner's fetch may
// have a longer one.
TEST_CASE("B08: joining another caller's fetch is bounded by the joiner's own budget")
{
    World w;
    w.authority("https://ta.example");
    detail::StatementStore store(w.fetcher, nullptr, w.clock, {});
    const std::vector<detail::StatementRequest> requests{
        {wellKnown("https://ta.example"), "https://ta.example", "https://ta.example"}};
    std::vector<Result<detail::StatementPtr>> owner;
    w.fetcher.hold();
    Herd herd(w.fetcher);
    herd.run([&] { owner = store.getAll(requests, std::chrono::seconds(30)); });
    REQUIRE(w.fetcher.awaitWaiting(1, std::chrono::seconds(10)));

    // The owner is still held: the joiner gives up after its 50 ms.
    auto joined = store.getAll(requests, std::chrono::milliseconds(50));
    REQUIRE(joined.size() == 1);
    REQUIRE_FALSE(joined[0]);
    CHECK(joined[0].error().code == ErrorCode::Timeout);
    CHECK(store.stats().waits == 1);

    // The owner's fetch is unaffected, and then serves everyone from memory.
    herd.join();
    REQUIRE(owner.size() == 1);
    CHECK(owner[0].has_value());
    auto later = store.getAll(requests, std::chrono::milliseconds(50));
    CHECK(later[0].has_value());
    CHECK(w.fetcher.callCount(requests[0].url) == 1);
}

// Threat J12 at the StatementStore: the one-time statements of many
// distinct leaves (each read once) are evicted before the statements every
// resolution reads again (an intermediate's Entity Configuration and the
// anchor's statement about it), so a batch or a flood of leaves does not make
// the shared statements be fetched again.
TEST_CASE("J12: statements read again survive a flood of statements read once (segmented LRU)")
{
    World w;
    const std::string ta = "https://ta.example", im = "https://im.example";
    constexpr std::size_t kLeaves = 200;
    const std::vector<std::string> leaves = w.leavesUnder(ta, im, kLeaves);
    detail::StatementStoreOptions options;
    options.maxEntries = 10;
    detail::StatementStore store(w.fetcher, nullptr, w.clock, options);
    const std::vector<detail::StatementRequest> shared{
        {wellKnown(im), im, im},
        {fetchUrl(ta, im), ta, im},
    };
    // The shared statements are read by the first two resolutions, then by
    // every tenth: between two reads, twenty statements read once arrive in
    // a store of ten, which a plain LRU would let push the shared ones out.
    std::size_t sharedReads = 0;
    for (std::size_t i = 0; i < kLeaves; ++i) {
        const std::string &leaf = leaves[i];
        if (i < 2 || i % 10 == 0) {
            ++sharedReads;
            for (const auto &result : store.getAll(shared, std::chrono::seconds(10)))
                REQUIRE(result);
        }
        for (const auto &result :
             store.getAll({{wellKnown(leaf), leaf, leaf}, {fetchUrl(im, leaf), im, leaf}}, std::chrono::seconds(10)))
            REQUIRE(result);
    }
    for (const detail::StatementRequest &request : shared) {
        CAPTURE(request.url);
        CHECK(w.fetcher.callCount(request.url) == 1);
        CHECK(store.contains(request.url));
    }
    CHECK(store.stats().fetches == 2 + 2 * kLeaves);
    CHECK(store.stats().hits == 2 * (sharedReads - 1));
    // A leaf's statements were kept only until the bound pushed them out.
    CHECK_FALSE(store.contains(wellKnown(leaves.front())));
    CHECK(store.contains(wellKnown(leaves.back())));
}

// Threat B08 end to end: 16 resolutions of different leaves under the same
// intermediate and anchor start together on one cold Resolver. All 16 are
// held in their first fetch at the same moment (so the herd is real, not a
// sequence), then every answer takes 50 ms, so the herd meets again on the
// shared statements. Each shared URL is fetched once, each leaf's own two
// once, and every resolution succeeds.
TEST_CASE("B08: a cold-start herd of resolutions through one intermediate fetches each shared statement once")
{
    World w;
    const std::string ta = "https://ta.example", im = "https://im.example";
    constexpr std::size_t kLeaves = 16;
    const std::vector<std::string> leaves = w.leavesUnder(ta, im, kLeaves);
    auto resolver = w.resolver({ta});
    std::vector<ResolveOutcome> outcomes(kLeaves);
    w.fetcher.hold();
    {
        Herd herd(w.fetcher);
        for (std::size_t i = 0; i < kLeaves; ++i)
            herd.run([&, i] { outcomes[i] = resolver->resolve({.subject = leaves[i]}); });
        // Every resolution is in its first fetch (its own EC) at once.
        REQUIRE(w.fetcher.awaitWaiting(kLeaves, std::chrono::seconds(10)));
        w.fetcher.setDelay(std::chrono::milliseconds(50));
        herd.join();
    }
    CHECK(w.fetcher.maxInFlight() >= kLeaves);
    for (std::size_t i = 0; i < kLeaves; ++i) {
        CAPTURE(leaves[i]);
        REQUIRE_MESSAGE(outcomes[i].chain, outcomes[i].chain.error().describe());
        CHECK((*outcomes[i].chain)->path() == std::vector<std::string>{leaves[i], im, ta});
        CHECK(outcomes[i].report.source == "network");
        CHECK(w.fetcher.callCount(wellKnown(leaves[i])) == 1);
        CHECK(w.fetcher.callCount(fetchUrl(im, leaves[i])) == 1);
    }
    CHECK(w.fetcher.callCount(wellKnown(ta)) == 1);
    CHECK(w.fetcher.callCount(wellKnown(im)) == 1);
    CHECK(w.fetcher.callCount(fetchUrl(ta, im)) == 1);
    w.everyUrlOnce();
    CHECK(w.fetcher.calls().size() == 3 + 2 * kLeaves);
}
