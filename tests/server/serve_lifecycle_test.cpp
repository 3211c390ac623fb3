// `oidfed serve` over time: key rotation with `oidfed keys` and SIGHUP (old
// and new keys both accepted during the overlap, historical keys published),
// subordinates added and broken on disk, replicas sharing a real Redis.

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <ctime>
#include <filesystem>
#include <fstream>

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

StatementOptions httpOptions()
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    return options;
}

EntityStatement configurationOf(const ServedFederation &fed, const std::string &name)
{
    HttpReply reply = fed.get("/" + name + "/.well-known/openid-federation");
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    auto statement = EntityStatement::parse(reply.body, httpOptions());
    REQUIRE_MESSAGE(statement, statement.error().describe());
    return std::move(statement).value();
}

test::ProcessResult keys(const ServedFederation &fed, std::vector<std::string> arguments)
{
    std::vector<std::string> argv{test::oidfedCli(), "--format", "json", "keys"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    argv.push_back("--dir");
    argv.push_back((fed.dir() / "keys" / "ta").string());
    test::ProcessResult result = test::runProcess(argv);
    REQUIRE_MESSAGE(result.exitCode == 0, (result.out + result.err));
    return result;
}

std::string resolveOp(const ServedFederation &fed)
{
    return fed.get("/ta/resolve?sub=" + fed.id("op") + "&trust_anchor=" + fed.id("ta")).body;
}

} // namespace

TEST_CASE("trust anchor key rotation: announce, activate, overlap, historical keys")
{
    ServedFederation fed;
    const std::string firstKid = configurationOf(fed, "ta").jws().kid();
    JwkSet firstKeys = fed.keysOf("ta");
    REQUIRE(firstKeys.keys().size() == 1);
    std::string ia = fed.get("/ta/fetch?sub=" + fed.id("ia")).body;

    // 1. Announce a next key: published, not signing.
    std::string nextKid = *json(keys(fed, {"rotate"}).out).findString("kid");
    REQUIRE(fed.reload());
    EntityStatement announced = configurationOf(fed, "ta");
    CHECK(announced.jws().kid() == firstKid);
    CHECK(announced.jwks().keys().size() == 2);
    CHECK(announced.jwks().find(nextKid) != nullptr);

    // 2. Activate it: statements are now signed with the new key; the old
    // key stays published, so statements it signed before still verify.
    keys(fed, {"activate"});
    REQUIRE(fed.reload());
    EntityStatement rotated = configurationOf(fed, "ta");
    CHECK(rotated.jws().kid() == nextKid);
    CHECK(rotated.jwks().find(firstKid) != nullptr);
    auto before = EntityStatement::parse(ia, httpOptions());
    REQUIRE(before);
    CHECK(before->jws().kid() == firstKid);
    CHECK(before->verifySignature(rotated.jwks()));
    auto after = EntityStatement::parse(fed.get("/ta/fetch?sub=" + fed.id("ia")).body, httpOptions());
    REQUIRE(after);
    CHECK(after->jws().kid() == nextKid);
    CHECK(after->verifySignature(rotated.jwks()));

    // The server's resolver pins the hosted anchor's published keys, so it
    // resolves with the new signer at once; its response verifies against
    // the anchor's current jwks (which relying parties re-pin during the
    // announcement period, spec 11.2).
    auto response = verifyResolveResponse(resolveOp(fed), rotated.jwks(),
                                          EntityId::parse(fed.id("ta"), {.allowHttp = true}).value(), fed.id("op"),
                                          std::time(nullptr), std::chrono::seconds(60), httpOptions());
    CHECK_MESSAGE(response, resolveOp(fed));
    if (response)
        CHECK(EntityStatement::parse(response->trustChain.back(), httpOptions())->jws().kid() == nextKid);

    // 3. Historical keys list the retired key with its exp.
    auto history = Jws::parse(fed.get("/ta/historical-keys").body);
    REQUIRE(history);
    CHECK(history->verify(rotated.jwks()));
    Json historical = history->payloadJson().value();
    REQUIRE(historical.find("keys")->size() == 1);
    const Json &retired = historical.find("keys")->asArray()[0];
    CHECK(*retired.findString("kid") == firstKid);
    CHECK(retired.find("exp")->asInt() > std::time(nullptr));

    // 4. Revoke it (compromised): it leaves jwks at once and is marked revoked.
    keys(fed, {"revoke", firstKid, "--reason", "compromised"});
    REQUIRE(fed.reload());
    CHECK(configurationOf(fed, "ta").jwks().find(firstKid) == nullptr);
    Json revoked = Jws::parse(fed.get("/ta/historical-keys").body)->payloadJson().value();
    CHECK(*revoked.find("keys")->asArray()[0].find("revoked")->findString("reason") == "compromised");
    // A statement signed by the revoked key no longer verifies against the EC.
    CHECK_FALSE(before->verifySignature(configurationOf(fed, "ta").jwks()));
}

TEST_CASE("subordinates on disk: SIGHUP adds one; a new broken file is left out, the others stay")
{
    ServedFederation fed;
    // Another RP, with its own pinned key, registered under the intermediate.
    Jwk key = Jwk::generate(JwsAlgorithm::ES256).value();
    Json file = Json::object();
    file.set("entity_id", "https://library2.example.org");
    Json jwks = Json::object();
    Json list = Json::array();
    list.push(key.toPublicJson());
    jwks.set("keys", std::move(list));
    file.set("jwks", std::move(jwks));
    Json types = Json::array();
    types.push("openid_relying_party");
    file.set("entity_types", std::move(types));
    std::ofstream(fed.dir() / "subordinates" / "ia" / "library2.json") << file.dump(true);

    CHECK(fed.get("/ia/fetch?sub=https://library2.example.org").status == 404);
    REQUIRE(fed.reload());
    HttpReply added = fed.get("/ia/fetch?sub=https://library2.example.org");
    CHECK(added.status == 200);
    CHECK(json(fed.get("/ia/list?entity_type=openid_relying_party").body).size() == 2);

    // A broken new file affects only itself: the reload applies the rest
    // (serve_availability_test covers a file that breaks, at start and on
    // reload).
    std::ofstream(fed.dir() / "subordinates" / "ia" / "broken.json") << R"({"entity_id": "https://x.example", "typo": 1})";
    CHECK(fed.reload());
    CHECK(fed.process().log().find("broken.json") != std::string::npos);
    CHECK(fed.get("/ia/fetch?sub=https://library2.example.org").status == 200);
    CHECK(fed.get("/ia/fetch?sub=https://x.example").status == 404);
    CHECK(fed.get("/metrics").body.find("oidfed_reloads_total{result=\"ok\"} 2") != std::string::npos);
    CHECK(*json(fed.get("/readyz").body).findString("status") == "degraded");
    std::filesystem::remove(fed.dir() / "subordinates" / "ia" / "broken.json");
    CHECK(fed.reload());
    CHECK(*json(fed.get("/readyz").body).findString("status") == "ready");
}

TEST_CASE("subordinates on disk: a blocked one is not served, and _defaults.json reaches every statement")
{
    ServedFederation fed;
    const std::filesystem::path dir = fed.dir() / "subordinates" / "ia";
    std::string file;
    std::string subject;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        Json record = json(test::readFile(entry.path().string()));
        if (record.find("entity_types") && record.find("entity_types")->dump().find("openid_relying_party") !=
                                               std::string::npos) {
            file = entry.path().string();
            subject = *record.findString("entity_id");
        }
    }
    REQUIRE_FALSE(file.empty());
    REQUIRE(fed.get("/ia/fetch?sub=" + subject).status == 200);
    const std::string original = test::readFile(file);

    Json blocked = json(original);
    blocked.set("blocked", json(R"({"reason": "under review"})"));
    std::ofstream(file) << blocked.dump(true);
    REQUIRE(fed.reload());
    CHECK(fed.get("/ia/fetch?sub=" + subject).status == 404);
    CHECK(fed.get("/ia/list").body.find(subject) == std::string::npos);

    std::ofstream(file) << original;
    std::ofstream(dir / "_defaults.json") << R"({"constraints": {"max_path_length": 0}})";
    REQUIRE(fed.reload());
    HttpReply served = fed.get("/ia/fetch?sub=" + subject);
    REQUIRE(served.status == 200);
    auto statement = EntityStatement::parse(served.body, httpOptions());
    REQUIRE_MESSAGE(statement, statement.error().describe());
    REQUIRE(statement->claim("constraints"));
    CHECK(*statement->claim("constraints") == json(R"({"max_path_length": 0})"));
    CHECK(fed.get("/ia/list").body.find(subject) != std::string::npos);
}

TEST_CASE("SIGHUP under load drops no request")
{
    ServedFederation fed;
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 2; ++i) {
        clients.emplace_back([&, i] {
            const std::string path = i == 0 ? "/ta/fetch?sub=" + fed.id("ia") : "/op/.well-known/openid-federation";
            while (!stop) {
                try {
                    HttpReply reply = fed.get(path);
                    (reply.status == 200 ? answered : failed)++;
                } catch (const std::exception &) {
                    failed++;
                }
            }
        });
    }
    for (int reload = 0; reload < 5; ++reload)
        CHECK(fed.reload());
    stop = true;
    for (std::thread &client : clients)
        client.join();
    CHECK(failed == 0);
    CHECK(answered > 0);
    MESSAGE(answered.load() << " requests answered across 5 reloads");
}

TEST_CASE("SIGHUP re-reads oidfed.json: its entities are applied, other members need a restart, "
          "a broken file keeps the running configuration")
{
    ServedFederation fed;
    auto organisation = [&] {
        auto jws = Jws::parse(fed.get("/op/.well-known/openid-federation").body);
        REQUIRE(jws);
        const Json payload = jws->payloadJson().value();
        return *payload.find("metadata")->find("federation_entity")->findString("organization_name");
    };
    CHECK(organisation() == "Demo University Login");
    const std::filesystem::path file = fed.dir() / "oidfed.json";
    const std::string original = test::readText(file);
    std::string edited = test::replaceAll(original, "Demo University Login", "Renamed University Login");
    edited = test::replaceAll(edited, "\"threads\": 2,", "\"threads\": 3,");
    REQUIRE(edited != original);
    test::writeText(file, edited);
    REQUIRE(fed.reload());
    CHECK(organisation() == "Renamed University Login");
    CHECK(fed.process().log().find("not applied until a restart: threads") != std::string::npos);

    // A file that does not parse: the running configuration stays, and says so.
    test::writeText(file, edited + "}");
    CHECK_FALSE(fed.reload());
    CHECK(organisation() == "Renamed University Login");
    Json readiness = json(fed.get("/readyz").body);
    CHECK(*readiness.findString("status") == "degraded");
    REQUIRE(readiness.find("problems"));
    CHECK(*readiness.find("problems")->asArray()[0].findString("kind") == "configuration");
    CHECK(fed.get("/metrics").body.find("oidfed_reloads_total{result=\"failed\"} 1") != std::string::npos);

    test::writeText(file, edited);
    REQUIRE(fed.reload());
    CHECK(*json(fed.get("/readyz").body).findString("status") == "ready");
}
