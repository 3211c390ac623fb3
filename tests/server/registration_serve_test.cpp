// Explicit registration (spec 12.2) against a real `oidfed serve` of the demo
// federation: the demo OP publishes its federation_registration_endpoint,
// the demo RP registers as an independent RP would (its key from its key
// directory, its chain from the federation's endpoints) and the response
// passes the RP's checks (12.2.5); every bad input of issue 16 gets its
// status, error code and a description naming the rule; a registration
// again replaces the client; the RFC 7591 bridge hands the client to a real
// (minimal) OP and keeps its token secret; a broken client store leaves
// only the registration role out.

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include <oidfed/entity_statement.h>
#include <oidfed/jws.h>
#include <oidfed/registration_response.h>
#include <oidfed/resolver.h>

#include "../fetch/dcr_server.h"
#include "../fetch/loopback_servers.h"
#include "registration_requests.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

namespace fs = std::filesystem;

namespace {

constexpr const char *kStatementType = "application/entity-statement+jwt";
constexpr const char *kChainType = "application/trust-chain+json";

HttpReply post(const ServedFederation &fed, const std::string &body, const std::string &type = kStatementType)
{
    // "Expect:" keeps libcurl from waiting for a 100 Continue first.
    return test::httpRequest(fed.base() + "/op/federation-registration", {"Content-Type: " + type, "Expect:"},
                             "POST", body);
}

test::DemoGet getterOf(const ServedFederation &fed)
{
    return [&fed](const std::string &path) {
        HttpReply reply = fed.get(path);
        REQUIRE_MESSAGE(reply.status == 200, path << ": " << reply.body);
        return reply.body;
    };
}

UnixTime now()
{
    return static_cast<UnixTime>(std::time(nullptr));
}

EntityId idOf(const std::string &text)
{
    return EntityId::parse(text, EntityIdOptions{.allowHttp = true}).value();
}

/// The error description of a refusal (checkSpecError checked its shape).
std::string descriptionOf(const HttpReply &reply)
{
    auto body = parseJson(reply.body);
    const std::string *description = body ? body->findString("error_description") : nullptr;
    return description ? *description : std::string();
}

/// A refusal: status, code, and the rule named in the description.
void checkRefusal(const HttpReply &reply, long status, const std::string &code, const std::string &rule)
{
    test::checkSpecError(reply, status, code);
    CHECK_MESSAGE(descriptionOf(reply).find(rule) != std::string::npos, descriptionOf(reply));
}

/// The claims of a signed request, re-signed by `key` (whose kid the
/// request's jwks does not have).
std::string resignedWith(const std::string &request, const Jwk &key, const Json &extraHeader = Json::object())
{
    auto jws = Jws::parse(request);
    REQUIRE(jws);
    Json header = extraHeader;
    header.set("typ", "entity-statement+jwt");
    auto jwt = signJws(header, jws->payload(), key);
    REQUIRE(jwt);
    return *jwt;
}

/// The OP's chain to the anchor as the RP resolves it (12.2.1: first).
std::shared_ptr<const TrustChain> resolveOp(const ServedFederation &fed)
{
    test::ensureCurlInitialised();
    FetchOptions fetch;
    fetch.allowHttp = true;
    fetch.allowLoopback = true;
    static std::unique_ptr<Fetcher> fetcher = makeCurlFetcher(fetch).value();
    static std::unique_ptr<Clock> clock = makeSystemClock();
    ResolverOptions options;
    options.statements.entityIds.allowHttp = true;
    auto resolver = Resolver::create(options, {TrustAnchor{idOf(fed.id("ta")), fed.keysOf("ta")}},
                                     Resolver::Dependencies{.fetcher = *fetcher, .clock = *clock});
    REQUIRE(resolver);
    ResolveOutcome outcome = (*resolver)->resolve(ResolveRequest{.subject = fed.id("op"), .trustAnchors = {fed.id("ta")}});
    REQUIRE_MESSAGE(outcome.chain, outcome.chain.error().describe());
    return *outcome.chain;
}

} // namespace

TEST_CASE("the demo OP publishes its registration endpoint and registers the demo RP")
{
    ServedFederation fed;
    const test::RpKeys keys = test::rpKeysFrom(fed.dir() / "keys" / "rp", now());

    // 12.2: the endpoint in the OP's openid_provider metadata, "explicit"
    // listed, the operator's "automatic" kept.
    auto ec = Jws::parse(fed.get("/op/.well-known/openid-federation").body);
    REQUIRE(ec);
    Json op = *ec->payloadJson()->find("metadata")->find("openid_provider");
    CHECK(*op.findString("federation_registration_endpoint") == fed.id("op") + "/federation-registration");
    CHECK(op.find("client_registration_types_supported")->dump() == R"(["automatic","explicit"])");

    RegistrationRequestClaims claims = test::demoRequestClaims(fed.base(), keys, now(), getterOf(fed));
    const std::string request = test::signDemoRequest(claims, keys);
    const auto coldStart = std::chrono::steady_clock::now();
    HttpReply reply = post(fed, request);
    const auto cold = std::chrono::steady_clock::now() - coldStart;
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/explicit-registration-response+jwt");
    CHECK(reply.header("cache-control") == "no-store");

    // The RP's checks (12.2.5) pass.
    std::shared_ptr<const TrustChain> opChain = resolveOp(fed);
    StatementOptions statements;
    statements.entityIds.allowHttp = true;
    auto requestEc = EntityStatement::parse(request, statements, StatementContext::RegistrationRequest);
    REQUIRE(requestEc);
    auto verified = verifyRegistrationResponse(reply.body, RegistrationResponseCheck{.rp = idOf(fed.id("rp")),
                                                                                    .opChain = *opChain,
                                                                                    .trustAnchors = {fed.id("ta")},
                                                                                    .request = *requestEc,
                                                                                    .now = now(),
                                                                                    .statements = statements});
    REQUIRE_MESSAGE(verified, verified.error().describe());
    CHECK(verified->clientId == fed.id("rp"));  // the directory store's client_id: the RP's identifier
    CHECK(verified->trustAnchor.str() == fed.id("ta"));
    CHECK(verified->authorityHint.str() == fed.id("ia"));
    CHECK(verified->expiresAt <= now() + 86400);

    // One reviewable client file, with the registration.
    std::vector<fs::path> files = test::jsonFilesIn(fed.dir() / "clients" / "op");
    REQUIRE(files.size() == 1);
    Json client = test::json(test::readText(files.front()));
    CHECK(*client.findString("client_id") == fed.id("rp"));
    CHECK(*client.findString("entity_id") == fed.id("rp"));
    CHECK(*client.findString("trust_anchor") == fed.id("ta"));
    CHECK(client.find("expires_at")->asInt() == verified->expiresAt);
    CHECK(*client.find("metadata")->findString("token_endpoint_auth_method") == "private_key_jwt");
    CHECK(*client.findString("registration_response") == reply.body);

    // A registration again replaces the client
    // (12.2.2 step 7).
    claims.configuration.issuedAt = now() + 1;
    claims.configuration.metadata.find("openid_relying_party")->set("client_name", "Library Portal 2");
    const auto warmStart = std::chrono::steady_clock::now();
    HttpReply again = post(fed, test::signDemoRequest(claims, keys));
    const auto warm = std::chrono::steady_clock::now() - warmStart;
    REQUIRE_MESSAGE(again.status == 200, again.body);
    files = test::jsonFilesIn(fed.dir() / "clients" / "op");
    REQUIRE(files.size() == 1);
    client = test::json(test::readText(files.front()));
    CHECK(*client.find("metadata")->findString("client_name") == "Library Portal 2");
    CHECK(*client.findString("registration_response") == again.body);
    MESSAGE("one registration over HTTP: cold " << std::chrono::duration<double, std::milli>(cold).count()
                                                << " ms, again (a presented chain is verified again: never cached under the RP) "
                                                << std::chrono::duration<double, std::milli>(warm).count() << " ms");

    // The same as a trust chain body (application/trust-chain+json).
    claims.configuration.issuedAt = now() + 2;
    HttpReply chained = post(fed, test::chainBody(test::signDemoRequest(claims, keys), claims.trustChain), kChainType);
    CHECK_MESSAGE(chained.status == 200, chained.body);

    // The RP's metadata exactly as its Entity Configuration publishes it
    // (an independent RP registering the demo RP: jwks_uri over http on
    // loopback, accepted under the server's allow_http).
    auto published = Jws::parse(fed.get("/rp/.well-known/openid-federation").body);
    REQUIRE(published);
    RegistrationRequestClaims asPublished = claims;
    asPublished.configuration.metadata = *published->payloadJson()->find("metadata");
    asPublished.configuration.issuedAt = now() + 2;
    HttpReply publishedReply = post(fed, test::signDemoRequest(asPublished, keys));
    CHECK_MESSAGE(publishedReply.status == 200, publishedReply.body);

    // Without a trust_chain: the OP collects the RP's chain from its
    // authority_hints (12.2.2 step 3), then from its statement cache.
    claims.trustChain.clear();
    claims.configuration.issuedAt = now() + 3;
    const auto collectStart = std::chrono::steady_clock::now();
    HttpReply collected = post(fed, test::signDemoRequest(claims, keys));
    const auto collect = std::chrono::steady_clock::now() - collectStart;
    CHECK_MESSAGE(collected.status == 200, collected.body);
    claims.configuration.issuedAt = now() + 4;
    const auto cachedStart = std::chrono::steady_clock::now();
    HttpReply cachedCollect = post(fed, test::signDemoRequest(claims, keys));
    const auto cached = std::chrono::steady_clock::now() - cachedStart;
    CHECK_MESSAGE(cachedCollect.status == 200, cachedCollect.body);
    MESSAGE("one registration without trust_chain: collected " << std::chrono::duration<double, std::milli>(collect).count()
                                                               << " ms, statements cached "
                                                               << std::chrono::duration<double, std::milli>(cached).count()
                                                               << " ms");

    HttpReply metrics = fed.get("/metrics");
    CHECK(metrics.body.find("oidfed_registrations_total{outcome=\"registered\"} 6") != std::string::npos);
}

TEST_CASE("bad input gets its status, error code and rule; nothing is recorded")
{
    // A small body limit for the 413 case.
    ServedFederation fed("\"client_store\": { \"type\": \"directory\"",
                         "\"max_body_bytes\": 32768, \"client_store\": { \"type\": \"directory\"");
    const test::RpKeys keys = test::rpKeysFrom(fed.dir() / "keys" / "rp", now());
    const RegistrationRequestClaims valid = test::demoRequestClaims(fed.base(), keys, now(), getterOf(fed));
    auto sign = [&keys](const RegistrationRequestClaims &claims) { return test::signDemoRequest(claims, keys); };
    bool registered = false;

    SUBCASE("POST only")
    {
        HttpReply get = fed.get("/op/federation-registration");
        test::checkSpecError(get, 405, "invalid_request");
        CHECK(get.header("allow") == "POST");
    }
    SUBCASE("the media type decides the form (12.2.2 step 1)")
    {
        checkRefusal(post(fed, sign(valid), "text/plain"), 415, "invalid_request", "12.2.2 step 1");
        checkRefusal(post(fed, sign(valid), ""), 415, "invalid_request", "12.2.2 step 1");
    }
    SUBCASE("a body over max_body_bytes")
    {
        checkRefusal(post(fed, std::string(40000, 'a')), 413, "invalid_request", "max_body_bytes");
    }
    SUBCASE("not a statement")
    {
        HttpReply reply = post(fed, "not.a.jwt");
        CHECK(reply.status == 400);
        HttpReply notArray = post(fed, R"({"a":1})", kChainType);
        checkRefusal(notArray, 400, "invalid_request", "12.2.1 trust chain body");
    }
    SUBCASE("wrong aud (12.2.2 step 2)")
    {
        RegistrationRequestClaims claims = valid;
        claims.op = idOf(fed.id("ta"));
        checkRefusal(post(fed, sign(claims)), 400, "invalid_request", "12.2.2 step 2");
    }
    SUBCASE("signed with a key the RP does not publish")
    {
        Jwk stranger = Jwk::generate(JwsAlgorithm::ES256).value();
        checkRefusal(post(fed, resignedWith(sign(valid), stranger)), 400, "invalid_trust_chain", "3.2 signature");
    }
    SUBCASE("expired, and not yet valid")
    {
        RegistrationRequestClaims expired = valid;
        expired.configuration.issuedAt = now() - 7200;
        expired.configuration.expiresAt = now() - 3600;
        checkRefusal(post(fed, sign(expired)), 400, "invalid_trust_chain", "3.2 iat/exp");
        RegistrationRequestClaims future = valid;
        future.configuration.issuedAt = now() + 3600;
        future.configuration.expiresAt = now() + 7200;
        checkRefusal(post(fed, sign(future)), 400, "invalid_trust_chain", "3.2 iat/exp");
    }
    SUBCASE("an RP no superior vouches for, with or without a chain that does not verify")
    {
        // A stranger with its own key and the demo's authority hint: the
        // intermediate has no statement about it.
        Jwk key = Jwk::generate(JwsAlgorithm::ES256).value();
        test::RpKeys strangerKeys{.published = JwkSet::fromKeys({key}).value(), .active = key};
        RegistrationRequestClaims claims = test::demoRequestClaims(fed.base(), strangerKeys, now(), getterOf(fed));
        claims.configuration.entityId = idOf(fed.base() + "/stranger");
        claims.configuration.metadata.find("openid_relying_party")
            ->set("redirect_uris", test::json("[\"" + fed.base() + "/stranger/cb\"]"));
        // No path reaches an accepted anchor: 404 invalid_trust_anchor, as
        // on the resolve endpoint (docs/security.md, decision (a)).
        HttpReply unvouched = post(fed, test::signDemoRequest(claims, strangerKeys));
        test::checkSpecError(unvouched, 404, "invalid_trust_anchor");
        // Its presented chain (the demo RP's) is a hint that does not
        // verify for it: collected instead, with the same outcome.
        HttpReply badChain = post(fed, test::chainBody(test::signDemoRequest(claims, strangerKeys), claims.trustChain),
                                  kChainType);
        test::checkSpecError(badChain, 404, "invalid_trust_anchor");
    }
    SUBCASE("a trust_chain header that does not verify is a path hint not taken (12.2.2 step 5)")
    {
        RegistrationRequestClaims claims = valid;
        std::string &statement = claims.trustChain[1];
        statement.back() = statement.back() == 'A' ? 'B' : 'A';  // the signature no longer verifies
        HttpReply reply = post(fed, sign(claims));
        CHECK_MESSAGE(reply.status == 200, reply.body);  // collected from the authority hints instead
        registered = true;
    }
    SUBCASE("peer_trust_chain with a chain body (12.2.1), and one that is not the OP's")
    {
        RegistrationRequestClaims claims = valid;
        claims.peerTrustChain = claims.trustChain;  // the RP's chain, not the OP's
        HttpReply peer = post(fed, sign(claims));
        test::checkSpecError(peer, 400, "invalid_trust_chain");
        CHECK_MESSAGE(descriptionOf(peer).find("12.2.2 step 6") != std::string::npos, descriptionOf(peer));

        RegistrationRequestClaims withPeer = valid;
        withPeer.trustChain.clear();
        withPeer.peerTrustChain = {getterOf(fed)("/op/.well-known/openid-federation")};
        checkRefusal(post(fed, test::chainBody(sign(withPeer), valid.trustChain), kChainType), 400, "invalid_request",
                     "12.2.1 peer_trust_chain");
    }
    SUBCASE("metadata that conflicts with the federation's policy, and client metadata the OP refuses")
    {
        RegistrationRequestClaims conflict = valid;
        conflict.configuration.metadata.find("openid_relying_party")->set("id_token_signed_response_alg", "RS256");
        test::checkSpecError(post(fed, sign(conflict)), 400, "invalid_metadata");

        RegistrationRequestClaims fragment = valid;
        fragment.configuration.metadata.find("openid_relying_party")
            ->set("redirect_uris", test::json("[\"" + fed.base() + "/rp/cb#x\"]"));
        test::checkSpecError(post(fed, sign(fragment)), 400, "invalid_redirect_uri");

        RegistrationRequestClaims unsupported = valid;
        unsupported.configuration.metadata.find("openid_relying_party")
            ->set("token_endpoint_auth_method", "tls_client_auth");
        test::checkSpecError(post(fed, sign(unsupported)), 400, "invalid_client_metadata");
    }

    // Nothing was recorded by any refusal.
    CHECK(test::jsonFilesIn(fed.dir() / "clients" / "op").size() == (registered ? 1u : 0u));
}

namespace {

const std::string kDirectoryStore = R"("client_store": { "type": "directory", "directory": "clients/op" })";
const std::string kInitialAccessToken = "iat-0123456789-never-in-a-log";

/// The demo with the OP's clients handed to `dcr` (RFC 7591), the initial
/// access token in a file of mode 0600.
std::unique_ptr<ServedFederation> bridgedFederation(const test::DcrServer &dcr, unsigned tokenMode = 0600)
{
    const std::string store = R"("client_store": { "type": "rfc7591", "directory": "clients/op-state",
        "registration_endpoint": ")" + dcr.registrationEndpoint() +
                              R"(", "initial_access_token_file": "op-iat.token", "allow_http": true,
        "allow_loopback": true })";
    return std::make_unique<ServedFederation>(kDirectoryStore, store, [tokenMode](ServedFederation &fed) {
        test::writeText(fed.dir() / "op-iat.token", kInitialAccessToken + "\n");
        fs::permissions(fed.dir() / "op-iat.token", static_cast<fs::perms>(tokenMode));
    });
}

} // namespace

TEST_CASE("the RFC 7591 bridge: the OP assigns the client_id, the client is updated, refusals pass through, an OP "
          "that fails leaves nothing behind, and the token stays secret")
{
    test::DcrServer dcr(kInitialAccessToken);
    std::unique_ptr<ServedFederation> served = bridgedFederation(dcr);
    ServedFederation &fed = *served;
    const test::RpKeys keys = test::rpKeysFrom(fed.dir() / "keys" / "rp", now());
    RegistrationRequestClaims claims = test::demoRequestClaims(fed.base(), keys, now(), getterOf(fed));
    std::vector<std::string> bodies;

    HttpReply first = post(fed, test::signDemoRequest(claims, keys));
    REQUIRE_MESSAGE(first.status == 200, first.body);
    bodies.push_back(first.body);
    auto clients = dcr.clients();
    REQUIRE(clients.size() == 1);
    const std::string clientId = clients.begin()->first;
    CHECK(*clients.begin()->second.metadata.findString("token_endpoint_auth_method") == "private_key_jwt");
    CHECK(dcr.authorizations().back() == "Bearer " + kInitialAccessToken);
    // The response's client_id is the one the OP assigned; the RFC 7592
    // credentials stay with oidfed (12.2.2 step 8).
    Json response = test::json(Jws::parse(first.body)->payload());
    const Json &client = *response.find("metadata")->find("openid_relying_party");
    CHECK(*client.findString("client_id") == clientId);
    CHECK_FALSE(client.contains("registration_access_token"));
    CHECK_FALSE(client.contains("registration_client_uri"));
    std::vector<fs::path> states = test::jsonFilesIn(fed.dir() / "clients" / "op-state");
    REQUIRE(states.size() == 1);
    CHECK((fs::status(states.front()).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(*test::json(test::readText(states.front())).findString("registration_access_token") ==
          clients.begin()->second.accessToken);

    SUBCASE("a registration again updates the client (RFC 7592 PUT)")
    {
        const std::string tokenBefore = clients.begin()->second.accessToken;
        claims.configuration.issuedAt = now() + 1;
        claims.configuration.metadata.find("openid_relying_party")->set("client_name", "Portal 2");
        HttpReply again = post(fed, test::signDemoRequest(claims, keys));
        REQUIRE_MESSAGE(again.status == 200, again.body);
        bodies.push_back(again.body);
        clients = dcr.clients();
        REQUIRE(clients.size() == 1);
        CHECK(clients.begin()->first == clientId);
        CHECK(*clients.begin()->second.metadata.findString("client_name") == "Portal 2");
        CHECK(dcr.requests().back() == "PUT /reg/" + clientId);
        CHECK(dcr.authorizations().back() == "Bearer " + tokenBefore);
        // The OP rotated the management token on the update: the state
        // file keeps the new one for the next call.
        CHECK(clients.begin()->second.accessToken != tokenBefore);
        CHECK(*test::json(test::readText(states.front())).findString("registration_access_token") ==
              clients.begin()->second.accessToken);
    }
    SUBCASE("the OP's client metadata refusal passes through with its code; nothing changes")
    {
        dcr.setMode(test::DcrServer::Mode::RejectRedirectUri);
        claims.configuration.issuedAt = now() + 1;
        checkRefusal(post(fed, test::signDemoRequest(claims, keys)), 400, "invalid_redirect_uri", "RFC 7591 3.2.2");
        CHECK(dcr.clients().size() == 1);
        CHECK(test::jsonFilesIn(fed.dir() / "clients" / "op-state").size() == 1);
    }
    SUBCASE("an OP that is down: 503 temporarily_unavailable, nothing recorded, reported in /readyz")
    {
        const std::string stateBefore = test::readText(states.front());
        dcr.setMode(test::DcrServer::Mode::Unavailable);
        claims.configuration.issuedAt = now() + 1;
        test::checkSpecError(post(fed, test::signDemoRequest(claims, keys)), 503, "temporarily_unavailable");
        CHECK(test::readText(states.front()) == stateBefore);
        Json ready = fed.readiness();
        CHECK(*ready.findString("status") == "degraded");
        bool listed = false;
        for (const Json &problem : ready.find("problems")->asArray())
            listed = listed || (*problem.findString("kind") == "registration" &&
                                *problem.findString("entity") == fed.id("op"));
        CHECK_MESSAGE(listed, ready.dump());
        dcr.setMode(test::DcrServer::Mode::Normal);
        HttpReply recovered = post(fed, test::signDemoRequest(claims, keys));
        CHECK_MESSAGE(recovered.status == 200, recovered.body);
        CHECK(*fed.readiness().findString("status") == "ready");
    }
    SUBCASE("a step after the OP's answer fails: the client created is deleted again")
    {
        // The OP forgets the client on the update, then creates a new one
        // whose client_secret would expire before the registration could
        // be used: refused after the POST, so the new client is deleted.
        dcr.setMode(test::DcrServer::Mode::ForgetOnPut);
        claims.configuration.issuedAt = now() + 1;
        fs::path state = states.front();
        HttpReply forgotten = post(fed, test::signDemoRequest(claims, keys));
        REQUIRE_MESSAGE(forgotten.status == 200, forgotten.body);  // a new client, created by POST
        REQUIRE(dcr.clients().size() == 1);
        const std::string second = dcr.clients().begin()->first;
        CHECK(second != clientId);
        dcr.setMode(test::DcrServer::Mode::ShortLivedSecret);
        fs::remove(state);  // as if never registered: the next one is a POST
        claims.configuration.issuedAt = now() + 2;
        test::checkSpecError(post(fed, test::signDemoRequest(claims, keys)), 503, "temporarily_unavailable");
        std::vector<std::string> requests = dcr.requests();
        REQUIRE(requests.size() >= 2);
        CHECK(requests[requests.size() - 2] == "POST /reg");
        CHECK(requests.back().rfind("DELETE /reg/client-", 0) == 0);
        CHECK(dcr.clients().size() == 1);  // only the one registered before
        CHECK(test::jsonFilesIn(fed.dir() / "clients" / "op-state").empty());
    }

    // The initial access token is in no answer, no log line, no /readyz or
    // /metrics; the management token of the client in no answer either.
    bodies.push_back(fed.get("/readyz").body);
    bodies.push_back(fed.get("/metrics").body);
    bodies.push_back(fed.get("/op/.well-known/openid-federation").body);
    bodies.push_back(fed.process().log());
    for (const std::string &body : bodies) {
        CHECK(body.find(kInitialAccessToken) == std::string::npos);
        CHECK(body.find("rat-client-") == std::string::npos);
    }
    CHECK(test::readText(fed.dir() / "oidfed.json").find(kInitialAccessToken) == std::string::npos);
}

TEST_CASE("a client store that cannot be used leaves only the registration role out")
{
    test::DcrServer dcr(kInitialAccessToken);
    // The token file is readable by others: refused, the role left out.
    std::unique_ptr<ServedFederation> served = bridgedFederation(dcr, 0644);
    ServedFederation &fed = *served;
    Json ready = fed.readiness();
    CHECK(*ready.findString("status") == "degraded");
    bool listed = false;
    for (const Json &problem : ready.find("problems")->asArray())
        if (*problem.findString("kind") == "registration") {
            listed = *problem.findString("entity") == fed.id("op") && *problem.findString("serving") == "left_out";
            CHECK(problem.findString("error")->find("op-iat.token") != std::string::npos);
            CHECK(problem.findString("error")->find(kInitialAccessToken) == std::string::npos);
        }
    CHECK_MESSAGE(listed, ready.dump());
    CHECK(fed.get("/metrics").body.find("oidfed_item_problems{entity=\"" + fed.id("op") +
                                        "\",kind=\"registration\"} 1") != std::string::npos);
    // The OP is served, without the endpoint; so is everything else.
    auto ec = Jws::parse(fed.get("/op/.well-known/openid-federation").body);
    REQUIRE(ec);
    CHECK_FALSE(ec->payloadJson()->find("metadata")->find("openid_provider")->contains(
        "federation_registration_endpoint"));
    test::checkSpecError(post(fed, "x"), 404, "not_found");
    CHECK(fed.get("/rp/.well-known/openid-federation").status == 200);
    CHECK(dcr.requests().empty());
}
