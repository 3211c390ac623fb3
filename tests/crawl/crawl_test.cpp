// crawl::crawlFederation with a real Resolver and the libcurl fetcher against
// a federation served over real HTTP on 127.0.0.1: a second crawl with
// nothing changed goes to the network for nothing but the lists; an
// anchor and an intermediate whose list endpoints go away are crawled below
// as the previous crawl listed them (their chains still cached and valid),
// with the failures as findings, where a crawl without that memory would
// have found nothing below them.
#include <doctest/doctest.h>

#include <ctime>

#include <oidfed/federation_urls.h>

#include "crawl/federation_crawl.h"
#include "federation_server.h"
#include "loopback_servers.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

// ta <- ia <- {leaf0..leaf9}, every authority with a list endpoint.
struct Crawled {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 30 * 86400};
    std::string ta = server.base() + "/ta", ia = server.base() + "/ia";
    std::vector<std::string> leaves;
    std::unique_ptr<Fetcher> fetcher;
    std::unique_ptr<Clock> clock = makeSystemClock();
    std::unique_ptr<Resolver> resolver;
    crawl::CrawlOptions options;

    Crawled()
    {
        test::ensureCurlInitialised();
        fed.add(ta, test::listingAuthorityMetadata(ta));
        fed.add(ia, test::listingAuthorityMetadata(ia), {ta});
        Json list = Json::array();
        for (int i = 0; i < 10; ++i) {
            leaves.push_back(server.base() + "/leaf" + std::to_string(i));
            fed.add(leaves.back(), json(R"({"openid_relying_party": {"client_name": "leaf"}})"), {ia});
            server.serve(*entityConfigurationUrl(leaves.back()), fed.entityConfiguration(leaves.back()));
            server.serve(test::fetchUrl(ia, leaves.back()), fed.subordinateStatement(ia, leaves.back()));
            list.push(leaves.back());
        }
        for (const std::string &id : {ta, ia})
            server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
        server.serve(test::fetchUrl(ta, ia), fed.subordinateStatement(ta, ia));
        server.serve(ta + "/list", Json(Json::Array{Json(ia)}).dump(), 0, "application/json");
        server.serve(ia + "/list", list.dump(), 0, "application/json");
        fetcher = test::makeLoopbackFetcher();
        auto made = Resolver::create(test::loopbackResolverOptions(), {fed.anchor(ta)},
                                     Resolver::Dependencies{.fetcher = *fetcher, .clock = *clock});
        REQUIRE(made);
        resolver = std::move(made).value();
        options.statements.entityIds.allowHttp = true;
    }

    crawl::CrawlReport crawl(const crawl::PreviousLists *previous = nullptr)
    {
        return crawl::crawlFederation(fed.anchor(ta), *resolver, *fetcher, options, now, previous);
    }
};

std::size_t validOf(const crawl::CrawlReport &report)
{
    std::size_t valid = 0;
    for (const crawl::CrawledEntity &entity : report.entities)
        valid += entity.chain && !entity.error ? 1 : 0;
    return valid;
}

} // namespace

TEST_CASE("crawl: a second crawl with nothing changed fetches the lists and nothing else")
{
    Crawled c;
    crawl::CrawlReport first = c.crawl();
    CHECK(first.entities.size() == 12);
    CHECK(validOf(first) == 12);
    CHECK(first.networkResolutions == 12);
    CHECK(first.listFetches == 2);
    CHECK(first.lists.at(c.ia).size() == 10);
    CHECK(first.findings.empty());

    const int before = c.server.requests();
    crawl::CrawlReport second = c.crawl(&first.lists);
    CHECK(validOf(second) == 12);
    CHECK(second.networkResolutions == 0);  // every chain from the resolver's cache: no fetch, no verification
    CHECK(c.server.requests() - before == 2);  // the two lists
}

TEST_CASE("crawl: list endpoints that go away are crawled below as the previous crawl listed them")
{
    Crawled c;
    crawl::CrawlReport first = c.crawl();
    REQUIRE(validOf(first) == 12);
    c.server.stopServing(c.ta + "/list");
    c.server.stopServing(c.ia + "/list");

    crawl::CrawlReport carried = c.crawl(&first.lists);
    CHECK(carried.entities.size() == 12);
    CHECK(validOf(carried) == 12);  // the chains are still cached and valid: served as they were
    std::size_t unreachable = 0;
    for (const crawl::Finding &finding : carried.findings) {
        CHECK(finding.kind == crawl::FindingKind::Unreachable);
        CHECK((finding.entityId == c.ta || finding.entityId == c.ia));
        CHECK(finding.message.find("the previous crawl's list") != std::string::npos);
        ++unreachable;
    }
    CHECK(unreachable == 2);
    CHECK(carried.lists.at(c.ia).size() == 10);  // carried over for the next crawl too

    // Without the previous lists the crawl stops at the anchor.
    crawl::CrawlReport forgetful = c.crawl();
    CHECK(forgetful.entities.size() == 1);
}
