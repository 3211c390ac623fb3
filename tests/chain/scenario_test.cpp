// Runs every resolver scenario in tests/data/scenarios/*.json (see the README
// there): builds the federation with generated keys, serves it from a fake
// fetcher, resolves at a fixed time and compares the verdict.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <oidfed/federation_urls.h>
#include <oidfed/resolver.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;

namespace {

constexpr UnixTime kNow = 1767800000;

std::vector<std::string> strings(const Json *array)
{
    std::vector<std::string> out;
    if (array)
        for (const Json &s : array->asArray())
            out.push_back(s.asString());
    return out;
}

Json orNull(const Json &object, const char *name)
{
    const Json *value = object.find(name);
    return value ? *value : Json();
}

void runScenario(const Json &scenario)
{
    test::TestFederation fed(kNow - 3600, kNow + 86400);
    test::FakeFetcher fetcher;
    test::FakeClock clock(kNow);

    std::set<std::string> superiors;
    for (const Json &s : scenario.find("statements")->asArray())
        superiors.insert(s.find("superior")->asString());
    for (const Json &e : scenario.find("entities")->asArray()) {
        const std::string id = e.find("id")->asString();
        Json metadata = e.contains("metadata") ? *e.find("metadata") : Json::object();
        if (superiors.count(id)) {
            Json federation = metadata.contains("federation_entity") ? *metadata.find("federation_entity") : Json::object();
            federation.set("federation_fetch_endpoint", id + "/fetch");
            metadata.set("federation_entity", federation);
        }
        fed.add(id, metadata, strings(e.find("hints")));
    }
    for (const Json &e : scenario.find("entities")->asArray()) {
        const std::string id = e.find("id")->asString();
        fetcher.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
    }
    for (const Json &s : scenario.find("statements")->asArray()) {
        if (const Json *missing = s.find("missing"); missing && missing->asBool())
            continue;
        const std::string superior = s.find("superior")->asString();
        const std::string subject = s.find("subject")->asString();
        test::SubordinateClaims claims;
        claims.metadata = orNull(s, "metadata");
        claims.metadataPolicy = orNull(s, "metadata_policy");
        claims.constraints = orNull(s, "constraints");
        UnixTime exp = kNow + (s.contains("exp_offset") ? s.find("exp_offset")->asInt() : 86400);
        const test::TestFederation *signer = &fed;
        test::TestFederation impostor = fed;
        if (const Json *flag = s.find("signed_by_impostor"); flag && flag->asBool()) {
            impostor.add(superior, fed.entity(superior).metadata, {});
            signer = &impostor;
        }
        fetcher.serve(*fetchEndpointUrl(superior + "/fetch", subject),
                      signer->subordinateStatement(superior, subject, claims, fed.iat(), exp));
    }

    std::vector<TrustAnchor> anchors;
    for (const std::string &id : strings(scenario.find("trust_anchors")))
        anchors.push_back(fed.anchor(id));
    ResolverOptions options;
    auto resolver = Resolver::create(options, anchors, {fetcher, clock});
    REQUIRE(resolver);
    const Json &req = *scenario.find("request");
    ResolveRequest request;
    request.subject = req.find("subject")->asString();
    request.trustAnchors = strings(req.find("trust_anchors"));
    request.entityTypes = strings(req.find("entity_types"));
    ResolveOutcome outcome = (*resolver)->resolve(request);

    const Json &expect = *scenario.find("expect");
    if (expect.find("verdict")->asString() == "valid") {
        REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
        const TrustChain &chain = **outcome.chain;
        CHECK(chain.trustAnchor().str() == expect.find("trust_anchor")->asString());
        CHECK(chain.path() == strings(expect.find("path")));
        CHECK_MESSAGE(chain.metadata() == *expect.find("metadata"), chain.metadata().dump());
    } else {
        REQUIRE_FALSE(outcome.chain);
        CHECK(errorCodeName(outcome.chain.error().code) == expect.find("code")->asString());
        if (const std::string *entity = expect.findString("entity"))
            CHECK(outcome.chain.error().entityId == *entity);
    }
}

} // namespace

TEST_CASE("resolver scenarios kept as data")
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source);
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(std::filesystem::path(source) / "tests/data/scenarios"))
        if (entry.path().extension() == ".json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 9);
    for (const auto &file : files) {
        CAPTURE(file.filename().string());
        Json scenario = test::json(test::readFile(file.string()));
        CAPTURE(scenario.find("description")->asString());
        runScenario(scenario);
    }
}
