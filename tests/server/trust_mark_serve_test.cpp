// Trust marks end to end on a real `oidfed serve` (issue 6): the demo
// federation's owner (the trust anchor), delegated issuer (the intermediate)
// and holders (the OP and the credential issuer); the trust mark, trust mark
// list and trust mark status endpoints with their error cases; revocation
// seen by the status endpoint, the holder's Entity Configuration and the
// resolver (with and without the status policy); the list endpoint's trust
// mark filters; and `oidfed trust-mark issue|delegate|revoke|verify|status`
// as a user runs them. Keys are generated at run time; nothing is timed.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include <oidfed/federation_urls.h>
#include <oidfed/base64url.h>
#include <oidfed/jws.h>
#include <oidfed/resolve_response.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "background_process.h"
#include "entity/key_store.h"
#include "entity/trust_mark_record.h"
#include "http_client.h"
#include "served_federation.h"
#include "subprocess.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::json;

namespace fs = std::filesystem;

namespace {

const std::string kType = "https://demo-federation.example.org/trust-marks/certified-provider";
const std::string kForm = "Content-Type: application/x-www-form-urlencoded";

StatementOptions httpOptions()
{
    StatementOptions options;
    options.entityIds.allowHttp = true;
    return options;
}

// The demo federation on a free port, like ServedFederation, with edits of
// its configuration ("{base}" in the replacement is the base URL) and a
// step that runs before the server starts (with the base URL).
class MarkFederation {
public:
    using Prepare = std::function<void(MarkFederation &)>;

    explicit MarkFederation(std::vector<std::pair<std::string, std::string>> edits = {}, Prepare prepare = {})
    {
        const char *source = std::getenv("OIDFED_SOURCE_DIR");
        REQUIRE(source != nullptr);
        fs::path demo = fs::path(source) / "trust-anchors" / "demo";
        std::random_device random;
        dir_ = fs::temp_directory_path() / ("oidfed-tm-" + std::to_string(random()));
        port_ = test::freeLoopbackPort();
        base_ = "http://127.0.0.1:" + std::to_string(port_);
        for (const auto &entry : fs::recursive_directory_iterator(demo)) {
            fs::path relative = fs::relative(entry.path(), demo);
            if (*relative.begin() == "keys")
                continue;
            if (entry.is_directory())
                fs::create_directories(dir_ / relative);
            else if (entry.is_regular_file())
                test::writeText(dir_ / relative, test::replaceAll(test::readText(entry.path()), "http://127.0.0.1:8777", base_));
        }
        std::string config = test::replaceAll(test::readText(dir_ / "oidfed.json"), "127.0.0.1:8777", "127.0.0.1:" + std::to_string(port_));
        for (const auto &edit : edits) {
            const std::string &from = edit.first;  // not a structured binding: clang < 16 cannot capture one
            const std::string &to = edit.second;
            REQUIRE_MESSAGE(config.find(from) != std::string::npos, "edit not applicable: " << from);
            config = test::replaceAll(config, from, test::replaceAll(to, "{base}", base_));
        }
        test::writeText(dir_ / "oidfed.json", config);
        if (prepare)
            prepare(*this);
        start();
    }

    /// Stops the server (SIGTERM) and starts it again on the same port.
    void restart()
    {
        process_->signal(SIGTERM);
        REQUIRE(process_->waitExit(std::chrono::seconds(10)) == 0);
        process_.reset();
        start();
    }

    ~MarkFederation()
    {
        if (process_) {
            process_->signal(SIGTERM);
            process_->waitExit(std::chrono::seconds(10));
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    const std::string &base() const { return base_; }
    std::string id(const std::string &name) const { return base_ + "/" + name; }
    const fs::path &dir() const { return dir_; }
    std::string log() const { return process_ ? process_->log() : std::string(); }

    HttpReply get(const std::string &pathAndQuery, const std::vector<std::string> &headers = {}) const
    {
        return test::httpRequest(base_ + pathAndQuery, headers);
    }
    HttpReply post(const std::string &path, const std::string &body, const std::string &contentType = kForm) const
    {
        return test::httpRequest(base_ + path, {contentType}, "POST", body);
    }
    HttpReply status(const std::string &mark) const { return post("/ia/trust-mark-status", "trust_mark=" + percentEncode(mark)); }

    test::ProcessResult cli(std::vector<std::string> args) const
    {
        args.insert(args.begin(), {test::oidfedCli(), "--format", "json"});
        return test::runProcess(std::move(args));
    }

    JwkSet keysOf(const std::string &name) const { return store(name).publishedKeys(std::time(nullptr)); }
    Jwk activeKeyOf(const std::string &name) const { return store(name).activeKey(); }

    std::string anchorFile() const
    {
        Json pin = Json::object();
        pin.set("entity_id", id("ta"));
        pin.set("jwks", keysOf("ta").toJson());
        fs::path file = dir_ / "ta-anchor.json";
        test::writeText(file, pin.dump());
        return file.string();
    }

    /// SIGHUP; true when the log then shows a successful reload.
    bool reload()
    {
        auto count = [this](const char *marker) {
            std::string log = process_->log();
            std::size_t n = 0;
            for (std::size_t at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
                ++n;
            return n;
        };
        std::size_t ok = count("reloaded the configuration"), failed = count("reload failed");
        process_->signal(SIGHUP);
        for (int i = 0; i < 1000; ++i) {
            if (count("reloaded the configuration") > ok)
                return true;
            if (count("reload failed") > failed)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        FAIL("no reload outcome in the log: " << process_->log());
        return false;
    }

private:
    void start()
    {
        ++starts_;
        process_ = std::make_unique<test::BackgroundProcess>(
            std::vector<std::string>{test::oidfedCli(), "serve", "--config", (dir_ / "oidfed.json").string()},
            (dir_ / ("serve" + std::to_string(starts_) + ".log")).string());
        bool up = test::waitForPort(port_, std::chrono::seconds(20));
        REQUIRE_MESSAGE(up, "oidfed serve did not start: " << process_->log());
    }

    entity::KeyStore store(const std::string &name) const
    {
        entity::KeyStoreOptions options;
        options.createIfMissing = false;
        auto store = entity::KeyStore::open(dir_ / "keys" / name, options, std::time(nullptr));
        REQUIRE_MESSAGE(store, store.error().describe());
        return std::move(store).value();
    }

    fs::path dir_;
    int port_ = 0;
    std::string base_;
    std::unique_ptr<test::BackgroundProcess> process_;
    int starts_ = 0;
};

Json claimsOf(const std::string &jwt)
{
    auto jws = Jws::parse(jwt);
    REQUIRE_MESSAGE(jws, jwt);
    auto claims = jws->payloadJson();
    REQUIRE(claims);
    return std::move(claims).value();
}

std::string headerTyp(const std::string &jwt)
{
    auto jws = Jws::parse(jwt);
    REQUIRE(jws);
    const std::string *typ = jws->header().findString("typ");
    return typ ? *typ : std::string();
}

ResolveResponse resolveAtAnchor(const MarkFederation &fed, const std::string &subject)
{
    HttpReply reply = fed.get("/ta/resolve?sub=" + percentEncode(fed.id(subject)) + "&trust_anchor=" + percentEncode(fed.id("ta")));
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    auto response = verifyResolveResponse(reply.body, fed.keysOf("ta"), *EntityId::parse(fed.id("ta"), {.allowHttp = true}),
                                          fed.id(subject), std::time(nullptr), std::chrono::seconds(60), httpOptions());
    REQUIRE_MESSAGE(response, response.error().describe());
    return std::move(response).value();
}

std::vector<std::string> markTypes(const ResolveResponse &response)
{
    std::vector<std::string> out;
    if (response.trustMarks.isArray())
        for (const Json &entry : response.trustMarks.asArray())
            out.push_back(*entry.findString("trust_mark_type"));
    return out;
}

std::vector<std::string> stringArray(const HttpReply &reply)
{
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/json");
    std::vector<std::string> out;
    const Json array = json(reply.body);
    for (const Json &item : array.asArray())
        out.push_back(item.asString());
    return out;
}

std::string markOf(const MarkFederation &fed, const std::string &holder)
{
    HttpReply reply = fed.get("/ia/trust-mark?trust_mark_type=" + percentEncode(kType) + "&sub=" + percentEncode(fed.id(holder)));
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/trust-mark+jwt");
    return reply.body;
}

// Verifies a status response with the issuer's keys; returns its status.
std::string statusOf(const MarkFederation &fed, const HttpReply &reply, const std::string &mark)
{
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/trust-mark-status-response+jwt");
    CHECK(headerTyp(reply.body) == "trust-mark-status-response+jwt");
    auto status = verifyTrustMarkStatusResponse(reply.body, fed.keysOf("ia"), *EntityId::parse(fed.id("ia"), {.allowHttp = true}),
                                                mark, std::time(nullptr), std::chrono::seconds(60), httpOptions());
    REQUIRE_MESSAGE(status, status.error().describe());
    return status->status;
}

// A mark signed with `signer`'s active key, for tests that need one the
// server would not issue (expired, another type, another issuer).
std::string signMark(const MarkFederation &fed, const std::string &signer, const std::string &issuer,
                     const std::string &subject, const std::string &type, UnixTime iat, UnixTime exp,
                     const std::string &delegation = {})
{
    TrustMarkClaims claims{.issuer = *EntityId::parse(fed.id(issuer), {.allowHttp = true}),
                           .subject = *EntityId::parse(fed.id(subject), {.allowHttp = true}),
                           .trustMarkType = type,
                           .issuedAt = iat,
                           .expiresAt = exp,
                           .delegation = delegation};
    auto jwt = issueTrustMark(claims, fed.activeKeyOf(signer), httpOptions());
    REQUIRE_MESSAGE(jwt, jwt.error().describe());
    return *jwt;
}

std::string delegationFrom(const MarkFederation &fed, const std::string &signer, UnixTime iat, UnixTime exp)
{
    TrustMarkDelegationClaims claims{.owner = *EntityId::parse(fed.id("ta"), {.allowHttp = true}),
                                     .issuer = *EntityId::parse(fed.id("ia"), {.allowHttp = true}),
                                     .trustMarkType = kType,
                                     .issuedAt = iat,
                                     .expiresAt = exp};
    auto jwt = issueTrustMarkDelegation(claims, fed.activeKeyOf(signer), httpOptions());
    REQUIRE_MESSAGE(jwt, jwt.error().describe());
    return *jwt;
}

const std::vector<std::string> &resolveSwitches()
{
    static const std::vector<std::string> switches{"--allow-http", "--allow-loopback"};
    return switches;
}

test::ProcessResult verifyWithCli(const MarkFederation &fed, const std::string &mark)
{
    fs::path file = fed.dir() / "mark.jwt";
    test::writeText(file, mark);
    std::vector<std::string> args{"trust-mark", "verify", file.string(), "--trust-anchor-file", fed.anchorFile()};
    args.insert(args.end(), resolveSwitches().begin(), resolveSwitches().end());
    return fed.cli(args);
}

} // namespace

TEST_CASE("the demo: the holder's delegated mark is issued, published, resolved and independently verifiable")
{
    MarkFederation fed;
    const UnixTime now = std::time(nullptr);

    SUBCASE("the issuer advertises its three endpoints; the anchor names owner and issuer")
    {
        HttpReply ec = fed.get("/ia/.well-known/openid-federation");
        REQUIRE(ec.status == 200);
        const Json claims = claimsOf(ec.body);
        const Json *federation = claims.find("metadata")->find("federation_entity");
        CHECK(*federation->findString("federation_trust_mark_endpoint") == fed.id("ia") + "/trust-mark");
        CHECK(*federation->findString("federation_trust_mark_list_endpoint") == fed.id("ia") + "/trust-mark-list");
        CHECK(*federation->findString("federation_trust_mark_status_endpoint") == fed.id("ia") + "/trust-mark-status");
        Json ta = claimsOf(fed.get("/ta/.well-known/openid-federation").body);
        CHECK(*ta.find("trust_mark_owners")->find(kType)->findString("sub") == fed.id("ta"));
        CHECK(ta.find("trust_mark_owners")->find(kType)->find("jwks")->find("keys")->size() >= 1);
        CHECK(ta.find("trust_mark_issuers")->find(kType)->asArray().front().asString() == fed.id("ia"));
    }

    SUBCASE("the mark: typ, Final claim names, delegation from the owner")
    {
        const std::string mark = markOf(fed, "op");
        CHECK(headerTyp(mark) == "trust-mark+jwt");
        Json claims = claimsOf(mark);
        CHECK(*claims.findString("iss") == fed.id("ia"));
        CHECK(*claims.findString("sub") == fed.id("op"));
        CHECK(*claims.findString("trust_mark_type") == kType);
        CHECK_FALSE(claims.contains("trust_mark_id"));
        CHECK_FALSE(claims.contains("id"));
        CHECK(claims.find("iat")->asInt() <= now + 5);
        CHECK(claims.find("exp")->asInt() > now);
        CHECK(*claims.findString("ref") == kType);
        const std::string delegation = *claims.findString("delegation");
        CHECK(headerTyp(delegation) == "trust-mark-delegation+jwt");
        Json delegated = claimsOf(delegation);
        CHECK(*delegated.findString("iss") == fed.id("ta"));
        CHECK(*delegated.findString("sub") == fed.id("ia"));
        CHECK(*delegated.findString("trust_mark_type") == kType);
        // The same bytes again (pre-signed), with an ETag.
        CHECK(markOf(fed, "op") == mark);
        CHECK_FALSE(fed.get("/ia/trust-mark?trust_mark_type=" + percentEncode(kType) + "&sub=" + percentEncode(fed.id("op")))
                        .header("etag")
                        .empty());
    }

    SUBCASE("the holder's EC carries it, the resolve response lists exactly it, exp accounts for it")
    {
        Json ec = claimsOf(fed.get("/op/.well-known/openid-federation").body);
        REQUIRE(ec.find("trust_marks"));
        CHECK(*ec.find("trust_marks")->asArray().front().findString("trust_mark_type") == kType);
        ResolveResponse op = resolveAtAnchor(fed, "op");
        CHECK(markTypes(op) == std::vector<std::string>{kType});
        const std::string mark = *op.trustMarks.asArray().front().findString("trust_mark");
        CHECK(op.expiresAt <= claimsOf(mark).find("exp")->asInt());
        // The relying party has none.
        CHECK(markTypes(resolveAtAnchor(fed, "rp")).empty());
    }

    SUBCASE("oidfed trust-mark verify and status accept it")
    {
        const std::string mark = markOf(fed, "ci");
        test::ProcessResult verified = verifyWithCli(fed, mark);
        CHECK_MESSAGE(verified.exitCode == 0, verified.out);
        CHECK(*json(verified.out).findString("iss") == fed.id("ia"));
        std::vector<std::string> args{"trust-mark", "status", (fed.dir() / "mark.jwt").string(), "--trust-anchor-file",
                                      fed.anchorFile(), "--allow-http", "--allow-loopback"};
        test::ProcessResult status = fed.cli(args);
        CHECK_MESSAGE(status.exitCode == 0, status.out);
        CHECK(*json(status.out).findString("status") == "active");
    }
}

TEST_CASE("trust mark endpoint: media type and every error")
{
    MarkFederation fed;
    const std::string type = percentEncode(kType);
    const std::string op = percentEncode(fed.id("op"));
    test::checkSpecError(fed.get("/ia/trust-mark?sub=" + op), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&sub=" + op + "&sub=" + op), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&trust_mark_type=" + type + "&sub=" + op), 400,
               "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=&sub=" + op), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&sub=not-a-url"), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=https%3A%2F%2Fother.example%2Ftm&sub=" + op), 404, "not_found");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&sub=" + percentEncode(fed.id("rp"))), 404, "not_found");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&sub=" + percentEncode("https://stranger.example")), 404,
               "not_found");
    HttpReply posted = fed.post("/ia/trust-mark", "trust_mark_type=" + type + "&sub=" + op);
    CHECK(posted.status == 405);
    CHECK(posted.header("allow") == "GET");
    // Only an issuer has the endpoints.
    test::checkSpecError(fed.get("/op/trust-mark?trust_mark_type=" + type + "&sub=" + op), 404, "not_found");
    // Unknown parameters are ignored.
    CHECK(fed.get("/ia/trust-mark?trust_mark_type=" + type + "&sub=" + op + "&iss=x").status == 200);
}

TEST_CASE("trust mark list endpoint: holders, sub filter, errors")
{
    MarkFederation fed;
    const std::string type = percentEncode(kType);
    CHECK(stringArray(fed.get("/ia/trust-mark-list?trust_mark_type=" + type)) ==
          std::vector<std::string>{fed.id("ci"), fed.id("op")});
    CHECK(stringArray(fed.get("/ia/trust-mark-list?trust_mark_type=" + type + "&sub=" + percentEncode(fed.id("op")))) ==
          std::vector<std::string>{fed.id("op")});
    CHECK(stringArray(fed.get("/ia/trust-mark-list?trust_mark_type=" + type + "&sub=" + percentEncode(fed.id("rp")))).empty());
    test::checkSpecError(fed.get("/ia/trust-mark-list"), 400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark-list?trust_mark_type=" + type + "&trust_mark_type=" + type), 400,
               "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark-list?trust_mark_type=" + type + "&sub=" + percentEncode(fed.id("op")) +
                       "&sub=" + percentEncode(fed.id("ci"))),
               400, "invalid_request");
    test::checkSpecError(fed.get("/ia/trust-mark-list?trust_mark_type=https%3A%2F%2Fother.example%2Ftm"), 404, "not_found");
    CHECK(fed.post("/ia/trust-mark-list", "trust_mark_type=" + type).status == 405);
}

TEST_CASE("trust mark status endpoint: signed answers and every error")
{
    MarkFederation fed;
    const UnixTime now = std::time(nullptr);
    const std::string mark = markOf(fed, "op");

    SUBCASE("active, signed by the issuer, about exactly the mark posted")
    {
        CHECK(statusOf(fed, fed.status(mark), mark) == "active");
        HttpReply reply = fed.status(mark);
        CHECK(reply.header("cache-control") == "no-store");
        Json claims = claimsOf(reply.body);
        CHECK(*claims.findString("iss") == fed.id("ia"));
        CHECK(*claims.findString("trust_mark") == mark);
        CHECK(claims.find("iat")->isInt());
        // Content-Type parameters are allowed.
        CHECK(fed.post("/ia/trust-mark-status", "trust_mark=" + percentEncode(mark),
                       "Content-Type: application/x-www-form-urlencoded; charset=utf-8")
                  .status == 200);
    }

    SUBCASE("method, content type and parameters")
    {
        HttpReply get = fed.get("/ia/trust-mark-status?trust_mark=" + percentEncode(mark));
        CHECK(get.status == 405);
        CHECK(get.header("allow") == "POST");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark=" + percentEncode(mark), "Content-Type: application/json"),
                   400, "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark=" + percentEncode(mark), "Content-Type: text/plain"), 400,
                   "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "sub=x"), 400, "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark="), 400, "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark=" + percentEncode(mark) + "&trust_mark=" + percentEncode(mark)), 400,
                   "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark=%ZZ"), 400, "invalid_request");
        test::checkSpecError(fed.post("/ia/trust-mark-status", "trust_mark=not.a.jwt"), 400, "invalid_request");
    }

    SUBCASE("unknown to this issuer: 404")
    {
        // Issued by another entity (self-signed by the credential issuer).
        test::checkSpecError(fed.status(signMark(fed, "ci", "ci", "ci", kType, now, now + 600)), 404, "not_found");
        // Claims this issuer but is of a type it does not issue.
        test::checkSpecError(fed.status(signMark(fed, "ia", "ia", "op", "https://other.example/tm", now, now + 600)), 404,
                   "not_found");
        // Well-formed, of a type it issues, for a holder, signed with its key,
        // but not a mark it issued: no record of it (8.4.2).
        test::checkSpecError(fed.status(signMark(fed, "ia", "ia", "op", kType, now, now + 600,
                                                 *claimsOf(mark).findString("delegation"))),
                             404, "not_found");
    }

    SUBCASE("tampered, forged or expired")
    {
        // A changed payload: the signature no longer verifies.
        auto jws = Jws::parse(mark);
        REQUIRE(jws);
        Json claims = claimsOf(mark);
        claims.set("sub", fed.id("rp"));
        const std::string encoded = base64urlEncode(claims.dump());
        std::size_t first = mark.find('.'), second = mark.rfind('.');
        const std::string tampered = mark.substr(0, first + 1) + encoded + mark.substr(second);
        CHECK(statusOf(fed, fed.status(tampered), tampered) == "invalid");
        // Signed by a key that is not the issuer's.
        const std::string forged = signMark(fed, "op", "ia", "op", kType, now, now + 600, *claimsOf(mark).findString("delegation"));
        CHECK(statusOf(fed, fed.status(forged), forged) == "invalid");
        // The issuer's own mark, recorded, past its exp.
        const std::string expired =
            signMark(fed, "ia", "ia", "op", kType, now - 7200, now - 3600, *claimsOf(mark).findString("delegation"));
        REQUIRE(entity::recordIssuedTrustMark(fed.dir() / "trust-marks" / "ia", expired));
        CHECK(statusOf(fed, fed.status(expired), expired) == "expired");
    }
}

TEST_CASE("revocation: status, issuer endpoints, the holder's EC and resolve")
{
    MarkFederation fed;
    const std::string mark = markOf(fed, "op");
    REQUIRE(markTypes(resolveAtAnchor(fed, "op")) == std::vector<std::string>{kType});

    test::ProcessResult revoked =
        fed.cli({"trust-mark", "revoke", "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--type", kType, "--sub",
                 fed.id("op"), "--reason", "audit failed", "--allow-http"});
    REQUIRE_MESSAGE(revoked.exitCode == 0, revoked.out);
    CHECK(*json(revoked.out).findString("file") == "certified-provider.json");
    // Published after a reload, and the output says how to send one.
    CHECK(json(revoked.out).findString("reload")->find("kill -HUP") != std::string::npos);
    // Revoking twice, or a subject that is not listed, is refused.
    CHECK(fed.cli({"trust-mark", "revoke", "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--type", kType, "--sub",
                   fed.id("op"), "--allow-http"})
              .exitCode == 2);
    CHECK(fed.cli({"trust-mark", "revoke", "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--type", kType, "--sub",
                   fed.id("rp"), "--allow-http"})
              .exitCode == 2);
    REQUIRE(fed.reload());

    CHECK(statusOf(fed, fed.status(mark), mark) == "revoked");
    test::checkSpecError(fed.get("/ia/trust-mark?trust_mark_type=" + percentEncode(kType) + "&sub=" + percentEncode(fed.id("op"))), 404,
               "not_found");
    CHECK(stringArray(fed.get("/ia/trust-mark-list?trust_mark_type=" + percentEncode(kType))) ==
          std::vector<std::string>{fed.id("ci")});
    CHECK_FALSE(claimsOf(fed.get("/op/.well-known/openid-federation").body).contains("trust_marks"));
    CHECK(markTypes(resolveAtAnchor(fed, "op")).empty());
    // The other holder keeps its mark.
    CHECK(markTypes(resolveAtAnchor(fed, "ci")) == std::vector<std::string>{kType});

    fs::path file = fed.dir() / "mark.jwt";
    test::writeText(file, mark);
    test::ProcessResult status = fed.cli({"trust-mark", "status", file.string(), "--trust-anchor-file",
                                          fed.anchorFile(), "--allow-http", "--allow-loopback"});
    CHECK(status.exitCode == 1);
    CHECK(*json(status.out).findString("status") == "revoked");
}

namespace {

// The relying party carries a mark in its configuration (trust_marks), so
// its EC keeps the mark after the issuer revoked it: only the status policy
// can tell.
void prepareStaticMark(MarkFederation &fed, std::string &markOut)
{
    for (const char *name : {"ta", "ia"})
        REQUIRE(fed.cli({"keys", "init", "--dir", (fed.dir() / "keys" / name).string()}).exitCode == 0);
    test::ProcessResult delegation =
        fed.cli({"trust-mark", "delegate", "--keys-dir", (fed.dir() / "keys" / "ta").string(), "--owner", fed.id("ta"),
                 "--issuer", fed.id("ia"), "--type", kType, "--allow-http"});
    REQUIRE_MESSAGE(delegation.exitCode == 0, delegation.out);
    test::writeText(fed.dir() / "delegation.jwt", delegation.out);
    // The issuer lists the relying party, and records the mark it issues
    // offline, so the status is active.
    fs::path types = fed.dir() / "trust-marks" / "ia" / "certified-provider.json";
    std::string text = test::readText(types);
    const std::string anchor = "\"subjects\": [";
    REQUIRE(text.find(anchor) != std::string::npos);
    text.replace(text.find(anchor), anchor.size(), anchor + " { \"entity_id\": \"" + fed.id("rp") + "\" },");
    test::writeText(types, text);
    test::ProcessResult mark =
        fed.cli({"trust-mark", "issue", "--keys-dir", (fed.dir() / "keys" / "ia").string(), "--issuer", fed.id("ia"),
                 "--sub", fed.id("rp"), "--type", kType, "--delegation", (fed.dir() / "delegation.jwt").string(),
                 "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--allow-http"});
    REQUIRE_MESSAGE(mark.exitCode == 0, mark.out);
    markOut = mark.out.substr(0, mark.out.find('\n'));
    std::string config = test::readText(fed.dir() / "oidfed.json");
    const std::string rp = "\"keys_dir\": \"keys/rp\",";
    REQUIRE(config.find(rp) != std::string::npos);
    config.replace(config.find(rp), rp.size(),
                   rp + " \"trust_marks\": [ { \"trust_mark_type\": \"" + kType + "\", \"trust_mark\": \"" + markOut +
                       "\" } ],");
    test::writeText(fed.dir() / "oidfed.json", config);
}

} // namespace

TEST_CASE("status policy: a revoked mark leaves resolve responses only when its type is status-checked")
{
    for (bool statusPolicy : {true, false}) {
        CAPTURE(statusPolicy);
        std::string mark;
        std::vector<std::pair<std::string, std::string>> edits;
        if (!statusPolicy)
            edits.emplace_back("\"status_types\": [ \"" + kType + "\" ],", "\"status_types\": [],");
        MarkFederation fed(edits, [&](MarkFederation &f) { prepareStaticMark(f, mark); });
        REQUIRE(markTypes(resolveAtAnchor(fed, "rp")) == std::vector<std::string>{kType});
        CHECK(statusOf(fed, fed.status(mark), mark) == "active");

        REQUIRE(fed.cli({"trust-mark", "revoke", "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--type", kType,
                         "--sub", fed.id("rp"), "--allow-http"})
                    .exitCode == 0);
        REQUIRE(fed.reload());
        CHECK(statusOf(fed, fed.status(mark), mark) == "revoked");
        // The EC still carries it; the resolver decides.
        CHECK(claimsOf(fed.get("/rp/.well-known/openid-federation").body).contains("trust_marks"));
        if (statusPolicy)
            CHECK(markTypes(resolveAtAnchor(fed, "rp")).empty());
        else
            CHECK(markTypes(resolveAtAnchor(fed, "rp")) == std::vector<std::string>{kType});
        // `oidfed resolve --trust-mark-status` applies the same policy.
        test::ProcessResult resolved = fed.cli({"resolve", fed.id("rp"), "--trust-anchor-file", fed.anchorFile(),
                                                "--trust-mark-status", kType, "--allow-http", "--allow-loopback"});
        REQUIRE_MESSAGE(resolved.exitCode == 0, resolved.out);
        CHECK(json(resolved.out).find("trust_marks")->size() == 0);
    }
}

TEST_CASE("delegation: valid, expired, signed by the wrong owner")
{
    MarkFederation fed;
    const UnixTime now = std::time(nullptr);
    // valid: the owner's delegation (CLI), the issuer's mark (CLI)
    test::ProcessResult delegation =
        fed.cli({"trust-mark", "delegate", "--keys-dir", (fed.dir() / "keys" / "ta").string(), "--owner", fed.id("ta"),
                 "--issuer", fed.id("ia"), "--type", kType, "--lifetime", "3600", "--allow-http"});
    REQUIRE(delegation.exitCode == 0);
    CHECK(headerTyp(delegation.out.substr(0, delegation.out.find('\n'))) == "trust-mark-delegation+jwt");
    test::writeText(fed.dir() / "delegation.jwt", delegation.out);
    test::ProcessResult issued =
        fed.cli({"trust-mark", "issue", "--keys-dir", (fed.dir() / "keys" / "ia").string(), "--issuer", fed.id("ia"),
                 "--sub", fed.id("op"), "--type", kType, "--delegation", (fed.dir() / "delegation.jwt").string(),
                 "--lifetime", "600", "--no-record", "--allow-http"});
    REQUIRE_MESSAGE(issued.exitCode == 0, issued.out);
    const std::string valid = issued.out.substr(0, issued.out.find('\n'));
    CHECK(verifyWithCli(fed, valid).exitCode == 0);

    // expired delegation
    const std::string expired =
        signMark(fed, "ia", "ia", "op", kType, now, now + 600, delegationFrom(fed, "ta", now - 7200, now - 3600));
    test::ProcessResult expiredResult = verifyWithCli(fed, expired);
    CHECK(expiredResult.exitCode == 1);
    CHECK(*json(expiredResult.out).findString("code") == "expired");

    // signed by another key than the owner's (the credential issuer's)
    const std::string wrongOwner =
        signMark(fed, "ia", "ia", "op", kType, now, now + 600, delegationFrom(fed, "ci", now, now + 3600));
    test::ProcessResult wrongResult = verifyWithCli(fed, wrongOwner);
    CHECK(wrongResult.exitCode == 1);
    CHECK(*json(wrongResult.out).findString("code") == "key_not_found");

    // no delegation at all for an owned type (7.3 step 8)
    const std::string missing = signMark(fed, "ia", "ia", "op", kType, now, now + 600);
    CHECK(verifyWithCli(fed, missing).exitCode == 1);

    // an issuer the anchor does not list
    test::ProcessResult selfIssued =
        fed.cli({"trust-mark", "issue", "--keys-dir", (fed.dir() / "keys" / "ci").string(), "--issuer", fed.id("ci"),
                 "--sub", fed.id("ci"), "--type", kType, "--delegation", (fed.dir() / "delegation.jwt").string(),
                 "--no-record", "--allow-http"});
    CHECK(selfIssued.exitCode != 0);  // the delegation names another issuer: refused when signing
    CHECK(*json(selfIssued.out).findString("claim") == "delegation");
}

TEST_CASE("check-config refuses a delegation file that is not a delegation")
{
    // The files parse; once keys exist and everything is signed, the
    // delegation is checked (expired or foreign ones are refused the same
    // way, see tests/entity/trust_mark_issuer_test.cpp).
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source != nullptr);
    fs::path dir = fs::temp_directory_path() / ("oidfed-tm-bad-" + std::to_string(std::random_device()()));
    fs::create_directories(dir / "tm");
    test::writeText(dir / "tm" / "x.json", R"({"trust_mark_type": "https://x.example/tm", "subjects": [],
        "delegation_file": "x.jwt"})");
    test::writeText(dir / "tm" / "x.jwt", "not-a-jwt");
    test::writeText(dir / "oidfed.json", R"({"listen": "127.0.0.1:1", "allow_http": true, "entities": [
        {"entity_id": "http://127.0.0.1:1/ta", "keys_dir": "keys/ta", "trust_mark_issuer": {"directory": "tm"}}]})");
    test::ProcessResult check = test::runProcess({test::oidfedCli(), "check-config", (dir / "oidfed.json").string()});
    CHECK(check.exitCode == 0);  // keys missing: nothing signed yet, the files parse
    REQUIRE(test::runProcess({test::oidfedCli(), "keys", "init", "--dir", (dir / "keys" / "ta").string()}).exitCode == 0);
    check = test::runProcess({test::oidfedCli(), "--format", "json", "check-config", (dir / "oidfed.json").string()});
    CHECK(check.exitCode == 2);
    const Json report = json(check.out);
    CHECK_FALSE(report.find("valid")->asBool());
    REQUIRE(report.find("problems"));
    REQUIRE(report.find("problems")->size() == 1);
    const Json &problem = report.find("problems")->asArray()[0];
    CHECK(*problem.findString("kind") == "delegation");
    CHECK(*problem.findString("item") == "https://x.example/tm");
    CHECK(*problem.findString("code") == "malformed");
    std::error_code ec;
    fs::remove_all(dir, ec);
}

TEST_CASE("list endpoint: trust_marked and trust_mark_type use verified marks")
{
    SUBCASE("an intermediate without a resolver refuses the filters")
    {
        MarkFederation fed;
        test::checkSpecError(fed.get("/ia/list?trust_marked=true"), 400, "unsupported_parameter");
        test::checkSpecError(fed.get("/ia/list?trust_mark_type=" + percentEncode(kType)), 400, "unsupported_parameter");
        // The anchor judges its own subordinates (the intermediate holds none).
        CHECK(stringArray(fed.get("/ta/list?trust_marked=true")).empty());
        CHECK(stringArray(fed.get("/ta/list?trust_marked=false")) == std::vector<std::string>{fed.id("ia")});
    }
    SUBCASE("an intermediate with a resolver filters by verified marks")
    {
        MarkFederation fed(std::vector<std::pair<std::string, std::string>>{{"\"trust_mark_issuer\": { \"directory\": \"trust-marks/ia\" }",
                             "\"trust_mark_issuer\": { \"directory\": \"trust-marks/ia\" }, \"resolver\": { "
                             "\"trust_anchors\": [ { \"entity_id\": \"{base}/ta\" } ] }"}});
        const std::vector<std::string> holders{fed.id("ci"), fed.id("op")};
        CHECK(stringArray(fed.get("/ia/list?trust_marked=true")) == holders);
        CHECK(stringArray(fed.get("/ia/list?trust_mark_type=" + percentEncode(kType))) == holders);
        CHECK(stringArray(fed.get("/ia/list?trust_mark_type=https%3A%2F%2Fother.example%2Ftm")).empty());
        CHECK(stringArray(fed.get("/ia/list?trust_marked=true&entity_type=openid_provider")) ==
              std::vector<std::string>{fed.id("op")});
        CHECK(stringArray(fed.get("/ia/list?trust_marked=false")).size() == 3);
        test::checkSpecError(fed.get("/ia/list?trust_marked=yes"), 400, "invalid_request");
        test::checkSpecError(fed.get("/ia/list?trust_marked=true&trust_marked=true"), 400, "invalid_request");
        test::checkSpecError(fed.get("/ia/list?trust_mark_type="), 400, "invalid_request");
        // Revoked: the holder drops the mark, the filter follows.
        REQUIRE(fed.cli({"trust-mark", "revoke", "--dir", (fed.dir() / "trust-marks" / "ia").string(), "--type", kType,
                         "--sub", fed.id("ci"), "--allow-http"})
                    .exitCode == 0);
        REQUIRE(fed.reload());
        CHECK(stringArray(fed.get("/ia/list?trust_marked=true")) == std::vector<std::string>{fed.id("op")});
    }
}

TEST_CASE("status endpoint: only marks the issuer has a record of (8.4.2), served or issued with the CLI, "
          "across a restart")
{
    MarkFederation fed;
    const fs::path marks = fed.dir() / "trust-marks" / "ia";
    const fs::path record = marks / std::string(entity::kTrustMarkRecordFile);
    const std::string served = markOf(fed, "op");
    const std::string heldByCi = markOf(fed, "ci");
    CHECK(statusOf(fed, fed.status(served), served) == "active");
    test::writeText(fed.dir() / "delegation.jwt", *claimsOf(served).findString("delegation"));
    auto issue = [&](const std::string &subject, const std::vector<std::string> &record) {
        std::vector<std::string> args{"trust-mark", "issue", "--keys-dir", (fed.dir() / "keys" / "ia").string(),
                                      "--issuer", fed.id("ia"), "--sub", fed.id(subject), "--type", kType,
                                      "--delegation", (fed.dir() / "delegation.jwt").string(), "--allow-http"};
        args.insert(args.end(), record.begin(), record.end());
        return fed.cli(args);
    };

    // Issued with the CLI and recorded in the issuer's directory: the running
    // server knows it without a reload.
    test::ProcessResult recorded = issue("op", {"--dir", marks.string()});
    REQUIRE_MESSAGE(recorded.exitCode == 0, recorded.out);
    const std::string cliMark = recorded.out.substr(0, recorded.out.find('\n'));
    CHECK(statusOf(fed, fed.status(cliMark), cliMark) == "active");

    // Not recorded (--no-record): signed by the issuer, yet unknown to it.
    test::ProcessResult unrecorded = issue("op", {"--no-record"});
    REQUIRE_MESSAGE(unrecorded.exitCode == 0, unrecorded.out);
    const std::string offline = unrecorded.out.substr(0, unrecorded.out.find('\n'));
    test::checkSpecError(fed.status(offline), 404, "not_found");

    // Neither said, or a subject the type file does not list: refused, and
    // nothing is recorded.
    const std::string before = test::readText(record);
    test::ProcessResult unsaid = issue("op", {});
    CHECK(unsaid.exitCode == 2);
    CHECK(*json(unsaid.out).findString("claim") == "--dir");
    test::ProcessResult unlisted = issue("rp", {"--dir", marks.string()});
    CHECK(unlisted.exitCode == 2);
    CHECK(*json(unlisted.out).findString("claim") == "--sub");
    CHECK(test::readText(record) == before);

    // Revoked: only the marks it knows are "revoked"; the unknown one stays 404.
    REQUIRE(fed.cli({"trust-mark", "revoke", "--dir", marks.string(), "--type", kType, "--sub", fed.id("op"),
                     "--allow-http"})
                .exitCode == 0);
    REQUIRE(fed.reload());
    CHECK(statusOf(fed, fed.status(served), served) == "revoked");
    CHECK(statusOf(fed, fed.status(cliMark), cliMark) == "revoked");
    test::checkSpecError(fed.status(offline), 404, "not_found");

    // The record survives a restart.
    fed.restart();
    CHECK(statusOf(fed, fed.status(heldByCi), heldByCi) == "active");
    CHECK(statusOf(fed, fed.status(cliMark), cliMark) == "revoked");
    test::checkSpecError(fed.status(offline), 404, "not_found");
}
