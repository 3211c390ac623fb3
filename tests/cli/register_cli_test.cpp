// `oidfed register` run as an RP operator would (the built binary, no shell):
// a trust anchor and an OP served on loopback, the OP's
// federation_registration_endpoint answered in process by the library's OP
// side (parseRegistrationRequest, registerClient, issueRegistrationResponse),
// and the RP hosted by an oidfed.json with its key directory. It registers
// (request as 12.2.1 says, response checked per 12.2.5, record written),
// renews only when due, and refusals, an OP that is down, an OP that does
// not resolve and a forged response each give their exit code and record
// nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <oidfed/jwk.h>
#include <oidfed/registration.h>
#include <oidfed/registration_policy.h>
#include <oidfed/registration_request.h>
#include <oidfed/registration_response.h>
#include <oidfed/resolver.h>

#include "entity/key_store.h"
#include "federation_server.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

namespace fs = std::filesystem;

/// How the in-process OP answers the next registrations.
enum class OpMode { Grant, RefuseRedirect, Down, ForgeResponse };

struct Federation {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 3600};
    std::string ta = server.base() + "/ta";
    std::string op = server.base() + "/op";
    std::string rp = server.base() + "/rp";
    std::string endpoint = op + "/register";
    test::TempDir dir{"oidfed-register"};
    std::string config = (dir.path() / "oidfed.json").string();
    std::string anchorFile = (dir.path() / "ta.json").string();
    std::string records = (dir.path() / "keys" / "rp" / "registrations.json").string();

    std::unique_ptr<Clock> clock = makeSystemClock();
    std::unique_ptr<Fetcher> fetcher = test::makeLoopbackFetcher();
    std::unique_ptr<Resolver> resolver;
    RegistrationPolicy policy;

    std::mutex mutex;
    OpMode mode = OpMode::Grant;                 // guarded by mutex
    std::vector<RegistrationRequest> received;   // guarded by mutex
    std::atomic<int> posts{0};

    Federation()
    {
        std::signal(SIGPIPE, SIG_IGN);
        fed.add(ta, test::authorityMetadata(ta));
        fed.add(op, json(R"({"federation_entity": {"organization_name": "OP"},
                              "openid_provider": {
                                "issuer": ")" + op + R"(",
                                "authorization_endpoint": ")" + op + R"(/authorize",
                                "token_endpoint": ")" + op + R"(/token",
                                "jwks_uri": ")" + op + R"(/jwks",
                                "response_types_supported": ["code"],
                                "grant_types_supported": ["authorization_code", "refresh_token"],
                                "subject_types_supported": ["public"],
                                "id_token_signing_alg_values_supported": ["ES256"],
                                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                                "client_registration_types_supported": ["explicit"],
                                "federation_registration_endpoint": ")" + endpoint + R"("}})"),
                {ta});
        // The RP's keys are the ones its configuration's key directory holds
        // (as `oidfed serve` creates them); the anchor vouches for those.
        entity::KeyStoreOptions keyOptions;
        auto keys = entity::KeyStore::open(dir.path() / "keys" / "rp", keyOptions, now);
        REQUIRE(keys);
        fed.add(rp, json(R"({"openid_relying_party": {"client_name": "RP"}})"), {ta});
        fed.entity(rp).jwks = keys->publishedKeys(now);

        server.serve(test::wellKnown(ta), fed.entityConfiguration(ta));
        server.serve(test::wellKnown(op), fed.entityConfiguration(op));
        server.serve(test::fetchUrl(ta, op), fed.subordinateStatement(ta, op));
        server.serve(test::fetchUrl(ta, rp), fed.subordinateStatement(ta, rp));

        Json anchor = Json::object();
        anchor.set("entity_id", ta);
        anchor.set("jwks", fed.anchor(ta).jwks.toJson());
        std::ofstream(anchorFile) << anchor.dump(true);
        std::ofstream(config) << R"({
  "listen": "127.0.0.1:1",
  "allow_http": true,
  "fetch": { "allow_loopback": true },
  "entities": [ {
    "entity_id": ")" + rp + R"(",
    "keys_dir": "keys/rp",
    "authority_hints": [ ")" + ta + R"(" ],
    "metadata": {
      "federation_entity": { "organization_name": "RP" },
      "openid_relying_party": {
        "client_name": "RP",
        "redirect_uris": [ "https://rp.example.org/callback" ],
        "response_types": [ "code", "id_token" ],
        "grant_types": [ "authorization_code", "implicit" ],
        "token_endpoint_auth_method": "client_secret_basic",
        "jwks": { "keys": [ )" + test::generatedPublicJwks().find("keys")->asArray().front().dump() + R"( ] }
      }
    }
  } ]
})";

        ResolverOptions options = test::loopbackResolverOptions();
        auto made = Resolver::create(options, {fed.anchor(ta)}, {.fetcher = *fetcher, .clock = *clock});
        REQUIRE(made);
        resolver = std::move(made).value();
        auto opPolicy = registrationPolicyFor("openid_provider",
                                              *fed.entity(op).metadata.find("openid_provider"));
        REQUIRE(opPolicy);
        policy = std::move(opPolicy).value();
        policy.maxLifetime = std::chrono::hours(1);
        server.handlePost(endpoint, [this](const std::string &body, const std::string &contentType) {
            return answer(body, contentType);
        });
    }

    test::FederationServer::PostAnswer refusal(int status, const Error &error)
    {
        Json out = Json::object();
        out.set("error", std::string(specErrorCode(error.code)));
        out.set("error_description", error.message);
        return {status, "application/json", out.dump()};
    }

    // The OP's side of 12.2.2 and 12.2.3, with the library.
    test::FederationServer::PostAnswer answer(const std::string &body, const std::string &contentType)
    {
        ++posts;
        OpMode current;
        {
            std::lock_guard lock(mutex);
            current = mode;
        }
        if (current == OpMode::Down)
            return {503, "application/json",
                    R"({"error":"temporarily_unavailable","error_description":"the client store is down"})"};
        const UnixTime at = std::time(nullptr);
        RegistrationRequestOptions requestOptions;
        requestOptions.statements.entityIds.allowHttp = true;
        auto request = parseRegistrationRequest(body, contentType, *EntityId::parse(op, {.allowHttp = true}), at,
                                                requestOptions);
        if (!request)
            return refusal(400, request.error());
        {
            std::lock_guard lock(mutex);
            received.push_back(*request);
        }
        if (current == OpMode::RefuseRedirect)
            return {400, "application/json",
                    R"({"error":"invalid_redirect_uri","error_description":"redirect_uris: not registered here"})"};
        RegistrationContext context{.op = *EntityId::parse(op, {.allowHttp = true}),
                                    .resolver = *resolver,
                                    .policy = policy,
                                    .now = at};
        context.validation.statements.entityIds.allowHttp = true;
        auto registration = registerClient(*request, context);
        if (!registration)
            return refusal(400, registration.error());
        // A forged response: signed by a key no superior vouches for.
        const Jwk &key = current == OpMode::ForgeResponse ? fed.entity(rp).key : fed.entity(op).key;
        auto jwt = issueRegistrationResponse(*registration, {.clientId = "client-" + std::to_string(posts.load())},
                                             *EntityId::parse(op, {.allowHttp = true}), at, key);
        if (!jwt)
            return refusal(500, jwt.error());
        return {200, std::string(kRegistrationResponseMediaType), *jwt};
    }

    void setMode(OpMode next)
    {
        std::lock_guard lock(mutex);
        mode = next;
    }

    std::vector<std::string> args(std::vector<std::string> extra = {}) const
    {
        std::vector<std::string> out{"register", op, "--config", config, "--trust-anchor-file", anchorFile,
                                     "--allow-http", "--allow-loopback"};
        out.insert(out.end(), extra.begin(), extra.end());
        return out;
    }
};

Json parsed(const std::string &text)
{
    return json(text);
}

} // namespace

TEST_CASE("oidfed register: registers the RP at the OP, checks the response and records it")
{
    Federation f;
    auto result = test::runOidfed(f.args());
    INFO(result.out << result.err);
    REQUIRE(result.exitCode == 0);
    Json out = parsed(result.out);
    CHECK(*out.findString("renewal") == "registered");
    CHECK(*out.findString("op") == f.op);
    CHECK(*out.findString("rp") == f.rp);
    CHECK(*out.findString("client_id") == "client-1");
    CHECK(*out.findString("trust_anchor") == f.ta);
    CHECK(*out.findString("authority_hint") == f.ta);
    CHECK(*out.findString("registration_endpoint") == f.endpoint);
    CHECK(*out.findString("file") == f.records);
    CHECK(out.find("exp")->asInt() > f.now);
    CHECK(out.find("exp")->asInt() <= f.now + 3600 + 60);
    // The registered metadata: client_id, the OP's defaults and its choices.
    const Json &client = *out.find("metadata")->find("openid_relying_party");
    CHECK(*client.findString("client_id") == "client-1");
    CHECK(*client.findString("token_endpoint_auth_method") == "private_key_jwt");

    // The request as 12.2.1 says: aud the OP, the trust_chain and
    // peer_trust_chain headers, one authority hint leading to the chosen
    // anchor, metadata tailored to what the OP supports.
    REQUIRE(f.received.size() == 1);
    const RegistrationRequest &request = f.received.front();
    CHECK(request.rp().str() == f.rp);
    CHECK_FALSE(request.chainBody);
    // RP's EC, the anchor's statement about it, the anchor's EC; the same
    // for the OP.
    REQUIRE(request.trustChain.size() == 3);
    REQUIRE(request.peerTrustChain.size() == 3);
    CHECK(request.configuration.authorityHints().size() == 1);
    CHECK(request.configuration.authorityHints().front().str() == f.ta);
    const Json &sent = *request.configuration.claims().find("metadata")->find("openid_relying_party");
    CHECK(sent.find("response_types")->dump() == R"(["code"])");
    CHECK(sent.find("grant_types")->dump() == R"(["authorization_code"])");
    CHECK(*sent.findString("token_endpoint_auth_method") == "private_key_jwt");
    CHECK(sent.find("client_registration_types")->dump() == R"(["explicit"])");

    // The record: the RP's registrations file, owner-only, keyed by OP.
    fs::perms perms = fs::status(f.records).permissions();
    CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    Json records = json(test::readFile(f.records));
    CHECK(*records.findString("rp") == f.rp);
    const Json *entry = records.find("registrations")->find(f.op);
    REQUIRE(entry);
    CHECK(*entry->findString("client_id") == "client-1");
    CHECK(entry->findString("response") != nullptr);

    // Text output names the client_id and the record.
    auto text = test::runOidfed(f.args({"--format", "text", "--renew-within", "10m"}));
    CHECK(text.exitCode == 0);
    CHECK(text.out.find("client-1") != std::string::npos);
    CHECK(text.out.find(f.records) != std::string::npos);
}

TEST_CASE("oidfed register --renew-within: registers again only when the recorded registration ends within it")
{
    Federation f;
    REQUIRE(test::runOidfed(f.args()).exitCode == 0);
    REQUIRE(f.posts == 1);

    auto notDue = test::runOidfed(f.args({"--renew-within", "30m"}));
    INFO(notDue.out << notDue.err);
    CHECK(notDue.exitCode == 0);
    CHECK(*parsed(notDue.out).findString("renewal") == "not due");
    CHECK(*parsed(notDue.out).findString("client_id") == "client-1");
    CHECK(f.posts == 1);

    auto due = test::runOidfed(f.args({"--renew-within", "2h"}));
    INFO(due.out << due.err);
    CHECK(due.exitCode == 0);
    CHECK(*parsed(due.out).findString("renewal") == "registered");
    CHECK(f.posts == 2);
    // The new registration replaces the OP's entry in the record.
    Json records = json(test::readFile(f.records));
    CHECK(*records.find("registrations")->find(f.op)->findString("client_id") == "client-2");

    auto bad = test::runOidfed(f.args({"--renew-within", "soon"}));
    CHECK(bad.exitCode == 2);
    CHECK(bad.out.find("--renew-within") != std::string::npos);
}

TEST_CASE("oidfed register: the OP's refusal, an OP that is down and a forged response record nothing")
{
    Federation f;

    f.setMode(OpMode::RefuseRedirect);
    auto refused = test::runOidfed(f.args());
    INFO(refused.out << refused.err);
    CHECK(refused.exitCode == 1);
    CHECK(*parsed(refused.out).findString("error") == "invalid_redirect_uri");
    CHECK(parsed(refused.out).findString("error_description")->find("not registered here") != std::string::npos);
    CHECK_FALSE(fs::exists(f.records));

    f.setMode(OpMode::Down);
    auto down = test::runOidfed(f.args());
    INFO(down.out << down.err);
    CHECK(down.exitCode == 3);
    CHECK(*parsed(down.out).findString("error") == "temporarily_unavailable");
    CHECK_FALSE(fs::exists(f.records));

    f.setMode(OpMode::ForgeResponse);
    auto forged = test::runOidfed(f.args());
    INFO(forged.out << forged.err);
    CHECK(forged.exitCode == 1);
    CHECK(parsed(forged.out).findString("error_description")->find("12.2.5") != std::string::npos);
    CHECK_FALSE(fs::exists(f.records));
}

TEST_CASE("oidfed register: an OP that does not resolve is never sent a request (12.2.1)")
{
    Federation f;
    std::vector<std::string> args = f.args();
    args[1] = f.server.base() + "/unknown-op";
    auto result = test::runOidfed(args);
    INFO(result.out << result.err);
    CHECK(result.exitCode == 1);
    CHECK(parsed(result.out).findString("error_description")->find("does not resolve") != std::string::npos);
    CHECK(f.posts == 0);
    CHECK_FALSE(fs::exists(f.records));
}

TEST_CASE("oidfed register: usage errors name the switch")
{
    Federation f;
    auto noConfig = test::runOidfed({"register", f.op});
    CHECK(noConfig.exitCode == 2);

    auto unknown = test::runOidfed(f.args({"--entity", f.server.base() + "/nobody"}));
    CHECK(unknown.exitCode == 2);
    CHECK(unknown.out.find("--entity") != std::string::npos);

    auto unpinned = test::runOidfed(f.args({"--trust-anchor", f.server.base() + "/other-ta"}));
    CHECK(unpinned.exitCode == 2);
    CHECK(unpinned.out.find("--trust-anchor") != std::string::npos);
    CHECK(f.posts == 0);
}
