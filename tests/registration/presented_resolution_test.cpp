// Resolver::resolvePresented (12.2.2 steps 3-5, 10.1 step 2): the subject's
// Entity Configuration as presented, never fetched nor cached as the
// subject's; a presented chain used as a path hint only when it verifies
// from the pinned anchor keys down, otherwise collection from the presented
// EC's authority_hints; the report says which happened.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/registration_request.h>
#include <oidfed/resolver.h>

#include "registration_fixture.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test::registration;
using test::json;

namespace {

// The request EC of `spec`, parsed as an OP reads it.
EntityStatement presentedEc(Federation &f, const RequestSpec &spec = {})
{
    auto ec = EntityStatement::parse(f.request(spec), testStatementOptions(), StatementContext::RegistrationRequest);
    REQUIRE_MESSAGE(ec, ec.error().describe());
    return std::move(ec).value();
}

std::vector<std::string> tail(std::vector<std::string> chain)
{
    chain.erase(chain.begin());
    return chain;
}

bool fetched(const Federation &f, const std::string &url)
{
    auto calls = f.fetcher.calls();
    return std::find(calls.begin(), calls.end(), url) != calls.end();
}

// A request whose metadata differs from what the RP publishes (tailored).
RequestSpec tailored()
{
    RequestSpec spec;
    Json client = rpClientMetadata();
    client.set("client_name", "Tailored for this OP");
    Json metadata = Json::object();
    metadata.set("openid_relying_party", client);
    spec.metadata = metadata;
    return spec;
}

} // namespace

TEST_CASE("a hint that verifies is used: nothing is fetched, the metadata is the presented EC's")
{
    Federation f;
    auto resolver = f.resolver();
    EntityStatement ec = presentedEc(f, tailored());
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = ec, .pathHint = tail(f.rpChain())});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    const TrustChain &chain = **outcome.chain;
    CHECK(outcome.report.source == "presented-hint");
    CHECK(outcome.report.pathHint == PathHintUse::Used);
    CHECK_FALSE(outcome.report.pathHintError);
    CHECK(f.fetcher.calls().empty());
    CHECK(chain.statements().front() == ec.compact());
    CHECK(chain.path() == std::vector<std::string>{kRp, kIm, kTa});
    CHECK(*chain.metadata().find("openid_relying_party")->find("client_name") == Json("Tailored for this OP"));
}

TEST_CASE("without a hint the chain is collected from the presented EC's authority_hints, never its well-known EC")
{
    Federation f;
    auto resolver = f.resolver();
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = presentedEc(f, tailored())});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK(outcome.report.source == "network");
    CHECK(outcome.report.pathHint == PathHintUse::None);
    CHECK_FALSE(fetched(f, test::wellKnown(kRp)));
    CHECK(fetched(f, test::fetchUrl(kIm, kRp)));
    CHECK(*(*outcome.chain)->metadata().find("openid_relying_party")->find("client_name") ==
          Json("Tailored for this OP"));
}

TEST_CASE("a presented resolution is never cached under the subject")
{
    Federation f;
    auto resolver = f.resolver();
    REQUIRE(resolver->resolvePresented({.configuration = presentedEc(f, tailored())}).chain);
    // The RP publishes no EC: a plain resolution must go and fail to find
    // one, not answer from what the presentation resolved.
    ResolveOutcome plain = resolver->resolve({.subject = kRp});
    CHECK_FALSE(plain.chain);
    CHECK(plain.report.source == "network");
    CHECK(fetched(f, test::wellKnown(kRp)));
    // And a second presentation with other metadata gets its own.
    RequestSpec other = tailored();
    other.metadata.find("openid_relying_party")->set("client_name", "Second");
    ResolveOutcome second = resolver->resolvePresented({.configuration = presentedEc(f, other)});
    REQUIRE(second.chain);
    CHECK(*(*second.chain)->metadata().find("openid_relying_party")->find("client_name") == Json("Second"));
}

TEST_CASE("a hint that does not verify falls back to collection, and the report says why")
{
    Federation f;
    auto resolver = f.resolver();
    // ta's statement about im replaced by one signed by an impostor.
    test::TestFederation impostor;
    impostor.add(kTa, test::authorityMetadata(kTa));
    impostor.add(kIm, test::authorityMetadata(kIm), {kTa});
    std::vector<std::string> hint = tail(f.rpChain());
    hint[1] = impostor.subordinateStatement(kTa, kIm);
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = presentedEc(f), .pathHint = hint});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK(outcome.report.source == "network");
    CHECK(outcome.report.pathHint == PathHintUse::Invalid);
    REQUIRE(outcome.report.pathHintError);
    CHECK(outcome.report.pathHintError->rule == "3.2 signature");
    REQUIRE_FALSE(outcome.report.problems.empty());
    CHECK(outcome.report.problems.front().rule == "12.2.2 step 5 path hint");
    CHECK(outcome.report.problems.front().claim == "trust_chain");
    CHECK(fetched(f, test::fetchUrl(kIm, kRp)));
}

TEST_CASE("a stale hint (an expired statement) falls back to collection")
{
    Federation f;
    auto resolver = f.resolver();
    ResolveOutcome outcome = resolver->resolvePresented(
        {.configuration = presentedEc(f), .pathHint = tail(f.rpChain(kNow - 3600))});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK(outcome.report.pathHint == PathHintUse::Stale);
    REQUIRE(outcome.report.pathHintError);
    CHECK(outcome.report.pathHintError->code == ErrorCode::Expired);
    CHECK(outcome.report.pathHintError->entityId == kIm);
    CHECK((*outcome.chain)->expiresAt() == f.fed.exp());
}

TEST_CASE("a hint ending at an anchor not requested, or malformed, falls back")
{
    Federation f;
    auto resolver = f.resolver();
    std::vector<std::string> toIm = tail(f.rpChain());
    toIm.resize(1);  // im's statement about rp only: ends at im
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = presentedEc(f), .pathHint = toIm});
    REQUIRE(outcome.chain);
    CHECK(outcome.report.pathHint == PathHintUse::Invalid);
    CHECK(outcome.report.pathHintError->code == ErrorCode::NoTrustAnchor);

    ResolveOutcome garbage = resolver->resolvePresented({.configuration = presentedEc(f), .pathHint = {"x.y.z"}});
    REQUIRE(garbage.chain);
    CHECK(garbage.report.pathHint == PathHintUse::Invalid);
    CHECK(garbage.report.pathHintError->code == ErrorCode::Malformed);
}

TEST_CASE("an RP no superior vouches for fails with the hint and without it")
{
    Federation f;
    auto resolver = f.resolver();
    RequestSpec spec;
    spec.signWithUnvouchedKey = true;
    EntityStatement ec = presentedEc(f, spec);
    for (bool withHint : {true, false}) {
        CAPTURE(withHint);
        PresentedResolveRequest request{.configuration = ec};
        if (withHint)
            request.pathHint = tail(f.rpChain());
        ResolveOutcome outcome = resolver->resolvePresented(request);
        REQUIRE_FALSE(outcome.chain);
        CHECK(outcome.chain.error().code == ErrorCode::KeyNotFound);
        CHECK(outcome.chain.error().rule == "3.2 signature");
        CHECK(outcome.chain.error().entityId == kRp);
    }
}

TEST_CASE("immediateSuperior restricts the chains to that superior")
{
    Federation f;
    auto resolver = f.resolver();
    ResolveOutcome through = resolver->resolvePresented({.configuration = presentedEc(f), .immediateSuperior = kIm});
    REQUIRE(through.chain);
    CHECK((*through.chain)->path()[1] == kIm);
    ResolveOutcome elsewhere =
        resolver->resolvePresented({.configuration = presentedEc(f), .immediateSuperior = "https://other.example"});
    REQUIRE_FALSE(elsewhere.chain);
    CHECK(elsewhere.chain.error().code == ErrorCode::NoTrustAnchor);
    ResolveOutcome hinted = resolver->resolvePresented(
        {.configuration = presentedEc(f), .pathHint = tail(f.rpChain()), .immediateSuperior = "https://other.example"});
    CHECK(hinted.report.pathHint == PathHintUse::Invalid);
}

TEST_CASE("a presented statement must be an Entity Configuration")
{
    Federation f;
    auto resolver = f.resolver();
    auto ss = EntityStatement::parse(f.fed.subordinateStatement(kIm, kRp), testStatementOptions());
    REQUIRE(ss);
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = *ss});
    REQUIRE_FALSE(outcome.chain);
    CHECK(outcome.chain.error().code == ErrorCode::InvalidArgument);
    CHECK(pathHintUseName(PathHintUse::Stale) == "stale");
}

TEST_CASE("S-1, 18.1: a presented EC with many authority_hints costs no more than a fetched one")
{
    Federation f;
    ResolverOptions options;
    options.maxAuthorityHintsPerEntity = 2;
    auto resolver = f.resolver(options);
    RequestSpec spec;
    spec.authorityHints = {kIm};
    for (int i = 0; i < 20; ++i)
        spec.authorityHints.push_back("https://fake" + std::to_string(i) + ".example");
    ResolveOutcome outcome = resolver->resolvePresented({.configuration = presentedEc(f, spec)});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    bool limited = std::any_of(outcome.report.problems.begin(), outcome.report.problems.end(), [](const Error &e) {
        return e.code == ErrorCode::LimitExceeded && e.rule == "maxAuthorityHintsPerEntity" && e.entityId == kRp;
    });
    CHECK(limited);
    // im and the first fake only: their ECs, im's statement about the RP, and
    // what is above im.
    for (int i = 1; i < 20; ++i)
        CHECK_FALSE(fetched(f, test::wellKnown("https://fake" + std::to_string(i) + ".example")));
}
