// Pure parts of the HTTP service: request parameters, spec 8.9 error bodies,
// conditional GET, the configuration file, metrics.

#include <doctest/doctest.h>

#include <oidfed/json.h>

#include "server/descriptor_budget.h"
#include "server/http_responses.h"
#include "server/metrics.h"
#include "server/query_params.h"
#include "server/server_config.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;
using oidfed::test::json;

TEST_CASE("query parameters keep repetitions and decode strictly")
{
    auto params = QueryParams::parse("sub=https%3A%2F%2Fop.example.org&trust_anchor=https://a&trust_anchor=https://b"
                                     "&entity_type=openid_provider&x=a+b&flag");
    REQUIRE(params);
    CHECK(params->all("trust_anchor") == std::vector<std::string>{"https://a", "https://b"});
    CHECK(*params->single("sub").value() == "https://op.example.org");
    CHECK(*params->single("x").value() == "a b");
    CHECK(params->has("flag"));
    CHECK(params->single("flag").value()->empty());
    CHECK_FALSE(params->single("absent").value().has_value());

    SUBCASE("a repeated single-valued parameter is refused (K03)")
    {
        auto twice = QueryParams::parse("sub=https://a&sub=https://b");
        REQUIRE(twice);
        CHECK(twice->single("sub").error().code == ErrorCode::InvalidArgument);
    }
    SUBCASE("bad escapes, NUL, control characters, invalid UTF-8")
    {
        for (const char *bad : {"sub=%", "sub=%4", "sub=%zz", "sub=%00", "sub=a%0Ab", "sub=%C3%28", "sub=%ED%A0%80",
                                "sub=%C0%AF"})
            CHECK_MESSAGE(!QueryParams::parse(bad), bad);
    }
    SUBCASE("limits: total size, parameter count, value size")
    {
        CHECK(!QueryParams::parse(std::string(20000, 'a')));
        std::string many;
        for (int i = 0; i < 65; ++i)
            many += "p" + std::to_string(i) + "=1&";
        CHECK(!QueryParams::parse(many));
        CHECK(!QueryParams::parse("sub=" + std::string(5000, 'a')));
        CHECK(QueryParams::parse("sub=" + std::string(4000, 'a')));
    }
    SUBCASE("empty pairs are skipped")
    {
        auto sparse = QueryParams::parse("&&a=1&&");
        REQUIRE(sparse);
        CHECK(sparse->items().size() == 1);
    }
}

TEST_CASE("spec 8.9 errors: status, media type, bounded description")
{
    struct Case {
        const char *code;
        int status;
    };
    for (Case c : {Case{"invalid_request", 400}, Case{"invalid_client", 401}, Case{"invalid_issuer", 404},
                   Case{"invalid_subject", 404}, Case{"invalid_trust_anchor", 404}, Case{"invalid_trust_chain", 400},
                   Case{"invalid_metadata", 400}, Case{"not_found", 404}, Case{"server_error", 500},
                   Case{"temporarily_unavailable", 503}, Case{"unsupported_parameter", 400},
                   Case{"invalid_request_object", 400}}) {
        HttpResponse response = errorResponse(c.code, "why");
        CHECK(response.status == c.status);
        CHECK(response.contentType == "application/json");
        Json body = json(response.body);
        CHECK(body.find("error")->asString() == c.code);
        CHECK(body.find("error_description")->asString() == "why");
    }
    // L01: a huge or hostile description is cut and cleaned.
    HttpResponse response = errorResponse("invalid_request", std::string(100000, 'x') + "\n\x1b[31m");
    Json body = json(response.body);
    CHECK(body.find("error_description")->asString().size() < 600);
    HttpResponse control = errorResponse("invalid_request", "a\nb\x1b");
    CHECK(json(control.body).find("error_description")->asString() == "a b ");
    CHECK(control.header("Cache-Control") == "no-store");
    // A library error keeps its spec code and names its rule.
    HttpResponse mapped = errorResponse(Error(ErrorCode::BadSignature, "signature mismatch").withRule("3.2"));
    CHECK(mapped.status == 400);
    CHECK(json(mapped.body).find("error")->asString() == "invalid_trust_chain");
    CHECK(json(mapped.body).find("error_description")->asString() == "signature mismatch (rule 3.2)");
}

TEST_CASE("conditional GET")
{
    CHECK(etagMatches("\"abc\"", "\"abc\""));
    CHECK(etagMatches("W/\"abc\"", "\"abc\""));
    CHECK(etagMatches("\"x\", \"abc\"", "\"abc\""));
    CHECK(etagMatches("*", "\"abc\""));
    CHECK_FALSE(etagMatches("", "\"abc\""));
    CHECK_FALSE(etagMatches("\"abd\"", "\"abc\""));

    HttpResponse fresh = cacheableResponse("application/json", "[]", "\"e1\"", 30, "");
    CHECK(fresh.status == 200);
    CHECK(fresh.body == "[]");
    CHECK(fresh.header("ETag") == "\"e1\"");
    CHECK(fresh.header("Cache-Control") == "max-age=30");
    HttpResponse notModified = cacheableResponse("application/json", "[]", "\"e1\"", 30, "\"e1\"");
    CHECK(notModified.status == 304);
    CHECK(notModified.body.empty());
    CHECK(notModified.header("ETag") == "\"e1\"");
    CHECK(cacheableResponse("application/json", "[]", "\"e1\"", -5, "").header("Cache-Control") == "max-age=0");
}

namespace {

Json minimalConfig()
{
    return json(R"({"listen": "127.0.0.1:9000", "entities": [
        {"entity_id": "https://ta.example.org", "keys_dir": "keys/ta", "subordinates_dir": "subs"}]})");
}

// The refusal of `config`: InvalidArgument, the member named in claim.
Error configError(const Json &config)
{
    auto parsed = parseServerConfig(config, "/base");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    return parsed.error();
}

} // namespace

TEST_CASE("the configuration file")
{
    auto parsed = parseServerConfig(minimalConfig(), "/base");
    REQUIRE(parsed);
    CHECK(parsed->options.listenHost == "127.0.0.1");
    CHECK(parsed->options.listenPort == 9000);
    REQUIRE(parsed->entities.size() == 1);
    CHECK(parsed->entities[0].entity.keysDir == "/base/keys/ta");
    CHECK(parsed->entities[0].entity.subordinatesDir == std::filesystem::path("/base/subs"));
    CHECK_FALSE(parsed->entities[0].entity.resolver);
    CHECK_FALSE(parsed->options.allowHttp);

    SUBCASE("every member is mapped")
    {
        Json config = json(R"({"listen": "0.0.0.0:8443", "threads": 3, "max_request_bytes": 4096,
            "header_timeout_ms": 2000, "max_connections": 77, "refresh_interval_seconds": 30, "allow_http": true,
            "fetch": {"connect_timeout_ms": 100, "total_timeout_ms": 900, "max_response_bytes": 2048,
                      "max_concurrent_transfers": 3, "max_transfers_per_host": 5, "max_waiting_per_host": 0,
                      "resolve": ["fed.example:443:192.0.2.1,[2001:db8::1]"],
                      "allow_loopback": true, "allowed_networks": ["10.0.0.0/8"],
                      "ca_file": "ca.pem", "user_agent": "x"},
            "resolver_limits": {"max_chain_depth": 4, "max_authority_hints": 2, "max_fetches": 10,
                      "max_candidate_paths": 5, "deadline_ms": 1500, "clock_skew_seconds": 5,
                      "max_cache_ttl_seconds": 600, "negative_ttl_seconds": 7, "refresh_ahead_seconds": 60,
                      "cache_max_entries": 11, "statement_cache_max_entries": 12, "on_demand": false,
                      "max_concurrent_on_demand": 2, "max_on_demand_per_client": 1,
                      "on_demand_per_client_rate": 0, "on_demand_per_client_burst": 5,
                      "max_tracked_clients": 9, "response_cache_max_entries": 13,
                      "response_cache_ttl_seconds": 14},
            "redis": {"url": "redis://127.0.0.1:6380/2", "key_prefix": "demo:", "connect_timeout_ms": 50,
                      "command_timeout_ms": 60, "pool_size": 2, "breaker_slow_threshold_ms": 30,
                      "breaker_slow_commands": 4},
            "entities": [{"entity_id": "http://127.0.0.1:8443/op", "keys_dir": "k", "key_algorithm": "EdDSA",
                      "retired_key_lifetime_seconds": 7200, "configuration_lifetime_seconds": 600,
                      "subordinate_lifetime_seconds": 700, "metadata": {"openid_provider": {"issuer": "x"}},
                      "authority_hints": ["http://127.0.0.1:8443/ta"],
                      "resolver": {"trust_anchors": [{"entity_id": "http://127.0.0.1:8443/ta"}]}}]})");
        auto full = parseServerConfig(config, "/etc/oidfed");
        REQUIRE_MESSAGE(full, full.error().describe());
        const ServerOptions &o = full->options;
        CHECK(o.threads == 3);
        CHECK(o.maxRequestBytes == 4096);
        CHECK(o.headerTimeout.count() == 2000);
        CHECK(o.maxConnections == 77);
        CHECK(o.refreshInterval.count() == 30);
        CHECK(o.allowHttp);
        CHECK(o.fetch.allowHttp);
        CHECK(o.fetch.allowLoopback);
        CHECK(o.fetch.caFile == "/etc/oidfed/ca.pem");
        CHECK(o.fetch.totalTimeout.count() == 900);
        CHECK(o.fetch.maxConcurrentTransfers == 3);
        CHECK(o.fetch.maxTransfersPerHost == 5);
        CHECK(o.fetch.maxWaitingPerHost == 0);
        CHECK(o.fetch.resolve == std::vector<std::string>{"fed.example:443:192.0.2.1,[2001:db8::1]"});
        CHECK(o.resolver.maxChainDepth == 4);
        CHECK(o.resolver.resolveDeadline.count() == 1500);
        CHECK(o.resolver.statements.entityIds.allowHttp);
        CHECK_FALSE(o.resolveEndpoint.onDemand);
        CHECK(o.resolveEndpoint.maxConcurrentOnDemand == 2);
        CHECK(o.resolveEndpoint.maxOnDemandPerClient == 1);
        CHECK(o.resolveEndpoint.onDemandPerClientRate == 0);
        CHECK(o.resolveEndpoint.onDemandPerClientBurst == 5);
        CHECK(o.resolveEndpoint.maxTrackedClients == 9);
        CHECK(o.resolveEndpoint.responseCacheTtl.count() == 14);
        // Defaults of what is not given.
        CHECK(parsed->options.maxConnections == 512);
        CHECK(parsed->options.resolveEndpoint.maxOnDemandPerClient == 2);
        CHECK(parsed->options.resolveEndpoint.onDemandPerClientRate == 10);
        REQUIRE(o.redis);
        CHECK(o.redis->keyPrefix == "demo:");
        CHECK(o.redis->poolSize == 2);
        CHECK(o.redis->breakerSlowThreshold.count() == 30);
        CHECK(o.redis->breakerSlowCommands == 4);
        const auto &entity = full->entities[0];
        CHECK(entity.entity.keys.algorithm == JwsAlgorithm::EdDSA);
        CHECK(entity.entity.configurationLifetime.count() == 600);
        CHECK(entity.entity.authorityHints.size() == 1);
        CHECK(entity.entity.resolver);
        REQUIRE(entity.resolverTrustAnchors.size() == 1);
        CHECK_FALSE(entity.resolverTrustAnchors[0].jwks);
    }
    SUBCASE("errors name the member (Error::claim: its JSON path)")
    {
        Json unknown = minimalConfig();
        unknown.set("listn", "x");
        CHECK(configError(unknown).claim == "listn");

        Json badPort = minimalConfig();
        badPort.set("listen", "127.0.0.1:99999");
        CHECK(configError(badPort).claim == "listen");

        Json noListen = minimalConfig();
        noListen.erase("listen");
        CHECK(configError(noListen).claim == "listen");

        Json unknownEntityMember = minimalConfig();
        unknownEntityMember.find("entities")->asArray()[0].set("subordinate_dir", "x");
        CHECK(configError(unknownEntityMember).claim == "entities[0].subordinate_dir");

        Json httpId = minimalConfig();
        httpId.find("entities")->asArray()[0].set("entity_id", "http://ta.example.org");
        CHECK(configError(httpId).claim == "entities[0].entity_id");

        Json twice = minimalConfig();
        twice.find("entities")->asArray().push_back(twice.find("entities")->asArray()[0]);
        CHECK(configError(twice).claim == "entities[1].entity_id");

        Json endpoint = minimalConfig();
        endpoint.find("entities")->asArray()[0].set(
            "metadata", json(R"({"federation_entity": {"federation_fetch_endpoint": "https://x"}})"));
        CHECK(configError(endpoint).claim == "entities[0].metadata");

        Json range = minimalConfig();
        range.set("resolver_limits", json(R"({"max_chain_depth": 0})"));
        CHECK(configError(range).claim == "resolver_limits.max_chain_depth");

        Json connections = minimalConfig();
        connections.set("max_connections", 0);
        CHECK(configError(connections).claim == "max_connections");

        // A configuration whose `section` is `member` is refused, naming
        // `path`. The fetch and Redis ranges are those the Fetcher and the
        // cache check: a value they would refuse at start is refused when
        // the file is read.
        auto refusesMember = [](const char *section, const char *member, const std::string &path) {
            Json config = minimalConfig();
            config.set(section, json(member));
            CHECK_MESSAGE(configError(config).claim == path, member);
        };
        refusesMember("redis", R"({"url": "redis://127.0.0.1", "pool_size": 65})", "redis.pool_size");
        refusesMember("redis", R"({"url": "redis://127.0.0.1", "breaker_slow_commands": 0})",
                      "redis.breaker_slow_commands");
        refusesMember("redis", R"({"url": "redis://127.0.0.1", "breaker_slow_threshold_ms": -1})",
                      "redis.breaker_slow_threshold_ms");
        refusesMember("fetch", R"({"max_concurrent_transfers": 65})", "fetch.max_concurrent_transfers");
        refusesMember("fetch", R"({"max_transfers_per_host": 0})", "fetch.max_transfers_per_host");
        refusesMember("fetch", R"({"max_transfers_per_host": 1025})", "fetch.max_transfers_per_host");
        refusesMember("fetch", R"({"max_waiting_per_host": -1})", "fetch.max_waiting_per_host");
        refusesMember("fetch", R"({"resolve": "fed.example:443:192.0.2.1"})", "fetch.resolve");
        refusesMember("fetch", R"({"resolve": ["fed.example:443:not-an-address"]})", "fetch.resolve");
        for (const char *name : {"max_on_demand_per_client", "on_demand_per_client_burst", "max_tracked_clients"})
            refusesMember("resolver_limits", (std::string(R"({")") + name + R"(": 0})").c_str(),
                          std::string("resolver_limits.") + name);
        refusesMember("resolver_limits", R"({"on_demand_per_client_rate": -1})",
                      "resolver_limits.on_demand_per_client_rate");

        Json noAnchors = minimalConfig();
        noAnchors.find("entities")->asArray()[0].set("resolver", json(R"({"trust_anchors": []})"));
        CHECK(configError(noAnchors).claim.find("entities[0].resolver.trust_anchors") == 0);

        Json badAlg = minimalConfig();
        badAlg.find("entities")->asArray()[0].set("key_algorithm", "HS256");
        CHECK(configError(badAlg).claim == "entities[0].key_algorithm");

        CHECK(configError(json(R"({"listen": "127.0.0.1:1", "entities": []})")).claim == "entities");
    }
}

TEST_CASE("the configuration file: trust mark members")
{
    Json config = minimalConfig();
    config.set("trust_mark_verification",
               json(R"({"status_types": ["https://marks.example/t"], "status_cache_ttl_seconds": 15,
                        "status_cache_max_entries": 20,
                        "typ_values": {"https://marks.example/t": ["t-mark+jwt", "trust-mark+jwt"]}})"));
    Json &entity = config.find("entities")->asArray()[0];
    entity.set("trust_mark_issuer", json(R"({"directory": "marks", "mark_lifetime_seconds": 3600,
                                              "delegation_lifetime_seconds": 7200})"));
    entity.set("trust_mark_sources",
               json(R"([{"trust_mark_type": "https://marks.example/t", "issuer": "https://tmi.example.org"},
                        {"trust_mark_type": "https://marks.example/u", "issuer": "https://tmi.example.org",
                         "endpoint": "https://tmi.example.org/tm?x=1"}])"));
    auto parsed = parseServerConfig(config, "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    const TrustMarkVerificationOptions &marks = parsed->options.resolver.trustMarks;
    CHECK(marks.statusCheckedTypes == std::vector<std::string>{"https://marks.example/t"});
    CHECK(marks.statusCacheTtl.count() == 15);
    CHECK(marks.statusCacheMaxEntries == 20);
    CHECK(marks.typValues.at("https://marks.example/t") == std::vector<std::string>{"t-mark+jwt", "trust-mark+jwt"});
    const entity::HostedEntitySettings &settings = parsed->entities[0].entity;
    REQUIRE(settings.trustMarkIssuer);
    CHECK(settings.trustMarkIssuer->directory == "/base/marks");
    CHECK(settings.trustMarkIssuer->markLifetime.count() == 3600);
    CHECK(settings.trustMarkIssuer->delegationLifetime.count() == 7200);
    REQUIRE(settings.trustMarkSources.size() == 2);
    CHECK(settings.trustMarkSources[0].endpoint.empty());
    CHECK(settings.trustMarkSources[1].endpoint == "https://tmi.example.org/tm?x=1");

    auto withEntity = [&](const char *member, const char *value) {
        Json bad = minimalConfig();
        bad.find("entities")->asArray()[0].set(member, json(value));
        return configError(bad);
    };
    CHECK(withEntity("trust_mark_issuer", R"({})").claim == "entities[0].trust_mark_issuer.directory");
    CHECK(withEntity("trust_mark_issuer", R"({"directory": "m", "lifetime": 1})").claim ==
          "entities[0].trust_mark_issuer.lifetime");
    CHECK(withEntity("trust_mark_issuer", R"({"directory": "m", "mark_lifetime_seconds": 1})").claim ==
          "entities[0].trust_mark_issuer.mark_lifetime_seconds");
    CHECK(withEntity("trust_mark_sources", R"([{"trust_mark_type": "t"}])").claim ==
          "entities[0].trust_mark_sources[0].issuer");
    CHECK(withEntity("trust_mark_sources", R"([{"trust_mark_type": "t", "issuer": "https://a.example",
                                                "endpoint": "http://a.example/tm"}])")
              .claim == "entities[0].trust_mark_sources[0].endpoint");
    CHECK(withEntity("trust_mark_sources", R"([{"trust_mark_type": "t", "issuer": "https://a.example"},
                                               {"trust_mark_type": "t", "issuer": "https://a.example"}])")
              .claim == "entities[0].trust_mark_sources[1]");
    CHECK(withEntity("trust_mark_sources", R"([{"trust_mark_type": "t", "issuer": "https://ta.example.org"}])")
              .claim == "entities[0].trust_mark_sources");
    CHECK(withEntity("metadata", R"({"federation_entity": {"federation_trust_mark_status_endpoint": "https://x"}})")
              .claim == "entities[0].metadata");
    Json badVerification = minimalConfig();
    badVerification.set("trust_mark_verification", json(R"({"status_types": [""]})"));
    CHECK(configError(badVerification).claim == "trust_mark_verification.status_types");
    badVerification.set("trust_mark_verification", json(R"({"status_cache_ttl_seconds": 0})"));
    CHECK(configError(badVerification).claim == "trust_mark_verification.status_cache_ttl_seconds");
    badVerification.set("trust_mark_verification", json(R"({"typ_values": {"https://marks.example/t": []}})"));
    CHECK(configError(badVerification).claim == "trust_mark_verification.typ_values");
    badVerification.set("trust_mark_verification", json(R"({"typ_values": {"https://marks.example/t": [7]}})"));
    CHECK(configError(badVerification).claim == "trust_mark_verification.typ_values.https://marks.example/t");
}

TEST_CASE("metrics in the Prometheus text format")
{
    Metrics metrics;
    metrics.countRequest("fetch", 200, std::chrono::microseconds(300));
    metrics.countRequest("fetch", 404, std::chrono::milliseconds(3));
    metrics.countResolve("network");
    metrics.countResolveFailure("no_valid_chain");
    metrics.countResolveAlarm("anchor_key_mismatch");
    metrics.countReload(false);
    metrics.countClientLimited("rate");
    metrics.countClientLimited("rate");
    metrics.countClientLimited("in_progress");
    std::string text = metrics.render({{"oidfed_ready", 1}});
    CHECK(text.find("oidfed_resolve_client_limited_total{reason=\"rate\"} 2\n") != std::string::npos);
    CHECK(text.find("oidfed_resolve_client_limited_total{reason=\"in_progress\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE oidfed_http_connections_open gauge\noidfed_http_connections_open 0\n") !=
          std::string::npos);
    CHECK(text.find("oidfed_http_requests_total{endpoint=\"fetch\",status=\"200\"} 1\n") != std::string::npos);
    CHECK(text.find("oidfed_http_requests_total{endpoint=\"fetch\",status=\"404\"} 1\n") != std::string::npos);
    CHECK(text.find("oidfed_http_request_duration_seconds_bucket{endpoint=\"fetch\",le=\"0.0005\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("oidfed_http_request_duration_seconds_bucket{endpoint=\"fetch\",le=\"+Inf\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("oidfed_http_request_duration_seconds_count{endpoint=\"fetch\"} 2\n") != std::string::npos);
    CHECK(text.find("oidfed_resolve_total{source=\"network\"} 1\n") != std::string::npos);
    CHECK(text.find("oidfed_resolve_failures_total{reason=\"no_valid_chain\"} 1\n") != std::string::npos);
    CHECK(text.find("oidfed_resolve_alarms_total{kind=\"anchor_key_mismatch\"} 1\n") != std::string::npos);
    CHECK(text.find("oidfed_reloads_total{result=\"failed\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE oidfed_ready gauge\noidfed_ready 1\n") != std::string::npos);
}

TEST_CASE("descriptor budget: a warning when the open-file limit leaves no room for max_connections (P2)")
{
    // Enough: max_connections plus the reserve fit.
    CHECK_FALSE(descriptorBudgetWarning(512, 512 + kReservedDescriptors));
    CHECK_FALSE(descriptorBudgetWarning(512, 1048576));
    // Too low by one: the warning names both figures and the limit to set.
    auto warning = descriptorBudgetWarning(512, 512 + kReservedDescriptors - 1);
    REQUIRE(warning);
    CHECK(warning->find("open-file limit (767)") != std::string::npos);
    CHECK(warning->find("max_connections (512)") != std::string::npos);
    CHECK(warning->find("at least 768") != std::string::npos);
    CHECK(descriptorBudgetWarning(16, 64));
}
