// The resolver and the `oidfed resolve` / `oidfed chain` commands against a
// federation served over real HTTP on 127.0.0.1, with the libcurl Fetcher
// (test switches allowHttp and allowLoopback on; nothing leaves loopback).
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <curl/curl.h>

#include <oidfed/federation_urls.h>
#include <oidfed/resolver.h>

#include "federation_server.h"
#include "subprocess.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

void initCurl()
{
    static std::once_flag once;
    std::call_once(once, [] {
        std::signal(SIGPIPE, SIG_IGN);
        REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
    });
}

// ta <- im <- {op, rp}; every statement valid around now.
struct LiveFederation {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 3600};
    std::string ta = server.base() + "/ta";
    std::string im = server.base() + "/im";
    std::string op = server.base() + "/op";
    std::string rp = server.base() + "/rp";

    LiveFederation()
    {
        fed.add(ta, test::authorityMetadata(ta));
        fed.add(im, test::authorityMetadata(im), {ta});
        Json opMetadata = Json::object();
        opMetadata.set("openid_provider", json(R"({"issuer":"x","scopes_supported":["openid","email","phone"]})"));
        opMetadata.find("openid_provider")->set("issuer", op);
        fed.add(op, opMetadata, {im});
        fed.add(rp, json(R"({"openid_relying_party":{"client_name":"RP"}})"), {im});
        for (const std::string &id : {ta, im, op, rp})
            server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
        test::SubordinateClaims policy;
        policy.metadataPolicy = json(R"({"openid_provider":{"scopes_supported":{"subset_of":["openid","email"]}}})");
        server.serve(*fetchEndpointUrl(ta + "/fetch", im), fed.subordinateStatement(ta, im, policy));
        server.serve(*fetchEndpointUrl(im + "/fetch", op), fed.subordinateStatement(im, op));
        server.serve(*fetchEndpointUrl(im + "/fetch", rp), fed.subordinateStatement(im, rp));
    }

    std::string writeAnchorFile(const std::string &dir)
    {
        TrustAnchor anchor = fed.anchor(ta);
        Json pin = Json::object();
        pin.set("entity_id", anchor.entityId.str());
        pin.set("jwks", anchor.jwks.toJson());
        std::string path = dir + "/ta.json";
        std::ofstream(path) << pin.dump();
        return path;
    }
};

std::string tempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "oidfed-it-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

} // namespace

TEST_CASE("the resolver over real HTTP on loopback with the libcurl fetcher")
{
    initCurl();
    LiveFederation live;
    auto fetcher = test::makeLoopbackFetcher();
    auto clock = makeSystemClock();
    ResolverOptions options = test::loopbackResolverOptions();
    auto resolver = Resolver::create(options, {live.fed.anchor(live.ta)}, {*fetcher, *clock});
    REQUIRE(resolver);

    auto outcome = (*resolver)->resolve({.subject = live.op});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    CHECK((*outcome.chain)->path() == std::vector<std::string>{live.op, live.im, live.ta});
    CHECK(*(*outcome.chain)->metadata().find("openid_provider")->find("scopes_supported") == json(R"(["openid","email"])"));
    CHECK(live.server.requests() == 5);
    // The second leaf shares the intermediate's statements: two more fetches only.
    auto second = (*resolver)->resolve({.subject = live.rp});
    REQUIRE(second.chain);
    CHECK(live.server.requests() == 7);

    // Without the test switch, loopback is refused before any request.
    FetchOptions httpOnly;
    httpOnly.allowHttp = true;
    auto guarded = makeCurlFetcher(httpOnly);
    REQUIRE(guarded);
    auto strict = Resolver::create(options, {live.fed.anchor(live.ta)}, {**guarded, *clock});
    REQUIRE(strict);
    auto refused = (*strict)->resolve({.subject = live.op});
    REQUIRE_FALSE(refused.chain);
    CHECK(refused.chain.error().code == ErrorCode::InvalidArgument);
    CHECK(live.server.requests() == 7);
}

TEST_CASE("a slow upstream ends the resolution at its deadline, with Timeout")
{
    initCurl();
    LiveFederation live;
    // The intermediate answers only after 3 s.
    live.server.serve(*entityConfigurationUrl(live.im), live.fed.entityConfiguration(live.im), 3000);
    auto fetcher = test::makeLoopbackFetcher();
    auto clock = makeSystemClock();
    ResolverOptions options = test::loopbackResolverOptions();
    options.resolveDeadline = std::chrono::milliseconds(300);
    auto resolver = Resolver::create(options, {live.fed.anchor(live.ta)}, {*fetcher, *clock});
    REQUIRE(resolver);
    auto started = std::chrono::steady_clock::now();
    auto outcome = (*resolver)->resolve({.subject = live.op});
    auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(outcome.chain);
    CHECK(outcome.chain.error().code == ErrorCode::Timeout);
    // Functional bound, not a performance figure: the resolver gave up at its
    // 300 ms deadline instead of waiting for the 3 s upstream.
    CHECK(elapsed < std::chrono::milliseconds(2500));
}

TEST_CASE("oidfed resolve and oidfed chain from the command line")
{
    const char *cli = std::getenv("OIDFED_CLI");
    REQUIRE(cli);
    LiveFederation live;
    std::string dir = tempDir();
    std::string anchors = live.writeAnchorFile(dir);
    std::vector<std::string> common{"--trust-anchor-file", anchors, "--allow-http", "--allow-loopback"};
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {cli, "--format", "json"});
        for (const std::string &a : common)
            args.push_back(a);
        return test::runProcess(args);
    };

    auto resolved = run({"resolve", live.op, "--trust-anchor", live.ta});
    REQUIRE(resolved.exitCode == 0);
    Json out = test::json(resolved.out);
    CHECK(out.find("sub")->asString() == live.op);
    CHECK(out.find("trust_anchor")->asString() == live.ta);
    CHECK(out.find("trust_chain")->size() == 4);
    CHECK(out.find("exp")->asInt() == live.fed.exp());
    CHECK(out.find("trust_marks")->isArray());
    CHECK(*out.find("metadata")->find("openid_provider")->find("scopes_supported") == json(R"(["openid","email"])"));

    auto explained = run({"resolve", live.op, "--explain"});
    REQUIRE(explained.exitCode == 0);
    Json explain = *test::json(explained.out).find("explain");
    CHECK(explain.find("candidates")->size() == 1);
    bool provenance = false;
    for (const Json &change : explain.find("metadata_provenance")->asArray())
        provenance = provenance || (change.findString("parameter") && *change.findString("parameter") == "scopes_supported" &&
                                    change.find("statements")->asArray()[0].asString() == live.ta);
    CHECK(provenance);

    auto chain = run({"chain", live.rp});
    REQUIRE(chain.exitCode == 0);
    Json tree = test::json(chain.out);
    CHECK(tree.find("verdict")->asString() == "valid");
    CHECK(tree.find("statements")->size() == 4);

    // inspect fetches a URL with the same guarded fetcher.
    auto inspected = test::runProcess({cli, "--format", "json", "inspect", "--allow-http", "--allow-loopback",
                                       *entityConfigurationUrl(live.op)});
    CHECK(inspected.exitCode == 0);
    CHECK(test::json(inspected.out).find("kind")->asString() == "entity_configuration");
    CHECK(test::runProcess({cli, "inspect", "--allow-http", *entityConfigurationUrl(live.op)}).exitCode == 2);

    // Unknown entity: its Entity Configuration is a 404 -> not found (exit 1).
    auto missing = run({"resolve", live.server.base() + "/nobody"});
    CHECK(missing.exitCode == 1);
    CHECK(test::json(missing.out).find("error")->asString() == "not_found");

    // Nothing listening: unavailable (exit 3).
    auto down = run({"resolve", "http://127.0.0.1:9/x"});
    CHECK(down.exitCode == 3);

    // Usage errors exit 2.
    CHECK(run({"resolve"}).exitCode == 2);
    CHECK(test::runProcess({cli, "resolve", live.op}).exitCode == 2);  // no --trust-anchor-file

    // --batch: one JSON line per entity, in input order; a repeated entity is
    // resolved once and answered on each of its lines.
    std::string batch = dir + "/batch.txt";
    std::ofstream(batch) << live.op << "\n" << live.rp << "\n# a comment\n\n"
                         << live.server.base() << "/nobody\n" << live.op << "\nhttp://127.0.0.1:9/x\n";
    auto lines = run({"resolve", "--batch", batch});
    CHECK(lines.exitCode == 1);
    std::vector<Json> verdicts;
    std::size_t start = 0;
    for (std::size_t end; (end = lines.out.find('\n', start)) != std::string::npos; start = end + 1)
        verdicts.push_back(test::json(lines.out.substr(start, end - start)));
    REQUIRE(verdicts.size() == 5);
    CHECK(verdicts[0].find("verdict")->asString() == "valid");
    CHECK(verdicts[1].find("verdict")->asString() == "valid");
    CHECK(verdicts[2].find("verdict")->asString() == "invalid");
    CHECK(verdicts[3] == verdicts[0]);
    CHECK(verdicts[3].find("sub")->asString() == live.op);
    CHECK(verdicts[4].find("verdict")->asString() == "unavailable");
    CHECK(lines.err.find("resolved 5 entities (4 distinct)") != std::string::npos);
    CHECK(lines.err.find("3 valid, 1 invalid, 1 unavailable") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("oidfed resolve --explain and oidfed chain show an anchor key alarm (G03)")
{
    const char *cli = std::getenv("OIDFED_CLI");
    REQUIRE(cli);
    LiveFederation live;
    std::string dir = tempDir();
    std::string anchors = live.writeAnchorFile(dir);  // the pin: the anchor's key K1 only
    // The anchor's EC now also publishes K2, still signed with K1.
    test::TestEntity &ta = live.fed.entity(live.ta);
    auto k2 = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(k2);
    auto both = JwkSet::fromKeys({ta.key, *k2});
    REQUIRE(both);
    ta.jwks = *both;
    live.server.serve(*entityConfigurationUrl(live.ta), live.fed.entityConfiguration(live.ta));
    std::vector<std::string> common{"--trust-anchor-file", anchors, "--allow-http", "--allow-loopback"};
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), cli);
        for (const std::string &a : common)
            args.push_back(a);
        return test::runProcess(args);
    };

    auto explained = run({"--format", "json", "resolve", live.op, "--explain"});
    REQUIRE(explained.exitCode == 0);  // the pinned key still verifies everything
    Json explain = *test::json(explained.out).find("explain");
    REQUIRE(explain.find("alarms")->size() == 1);
    const Json &alarm = explain.find("alarms")->asArray()[0];
    CHECK(alarm.find("alarm")->asString() == "anchor_key_mismatch");
    CHECK(alarm.find("code")->asString() == "invalid_key");
    CHECK(alarm.find("entity_id")->asString() == live.ta);
    CHECK(alarm.find("error_description")->asString().find(k2->thumbprint()) != std::string::npos);

    auto text = run({"--format", "text", "chain", live.op});
    CHECK(text.exitCode == 0);
    CHECK(text.out.find("ALARM (anchor_key_mismatch)") != std::string::npos);
    std::filesystem::remove_all(dir);
}
