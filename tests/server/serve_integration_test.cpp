// `oidfed serve` as a process on a free loopback port, serving the demo
// federation (trust-anchors/demo): every endpoint's success and error
// behaviour, signatures checked with the JOSE layer against keys read from
// the key directories, and `oidfed resolve` / `oidfed check-config` run as a
// user would.

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <oidfed/federation_urls.h>
#include <oidfed/entity_statement.h>
#include <oidfed/jws.h>
#include <oidfed/resolve_response.h>

#include "served_federation.h"
#include "subprocess.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::json;
using test::ServedFederation;

namespace {

EntityStatement statementOf(const HttpReply &reply)
{
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/entity-statement+jwt");
    StatementOptions options;
    options.entityIds.allowHttp = true;
    auto statement = EntityStatement::parse(reply.body, options);
    REQUIRE_MESSAGE(statement, statement.error().describe());
    return std::move(statement).value();
}

std::vector<std::string> stringArray(const Json &array)
{
    std::vector<std::string> out;
    for (const Json &item : array.asArray())
        out.push_back(item.asString());
    return out;
}

} // namespace

TEST_CASE("Entity Configurations: signed, self-consistent, cacheable")
{
    ServedFederation fed;
    for (const char *name : {"ta", "ia", "op", "rp", "ci"}) {
        CAPTURE(name);
        HttpReply reply = fed.get(std::string("/") + name + "/.well-known/openid-federation");
        EntityStatement ec = statementOf(reply);
        CHECK(ec.isEntityConfiguration());
        CHECK(ec.issuer().str() == fed.id(name));
        // Signed by a key the entity's own key directory holds (K09).
        CHECK(ec.verifySignature(fed.keysOf(name)));
        CHECK(ec.jwks().toJson() == fed.keysOf(name).toJson());
        const Json *federation = ec.claims().find("metadata")->find("federation_entity");
        REQUIRE(federation);
        CHECK(*federation->findString("federation_historical_keys_endpoint") == fed.id(name) + "/historical-keys");
        bool authority = std::string(name) == "ta" || std::string(name) == "ia";
        CHECK(federation->contains("federation_fetch_endpoint") == authority);
        CHECK(federation->contains("federation_list_endpoint") == authority);
        CHECK(federation->contains("federation_resolve_endpoint") == (std::string(name) == "ta"));
        CHECK(ec.authorityHints().empty() == (std::string(name) == "ta"));
        // Cache-Control from exp, an ETag, and 304 on If-None-Match.
        std::string cacheControl = reply.header("cache-control");
        REQUIRE(cacheControl.rfind("max-age=", 0) == 0);
        long maxAge = std::stol(cacheControl.substr(8));
        CHECK(maxAge > 0);
        CHECK(maxAge <= std::min<long>(3600, ec.expiresAt() - std::time(nullptr) + 1));
        std::string etag = reply.header("etag");
        REQUIRE_FALSE(etag.empty());
        HttpReply again = fed.get(std::string("/") + name + "/.well-known/openid-federation",
                                  {"If-None-Match: " + etag});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
    }
    // Pre-signed: the same bytes twice.
    CHECK(fed.get("/op/.well-known/openid-federation").body == fed.get("/op/.well-known/openid-federation").body);
    test::checkSpecError(fed.get("/nobody/.well-known/openid-federation"), 404, "not_found");
}

TEST_CASE("fetch endpoint (8.1, threats K01-K04)")
{
    ServedFederation fed;
    HttpReply reply = fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia")));
    EntityStatement statement = statementOf(reply);
    CHECK(statement.issuer().str() == fed.id("ta"));
    CHECK(statement.subject().str() == fed.id("ia"));
    CHECK(statement.verifySignature(fed.keysOf("ta")));
    // The subordinate file omits jwks: the hosted intermediate's keys are used.
    CHECK(statement.jwks().toJson() == fed.keysOf("ia").toJson());
    CHECK(statement.claims().find("metadata_policy")->contains("openid_provider"));
    CHECK(statement.claims().find("constraints")->find("max_path_length")->asInt() == 1);
    CHECK(*statement.claims().findString("source_endpoint") == fed.id("ta") + "/fetch");
    CHECK_FALSE(reply.header("etag").empty());

    // Unknown extra parameters are ignored (8), including the old iss.
    CHECK(fed.get("/ta/fetch?iss=" + percentEncode(fed.id("ta")) + "&sub=" + percentEncode(fed.id("ia")) + "&x=1").status == 200);
    // The intermediate's statement about the credential issuer has its own lifetime (3600 s).
    EntityStatement ci = statementOf(fed.get("/ia/fetch?sub=" + percentEncode(fed.id("ci"))));
    CHECK(ci.expiresAt() - ci.issuedAt() == 3600);

    test::checkSpecError(fed.get("/ta/fetch?sub=" + percentEncode("http://127.0.0.1:1/unknown")), 404, "not_found");  // K01
    test::checkSpecError(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ta"))), 400, "invalid_request");          // K02
    test::checkSpecError(fed.get("/ta/fetch"), 400, "invalid_request");                                       // K03
    test::checkSpecError(fed.get("/ta/fetch?sub="), 400, "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia")) + "&sub=" + percentEncode(fed.id("ia"))), 400,
               "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=not-a-url"), 400, "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=%00"), 400, "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=" + std::string(20000, 'a')), 400, "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia") + "/../../etc/passwd")), 404, "not_found");  // K04
    // An OP is no authority: no fetch endpoint at all.
    test::checkSpecError(fed.get("/op/fetch?sub=" + percentEncode(fed.id("rp"))), 404, "not_found");
    // Methods: GET only (no client authentication offered).
    HttpReply post = test::httpRequest(fed.base() + "/ta/fetch", {}, "POST", "sub=" + percentEncode(fed.id("ia")));
    CHECK(post.status == 405);
    CHECK(post.header("allow") == "GET");
}

TEST_CASE("list endpoint and its filters (8.2, K08)")
{
    ServedFederation fed;
    auto list = [&](const std::string &query) {
        HttpReply reply = fed.get("/ia/list" + query);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        CHECK(reply.header("content-type") == "application/json");
        return stringArray(json(reply.body));
    };
    CHECK(list("") == std::vector<std::string>{fed.id("ci"), fed.id("op"), fed.id("rp")});
    CHECK(list("?entity_type=openid_provider") == std::vector<std::string>{fed.id("op")});
    CHECK(list("?entity_type=openid_provider&entity_type=federation_entity") ==
          std::vector<std::string>{fed.id("op")});
    CHECK(list("?entity_type=openid_provider&entity_type=openid_relying_party").empty());
    CHECK(list("?entity_type=federation_entity").size() == 3);
    CHECK(list("?intermediate=true").empty());
    CHECK(list("?intermediate=false").size() == 3);
    CHECK(fed.get("/ta/list?intermediate=true").body == "[\"" + fed.id("ia") + "\"]");
    test::checkSpecError(fed.get("/ia/list?intermediate=maybe"), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/list?trust_marked=true"), 400, "unsupported_parameter");
    test::checkSpecError(fed.get("/ia/list?trust_mark_type=https://marks.example.org/x"), 400, "unsupported_parameter");
    test::checkSpecError(fed.get("/rp/list"), 404, "not_found");
    // The unfiltered list is served with an ETag and honours If-None-Match.
    HttpReply full = fed.get("/ia/list");
    CHECK(fed.get("/ia/list", {"If-None-Match: " + full.header("etag")}).status == 304);
}

TEST_CASE("resolve endpoint (8.3, K05-K07): policies and constraints change the metadata")
{
    ServedFederation fed;
    JwkSet taKeys = fed.keysOf("ta");
    auto resolve = [&](const std::string &query) { return fed.get("/ta/resolve?" + query); };
    const std::string anchor = "&trust_anchor=" + percentEncode(fed.id("ta"));
    StatementOptions options;
    options.entityIds.allowHttp = true;
    auto ta = EntityId::parse(fed.id("ta"), {.allowHttp = true}).value();

    HttpReply reply = resolve("sub=" + percentEncode(fed.id("op")) + anchor);
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/resolve-response+jwt");
    auto response = verifyResolveResponse(reply.body, taKeys, ta, fed.id("op"), std::time(nullptr),
                                          std::chrono::seconds(60), options);
    REQUIRE_MESSAGE(response, response.error().describe());
    CHECK(response->trustChain.size() == 4);
    // The chain ends at the requested anchor, whose EC it carries last.
    auto last = EntityStatement::parse(response->trustChain.back(), options);
    REQUIRE(last);
    CHECK(last->issuer().str() == fed.id("ta"));
    const Json &op = *response->metadata.find("openid_provider");
    // subset_of by the anchor's statement about the intermediate.
    CHECK(stringArray(*op.find("id_token_signing_alg_values_supported")) ==
          std::vector<std::string>{"ES256", "PS256"});
    CHECK(stringArray(*op.find("token_endpoint_auth_methods_supported")) ==
          std::vector<std::string>{"private_key_jwt"});
    // metadata from the intermediate's statement about the OP.
    CHECK(*op.findString("organization_name") == "Demo University (verified by the intermediate)");
    // exp = min over the chain (the intermediate's statements live a day).
    UnixTime minimum = INT64_MAX;
    for (const std::string &jwt : response->trustChain)
        minimum = std::min(minimum, EntityStatement::parse(jwt, options)->expiresAt());
    CHECK(response->expiresAt == minimum);

    SUBCASE("the relying party: one_of default, add, subset_of")
    {
        HttpReply rp = resolve("sub=" + percentEncode(fed.id("rp")) + anchor);
        auto verified = verifyResolveResponse(rp.body, taKeys, ta, fed.id("rp"), std::time(nullptr),
                                              std::chrono::seconds(60), options);
        REQUIRE_MESSAGE(verified, rp.body);
        const Json &metadata = *verified->metadata.find("openid_relying_party");
        CHECK(stringArray(*metadata.find("grant_types")) == std::vector<std::string>{"authorization_code"});
        CHECK(*metadata.findString("id_token_signed_response_alg") == "ES256");
        CHECK(stringArray(*metadata.find("contacts")) ==
              std::vector<std::string>{"portal@library.example.org", "federation-ops@ta.example.org"});
    }
    SUBCASE("the credential issuer, restricted to the requested entity type")
    {
        HttpReply ci = resolve("sub=" + percentEncode(fed.id("ci")) + anchor + "&entity_type=openid_credential_issuer");
        auto verified = verifyResolveResponse(ci.body, taKeys, ta, fed.id("ci"), std::time(nullptr),
                                              std::chrono::seconds(60), options);
        REQUIRE_MESSAGE(verified, ci.body);
        CHECK(verified->metadata.size() == 1);
        CHECK(stringArray(*verified->metadata.find("openid_credential_issuer")->find("authorization_servers")) ==
              std::vector<std::string>{fed.id("op")});
        // The intermediate's statement about it lives 3600 s: the response's exp follows.
        CHECK(verified->expiresAt - verified->issuedAt <= 3600);
    }
    SUBCASE("entity_type repeated (8.3.1): the metadata has exactly the requested types")
    {
        auto typesOf = [&](const std::string &types) {
            HttpReply reply = resolve("sub=" + percentEncode(fed.id("ci")) + anchor + types);
            auto verified = verifyResolveResponse(reply.body, taKeys, ta, fed.id("ci"), std::time(nullptr),
                                                  std::chrono::seconds(60), options);
            REQUIRE_MESSAGE(verified, reply.body);
            std::vector<std::string> out;
            for (const auto &[type, metadata] : verified->metadata.asObject())
                out.push_back(type);
            std::sort(out.begin(), out.end());
            return out;
        };
        const std::vector<std::string> both{"federation_entity", "openid_credential_issuer"};
        const std::vector<std::string> federationOnly{"federation_entity"};
        CHECK(typesOf("") == both);
        CHECK(typesOf("&entity_type=openid_credential_issuer&entity_type=federation_entity") == both);
        CHECK(typesOf("&entity_type=federation_entity&entity_type=openid_credential_issuer") == both);
        CHECK(typesOf("&entity_type=federation_entity") == federationOnly);
        CHECK(typesOf("&entity_type=federation_entity&entity_type=federation_entity") == federationOnly);
        // A type the subject does not have is absent, not an error.
        CHECK(typesOf("&entity_type=federation_entity&entity_type=openid_provider") == federationOnly);
    }
    SUBCASE("a second request is served from the signed-response cache")
    {
        HttpReply again = resolve("sub=" + percentEncode(fed.id("op")) + anchor);
        CHECK(again.body == reply.body);
        CHECK(fed.get("/ta/resolve?sub=" + percentEncode(fed.id("op")) + anchor, {"If-None-Match: " + reply.header("etag")})
                  .status == 304);
        CHECK(fed.get("/metrics").body.find("oidfed_resolve_total{source=\"signed-cache\"}") != std::string::npos);
    }
    SUBCASE("errors")
    {
        test::checkSpecError(resolve("sub=" + percentEncode(fed.id("op"))), 400, "invalid_request");
        test::checkSpecError(resolve(anchor.substr(1)), 400, "invalid_request");
        test::checkSpecError(resolve("sub=" + percentEncode(fed.id("op")) + "&sub=" + percentEncode(fed.id("rp")) + anchor), 400,
                   "invalid_request");
        test::checkSpecError(resolve("sub=" + percentEncode(fed.id("op")) + "&trust_anchor=" + percentEncode("https://not-configured.example")),
                   404, "invalid_trust_anchor");  // K05
        // An unknown anchor among known ones is skipped (K06).
        CHECK(resolve("sub=" + percentEncode(fed.id("op")) + "&trust_anchor=" + percentEncode("https://other.example") + anchor)
                  .status == 200);
        test::checkSpecError(resolve("sub=" + percentEncode(fed.id("nobody")) + anchor), 404, "invalid_subject");
        test::checkSpecError(resolve("sub=" + percentEncode("https://unreachable.invalid") + anchor), 503, "temporarily_unavailable");
        // The intermediate has no resolve endpoint.
        test::checkSpecError(fed.get("/ia/resolve?sub=" + percentEncode(fed.id("op")) + anchor), 404, "not_found");
    }
}

TEST_CASE("historical keys, health, readiness, metrics")
{
    ServedFederation fed;
    HttpReply keys = fed.get("/ta/historical-keys");
    REQUIRE(keys.status == 200);
    CHECK(keys.header("content-type") == "application/jwk-set+jwt");
    auto jws = Jws::parse(keys.body);
    REQUIRE(jws);
    CHECK(jws->typ() == "jwk-set+jwt");
    CHECK(jws->verify(fed.keysOf("ta")));
    Json claims = jws->payloadJson().value();
    CHECK(*claims.findString("iss") == fed.id("ta"));
    CHECK(claims.contains("iat"));
    CHECK(claims.find("keys")->asArray().empty());  // nothing retired yet

    CHECK(fed.get("/healthz").status == 200);
    HttpReply ready = fed.get("/readyz");
    CHECK(ready.status == 200);
    CHECK(*json(ready.body).findString("status") == "ready");
    fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia")));
    HttpReply metrics = fed.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.header("content-type").rfind("text/plain", 0) == 0);
    CHECK(metrics.body.find("oidfed_http_requests_total{endpoint=\"fetch\",status=\"200\"} 1") != std::string::npos);
    CHECK(metrics.body.find("oidfed_ready 1") != std::string::npos);
}

TEST_CASE("oidfed resolve and oidfed chain against the served federation")
{
    ServedFederation fed;
    std::string anchors = fed.writeAnchorFile();
    for (const char *name : {"op", "ci"}) {
        test::ProcessResult result = test::runProcess({test::oidfedCli(), "--format", "json", "resolve", fed.id(name),
                                                       "--trust-anchor-file", anchors, "--allow-http",
                                                       "--allow-loopback"});
        REQUIRE_MESSAGE(result.exitCode == 0, result.out);
        Json out = json(result.out);
        CHECK(*out.findString("sub") == fed.id(name));
        CHECK(*out.findString("trust_anchor") == fed.id("ta"));
        CHECK(out.find("trust_chain")->size() == 4);
    }
    test::ProcessResult chain = test::runProcess({test::oidfedCli(), "--format", "text", "chain", fed.id("op"),
                                                  "--trust-anchor-file", anchors, "--allow-http", "--allow-loopback"});
    CHECK_MESSAGE(chain.exitCode == 0, chain.out);
    // --resolve reaches the fetcher: a malformed entry is a usage error that
    // names it, before anything is fetched.
    test::ProcessResult badResolve =
        test::runProcess({test::oidfedCli(), "--format", "json", "resolve", fed.id("op"), "--trust-anchor-file", anchors,
                          "--allow-http", "--allow-loopback", "--resolve", "fed.example:443:not-an-address"});
    CHECK(badResolve.exitCode == 2);
    const Json refusal = json(badResolve.out);
    CHECK(*refusal.findString("code") == "invalid_argument");
    // Which entry is wrong is for the reader: the description names it.
    CHECK_MESSAGE(refusal.findString("error_description")->find("fed.example:443:not-an-address") != std::string::npos,
                  badResolve.out);
    CHECK(chain.out.find(fed.id("ia")) != std::string::npos);
}

TEST_CASE("oidfed check-config")
{
    ServedFederation fed;
    test::ProcessResult ok = test::runProcess(
        {test::oidfedCli(), "--format", "json", "check-config", (fed.dir() / "oidfed.json").string()});
    REQUIRE_MESSAGE(ok.exitCode == 0, ok.out);
    Json report = json(ok.out);
    CHECK(report.find("valid")->asBool());
    CHECK(report.find("statements_signed")->asBool());  // the server created every key on start
    CHECK(report.find("entities")->size() == 5);

    std::ofstream(fed.dir() / "bad.json") << R"({"listen": "127.0.0.1:1", "entities": [], "typo": 1})";
    test::ProcessResult bad =
        test::runProcess({test::oidfedCli(), "--format", "json", "check-config", (fed.dir() / "bad.json").string()});
    CHECK(bad.exitCode == 2);
    CHECK(*json(bad.out).findString("error") == "invalid_request");
}

TEST_CASE("SIGTERM stops the server cleanly")
{
    ServedFederation fed;
    fed.process().signal(SIGTERM);
    CHECK(fed.process().waitExit(std::chrono::seconds(10)) == 0);
}
