// The trust API (docs/trust-api.md; issue 17 item 2) of a real `oidfed
// serve` of the demo federation: the demo OP's modules look up the demo RP,
// verify its Request Objects and client assertions (its protocol key
// generated at run time, published by value in its metadata), authenticate
// with a bearer token (its SHA-256 configured) or with spec 8.8
// private_key_jwt (the demo credential issuer, hosted by the same server);
// every refusal gets its status, error code and rule; the per-caller budget
// is apart from the anonymous one; a bad trust_api leaves only the role out.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <ctime>
#include <random>

#include <openssl/evp.h>

#include <oidfed/clock.h>
#include <oidfed/jws.h>

#include "served_federation.h"
#include "test_support.h"
#include "trust_api_federation.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

namespace fs = std::filesystem;
using namespace oidfed::test::trust_api;

namespace {

void saveSample(const std::string &name, const std::string &request, const HttpReply &reply)
{
    // Samples for docs/trust-api.md, when asked for.
    if (const char *dir = std::getenv("OIDFED_TRUST_API_SAMPLES"))
        test::writeText(fs::path(dir) / (name + ".txt"),
                        request + "\n\nHTTP " + std::to_string(reply.status) + "\n" + reply.body + "\n");
}

} // namespace

TEST_CASE("the trust API looks up a client and verifies its Request Objects and client assertions")
{
    TrustApiFederation t;

    // A lookup (the bearer caller).
    const std::string lookupBody = form({{"client_id", t.rp()}});
    HttpReply lookup = t.post("client", lookupBody, {"Authorization: Bearer " + t.token});
    checkVerified(t, lookup, false);
    saveSample("client", lookupBody, lookup);

    // A valid Request Object, its jti single use.
    const std::string request = sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey);
    const std::string requestBody = form({{"request", request}, {"client_id", t.rp()}});
    HttpReply verified = t.post("request-object", requestBody, {"Authorization: Bearer " + t.token});
    checkVerified(t, verified, true);
    CHECK(*bodyOf(verified).find("claims")->findString("scope") == "openid");
    saveSample("request-object", requestBody, verified);
    checkRefusal(t.call("request-object", {{"request", request}}), 400, "invalid_request_object",
                 "12.1.1.1 jti single use");

    // A valid client assertion, from the 8.8 caller.
    const std::string assertion = sign(t.assertionClaims(t.rp(), t.op()), "JWT", t.protocolKey);
    auto params = t.callerAuth("client-assertion");
    params.insert(params.begin(), {{"assertion", assertion}, {"client_id", t.rp()}});
    const std::string assertionBody = form(params);
    HttpReply asserted = t.post("client-assertion", assertionBody);
    checkVerified(t, asserted, true);
    CHECK(*bodyOf(asserted).find("claims")->findString("sub") == t.rp());
    saveSample("client-assertion", assertionBody, asserted);
    // The same client assertion again: its jti is used.
    auto again = t.callerAuth("client-assertion");
    again.insert(again.begin(), {"assertion", assertion});
    checkRefusal(t.post("client-assertion", form(again)), 400, "invalid_client", "RFC 7523 3 jti single use");

    // The calls are counted by call and outcome.
    const std::string metrics = t.fed->get("/metrics").body;
    CHECK(metrics.find(R"(oidfed_trust_api_calls_total{call="client",outcome="ok"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(oidfed_trust_api_calls_total{call="request_object",outcome="invalid_request_object"} 1)") !=
          std::string::npos);
    CHECK(metrics.find(R"(oidfed_trust_api_calls_total{call="client_assertion",outcome="ok"} 1)") !=
          std::string::npos);
}

TEST_CASE("the trust API answers only authenticated callers")
{
    TrustApiFederation t;
    const std::string lookup = form({{"client_id", t.rp()}});

    // No credentials, a wrong bearer token, another scheme.
    HttpReply none = t.post("client", lookup);
    checkUnauthenticated(none);
    saveSample("unauthenticated", lookup, none);
    checkUnauthenticated(t.post("client", lookup, {"Authorization: Bearer " + t.token + "x"}));
    checkUnauthenticated(t.post("client", lookup, {"Authorization: Basic " + t.token}));
    // Both methods at once.
    auto both = t.callerAuth("client");
    both.push_back({"client_id", t.rp()});
    checkUnauthenticated(t.post("client", form(both), {"Authorization: Bearer " + t.token}));

    // A private_key_jwt caller: signed with a key that is not its own; for
    // another endpoint; iss not a caller; replayed.
    const Jwk stranger = Jwk::generate(JwsAlgorithm::ES256).value();
    auto wrongKey = t.callerAuth("client", &stranger);
    wrongKey.push_back({"client_id", t.rp()});
    checkUnauthenticated(t.post("client", form(wrongKey)));
    auto otherEndpoint = t.callerAuth("request-object");
    otherEndpoint.push_back({"client_id", t.rp()});
    checkUnauthenticated(t.post("client", form(otherEndpoint)));
    {
        Json claims = t.assertionClaims(t.rp(), t.op());  // the RP is no caller
        auto params = std::vector<std::pair<std::string, std::string>>{
            {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            {"client_assertion", sign(claims, "JWT", t.protocolKey)},
            {"client_id", t.rp()}};
        checkUnauthenticated(t.post("client", form(params)));
    }
    {
        Json claims = t.assertionClaims(t.fed->id("ci"), t.op());  // two audiences
        Json audiences = Json::array();
        audiences.push(t.op());
        audiences.push(t.op() + "/trust-api/client");
        claims.set("aud", audiences);
        auto params = std::vector<std::pair<std::string, std::string>>{
            {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            {"client_assertion", sign(claims, "JWT", t.fed->activeKeyOf("ci"))},
            {"client_id", t.rp()}};
        checkUnauthenticated(t.post("client", form(params)));
    }
    const std::string jti = uniqueJti();
    auto first = t.callerAuth("client", nullptr, jti);
    first.push_back({"client_id", t.rp()});
    checkVerified(t, t.post("client", form(first)), false);
    auto replayed = t.callerAuth("client", nullptr, jti);
    replayed.push_back({"client_id", t.rp()});
    checkUnauthenticated(t.post("client", form(replayed)));
    // The aud may be the Entity Identifier too.
    {
        Json claims = t.assertionClaims(t.fed->id("ci"), t.op());
        auto params = std::vector<std::pair<std::string, std::string>>{
            {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            {"client_assertion", sign(claims, "JWT", t.fed->activeKeyOf("ci"))},
            {"client_id", t.rp()}};
        checkVerified(t, t.post("client", form(params)), false);
    }

    // POST only.
    CHECK(t.fed->get("/op/trust-api/client").status == 405);

    // Nothing was resolved for the unauthenticated requests: only the two
    // authenticated lookups (and the one refused later) count as calls
    // that reached the library.
    const std::string metrics = t.fed->get("/metrics").body;
    CHECK(metrics.find(R"(oidfed_trust_api_calls_total{call="client",outcome="unauthenticated"} 9)") !=
          std::string::npos);
}

TEST_CASE("the trust API's verdicts carry the spec error codes and rules")
{
    TrustApiFederation t;

    // invalid_request: parameters missing, repeated, not an Entity Identifier.
    checkRefusal(t.call("client", {}), 400, "invalid_request");
    checkRefusal(t.call("client", {{"client_id", t.rp()}, {"client_id", t.rp()}}), 400, "invalid_request");
    checkRefusal(t.call("client", {{"client_id", "not an entity id"}}), 400, "invalid_request", "12.1 client_id");
    checkRefusal(t.call("request-object", {{"client_id", t.rp()}}), 400, "invalid_request");

    // invalid_request_object: a sub; a key that is not the RP's protocol key.
    Json withSub = t.requestObjectClaims();
    withSub.set("sub", t.rp());
    HttpReply sub = t.call("request-object", {{"request", sign(withSub, "oauth-authz-req+jwt", t.protocolKey)}});
    checkRefusal(sub, 400, "invalid_request_object", "12.1.1.1 sub");
    saveSample("invalid-request-object", "request=<a Request Object with sub>", sub);
    CHECK(*bodyOf(sub).findString("claim") == "sub");
    const Jwk stranger = Jwk::generate(JwsAlgorithm::ES256).value();
    HttpReply foreign =
        t.call("request-object", {{"request", sign(t.requestObjectClaims(), "oauth-authz-req+jwt", stranger)}});
    checkRefusal(foreign, 400, "invalid_request_object", "12.1.1.1.2 step 6");
    CHECK(*bodyOf(foreign).findString("entity_id") == t.rp());
    // The authorization request's client_id differs from the Request Object's.
    checkRefusal(t.call("request-object", {{"request", sign(t.requestObjectClaims(), "oauth-authz-req+jwt",
                                                            t.protocolKey)},
                                           {"client_id", t.fed->id("ci")}}),
                 400, "invalid_request_object");

    // invalid_client: a client assertion for another audience; a client
    // that does not exist.
    checkRefusal(t.call("client-assertion",
                        {{"assertion", sign(t.assertionClaims(t.rp(), t.fed->id("ci")), "JWT", t.protocolKey)}}),
                 400, "invalid_client", "12.1.1.2 aud");
    checkRefusal(t.call("client", {{"client_id", t.fed->id("nobody")}}), 400, "invalid_client");

    // invalid_metadata: the intermediate is no relying party.
    checkRefusal(t.call("client", {{"client_id", t.fed->id("ia")}}), 400, "invalid_metadata");

    // invalid_trust_anchor: no path from the orphan to the anchor.
    HttpReply orphan = t.call("client", {{"client_id", t.fed->id("orphan")}});
    checkRefusal(orphan, 400, "invalid_trust_anchor", "10.1 collection");
    saveSample("invalid-trust-anchor", form({{"client_id", t.fed->id("orphan")}}), orphan);
    // invalid_trust_chain: the forged RP's chain does not validate.
    HttpReply forged = t.call("client", {{"client_id", t.fed->id("forged")}});
    checkRefusal(forged, 400, "invalid_trust_chain");
    saveSample("invalid-trust-chain", form({{"client_id", t.fed->id("forged")}}), forged);

    // invalid_trust_anchor: a presented trust_chain ending at the
    // intermediate, which is no anchor of the trust API.
    Json chain = Json::array();
    chain.push(t.fed->get("/rp/.well-known/openid-federation").body);
    chain.push(t.fed->get("/ia/fetch?sub=" + formEncode(t.rp())).body);
    chain.push(t.fed->get("/ia/.well-known/openid-federation").body);
    Json header = Json::object();
    header.set("trust_chain", chain);
    checkRefusal(t.call("request-object",
                        {{"request", sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey, header)}}),
                 400, "invalid_trust_anchor");
}

TEST_CASE("the trust API's budget is per caller, apart from anonymous clients, and bodies are bounded")
{
    TrustApiFederation t(R"(, "per_caller_rate": 1, "per_caller_burst": 2, "max_body_bytes": 4096)");
    const std::vector<std::pair<std::string, std::string>> lookup{{"client_id", t.rp()}};
    checkVerified(t, t.call("client", lookup), false);
    checkVerified(t, t.call("client", lookup), false);
    HttpReply limited = t.call("client", lookup);
    checkRefusal(limited, 429, "temporarily_unavailable");
    CHECK_FALSE(limited.header("retry-after").empty());
    saveSample("caller-limited", form(lookup), limited);

    // Another caller has its own budget.
    auto other = t.callerAuth("client");
    other.push_back({"client_id", t.rp()});
    checkVerified(t, t.post("client", form(other)), false);
    // Anonymous clients keep theirs: the resolve endpoint answers.
    HttpReply resolved =
        t.fed->get("/ta/resolve?sub=" + formEncode(t.rp()) + "&trust_anchor=" + formEncode(t.fed->id("ta")));
    CHECK_MESSAGE(resolved.status == 200, resolved.body);

    // A body over max_body_bytes (before the caller is looked at).
    HttpReply large = t.post("client", form({{"client_id", t.rp()}, {"padding", std::string(5000, 'a')}}));
    checkRefusal(large, 413, "invalid_request");
    // Another media type.
    HttpReply json = test::httpRequest(t.op() + "/trust-api/client",
                                       {"Content-Type: application/json", "Authorization: Bearer " + t.token, "Expect:"},
                                       "POST", "{}");
    checkRefusal(json, 415, "invalid_request");
}

TEST_CASE("a trust API that cannot be built leaves only itself out")
{
    // Its only anchor neither hosted here nor pinned.
    TrustApiFederation t("", R"([{"entity_id": "https://unknown-anchor.example"}])");
    Json ready = t.fed->readiness();
    CAPTURE(ready.dump());
    CHECK(ready.dump().find("trust_api") != std::string::npos);
    CHECK(t.post("client", form({{"client_id", t.rp()}}), {"Authorization: Bearer " + t.token}).status == 404);
    // The OP itself and its registration endpoint are served.
    CHECK(t.fed->get("/op/.well-known/openid-federation").status == 200);
}

TEST_CASE("fetch, list and resolve take spec 8.8 client authentication from trust API callers; an authenticated "
          "resolve uses the caller's budget")
{
    // The OP is also a resolver and an authority (no subordinates) here.
    TrustApiFederation t(R"(, "per_caller_rate": 1, "per_caller_burst": 1)", "",
                         R"("resolver": {"trust_anchors": [{"entity_id": "%TA%"}]}, "subordinates_dir": "subordinates/op", )");
    auto authed = [&](const std::string &endpoint, std::vector<std::pair<std::string, std::string>> params) {
        auto auth = t.callerAuth("/" + endpoint);
        params.insert(params.end(), auth.begin(), auth.end());
        return test::httpRequest(t.op() + "/" + endpoint,
                                 {"Content-Type: application/x-www-form-urlencoded", "Expect:"}, "POST", form(params));
    };
    const std::string ta = t.fed->id("ta");

    HttpReply resolved = authed("resolve", {{"sub", t.rp()}, {"trust_anchor", ta}});
    REQUIRE_MESSAGE(resolved.status == 200, resolved.body);
    CHECK(resolved.header("content-type") == "application/resolve-response+jwt");
    // The caller's budget (a burst of one) is used up; anonymous clients
    // keep theirs.
    HttpReply limited = authed("resolve", {{"sub", t.fed->id("ci")}, {"trust_anchor", ta}});
    checkRefusal(limited, 429, "temporarily_unavailable");
    HttpReply anonymous = t.fed->get("/op/resolve?sub=" + formEncode(t.fed->id("ia")) + "&trust_anchor=" + formEncode(ta));
    CHECK_MESSAGE(anonymous.status == 200, anonymous.body);

    // fetch and list: answered after the caller authenticated.
    HttpReply list = authed("list", {});
    CHECK_MESSAGE(list.status == 200, list.body);
    CHECK(list.body == "[]");
    checkRefusal(authed("fetch", {{"sub", t.rp()}}), 404, "not_found");

    // A POST without a client assertion, with a bearer token, or with a
    // replayed one: 401; a GET needs none.
    checkUnauthenticated(
        test::httpRequest(t.op() + "/list", {"Content-Type: application/x-www-form-urlencoded", "Expect:"}, "POST", ""));
    checkUnauthenticated(test::httpRequest(t.op() + "/list",
                                           {"Content-Type: application/x-www-form-urlencoded",
                                            "Authorization: Bearer " + t.token, "Expect:"},
                                           "POST", ""));
    auto once = t.callerAuth("/list", nullptr, "the-same-jti");
    CHECK(test::httpRequest(t.op() + "/list", {"Content-Type: application/x-www-form-urlencoded", "Expect:"}, "POST",
                            form(once))
              .status == 200);
    checkUnauthenticated(test::httpRequest(t.op() + "/list",
                                           {"Content-Type: application/x-www-form-urlencoded", "Expect:"}, "POST",
                                           form(t.callerAuth("/list", nullptr, "the-same-jti"))));
    CHECK(t.fed->get("/op/list").status == 200);
    // Entities without trust API callers still refuse POST.
    HttpReply taPost = test::httpRequest(t.fed->id("ta") + "/list", {"Content-Type: application/x-www-form-urlencoded"},
                                         "POST", "");
    CHECK(taPost.status == 405);
    CHECK(taPost.header("allow") == "GET");
    CHECK(t.fed->get("/op/.well-known/openid-federation").status == 200);
}

// Not a timed test: a measurement, run by hand (docs/trust-api.md,
// "Performance"): build/tests/server/trust_api_serve_test -tc="measure*" --no-skip
TEST_CASE("measure: trust API latency, cold and warm, and checks per second" * doctest::skip())
{
    using Clock = std::chrono::steady_clock;
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    TrustApiFederation t(R"(, "per_caller_rate": 0, "per_caller_burst": 100000, "max_concurrent_per_caller": 64)");
    const std::vector<std::pair<std::string, std::string>> lookup{{"client_id", t.rp()}};

    // Cold: nothing of the RP cached yet (its chain resolved through the
    // server's in-process fetcher). A Request Object on this server, a
    // lookup on a second, fresh one below.
    auto start = Clock::now();
    HttpReply cold = t.call("request-object", {{"request", sign(t.requestObjectClaims(), "oauth-authz-req+jwt",
                                                                 t.protocolKey)}});
    const double coldRequest = ms(Clock::now() - start);
    REQUIRE(cold.status == 200);
    std::vector<double> warmLookups, warmRequests;
    for (int i = 0; i < 50; ++i) {
        start = Clock::now();
        REQUIRE(t.call("client", lookup).status == 200);
        warmLookups.push_back(ms(Clock::now() - start));
        const std::string request = sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey);
        start = Clock::now();
        REQUIRE(t.call("request-object", {{"request", request}}).status == 200);
        warmRequests.push_back(ms(Clock::now() - start));
    }
    TrustApiFederation fresh;
    start = Clock::now();
    REQUIRE(fresh.call("client", {{"client_id", fresh.rp()}}).status == 200);
    const double coldLookup = ms(Clock::now() - start);

    // Throughput: 2 client threads, a new connection per call (as
    // test::httpRequest makes), Request Objects signed beforehand.
    constexpr int kThreads = 2, kPerThread = 300;
    std::vector<std::vector<std::string>> requests(kThreads);
    for (auto &batch : requests)
        for (int i = 0; i < kPerThread; ++i)
            batch.push_back(sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey));
    auto rate = [&](auto call) {
        std::atomic<int> failures{0};
        const auto begin = Clock::now();
        std::vector<std::thread> threads;
        for (int n = 0; n < kThreads; ++n)
            threads.emplace_back([&, n] {
                for (int i = 0; i < kPerThread; ++i)
                    if (call(n, i).status != 200)
                        ++failures;
            });
        for (std::thread &thread : threads)
            thread.join();
        CHECK(failures == 0);
        return kThreads * kPerThread / std::chrono::duration<double>(Clock::now() - begin).count();
    };
    const double lookupRate = rate([&](int, int) { return t.call("client", lookup); });
    const double requestRate =
        rate([&](int n, int i) { return t.call("request-object", {{"request", requests[n][i]}}); });
    MESSAGE("trust API on this machine: client lookup cold " << coldLookup << " ms, warm median "
                                                             << median(warmLookups) << " ms; Request Object cold "
                                                             << coldRequest << " ms, warm median "
                                                             << median(warmRequests) << " ms; " << lookupRate
                                                             << " lookups/s, " << requestRate
                                                             << " Request Object checks/s (2 client threads)");
}
