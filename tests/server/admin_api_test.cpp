// The admin API of a real `oidfed serve` (issue 19 item 2, docs/admin-api.md)
// on its own loopback listener, over the demo federation: authentication
// (none, wrong, read and write operators), each call and what it changes in
// the files and in what the federation endpoints serve, the audit log (and
// no token in it or in the server log), If-Match (428 without, 409 after the
// file changed on disk, nothing written), an invalid policy refused with the
// loader's error and nothing written, a reload that fails keeping the old
// state, an oversized body (413) and entity ids that try to name a path.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/jws.h>

#include "core/sha256.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::ServedFederation;

namespace fs = std::filesystem;

namespace {

const std::string kWriteToken = "admin-write-token-for-tests-only-0123456789";
const std::string kReadToken = "admin-read-token-for-tests-only-9876543210";

struct AdminFederation {
    int adminPort = test::freeLoopbackPort();
    ServedFederation fed;

    AdminFederation()
        : fed("\"threads\": 2,",
              "\"threads\": 2, \"admin\": {\"listen\": \"127.0.0.1:" + std::to_string(adminPort) +
                  "\", \"audit_log\": \"admin-audit.log\", \"max_body_bytes\": 4096, \"operators\": ["
                  "{\"name\": \"alice\", \"token_sha256\": \"" + sha256Hex(kWriteToken) + "\", \"role\": \"write\"},"
                  "{\"name\": \"bob\", \"token_sha256\": \"" + sha256Hex(kReadToken) + "\", \"role\": \"read\"}]},")
    {
        REQUIRE_MESSAGE(test::waitForPort(adminPort, std::chrono::seconds(20)), fed.process().log());
    }

    HttpReply call(const std::string &method, const std::string &pathAndQuery, const std::string &token,
                   const std::string &body = {}, const std::vector<std::string> &extra = {}) const
    {
        std::vector<std::string> headers = extra;
        if (!token.empty())
            headers.push_back("Authorization: Bearer " + token);
        if (!body.empty())
            headers.push_back("Content-Type: application/json");
        return test::httpRequest("http://127.0.0.1:" + std::to_string(adminPort) + pathAndQuery, headers, method,
                                 body);
    }

    std::string of(const std::string &authority, const std::string &sub = {}) const
    {
        return "?entity=" + percentEncode(fed.id(authority)) + (sub.empty() ? "" : "&sub=" + percentEncode(fed.id(sub)));
    }

    fs::path file(const std::string &authority, const std::string &name) const
    {
        return fed.dir() / "subordinates" / authority / (name + ".json");
    }

    std::vector<Json> audit() const
    {
        std::vector<Json> lines;
        const std::string text = test::readText(fed.dir() / "admin-audit.log");
        std::size_t begin = 0;
        for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', begin)) {
            auto line = parseJson(text.substr(begin, end - begin));
            REQUIRE_MESSAGE(line, text.substr(begin, end - begin));
            lines.push_back(std::move(line).value());
            begin = end + 1;
        }
        return lines;
    }
};

Json bodyOf(const HttpReply &reply)
{
    auto body = parseJson(reply.body);
    REQUIRE_MESSAGE(body, reply.body);
    return std::move(body).value();
}

std::string quoted(const std::string &text)
{
    return "\"" + text + "\"";
}

// The exp - iat of the Subordinate Statement `authority` serves about `sub`.
std::int64_t servedLifetime(const ServedFederation &fed, const std::string &authority, const std::string &sub)
{
    HttpReply reply = fed.get("/" + authority + "/fetch?sub=" + percentEncode(fed.id(sub)));
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    auto jws = Jws::parse(reply.body);
    REQUIRE(jws);
    Json payload = jws->payloadJson().value();
    return payload.find("exp")->asInt() - payload.find("iat")->asInt();
}

} // namespace

TEST_CASE("admin API: authentication, each call, If-Match, bad input and the audit log")
{
    AdminFederation admin;
    ServedFederation &fed = admin.fed;
    const fs::path iaFile = admin.file("ta", "ia");
    const std::string list = "/admin/subordinates" + admin.of("ta");
    const std::string ia = "/admin/subordinate" + admin.of("ta", "ia");

    SUBCASE("no token, a wrong token: 401 with WWW-Authenticate; a read operator cannot change anything")
    {
        for (const std::string &token : {std::string(), std::string("not-a-configured-token")}) {
            HttpReply reply = admin.call("GET", list, token);
            CHECK(reply.status == 401);
            CHECK(reply.header("www-authenticate").find("Bearer") == 0);
            CHECK(bodyOf(reply).findString("code") != nullptr);
        }
        CHECK(admin.call("GET", list, kReadToken).status == 200);
        const std::string before = test::readText(iaFile);
        HttpReply refused = admin.call("PATCH", ia, kReadToken, R"({"comment": "read"})",
                                       {"If-Match: " + quoted(sha256Hex(before))});
        CHECK(refused.status == 403);
        CHECK(admin.call("POST", "/admin/reload", kReadToken).status == 403);
        CHECK(test::readText(iaFile) == before);
        CHECK(admin.call("GET", "/admin/nothing", kWriteToken).status == 404);
        CHECK(admin.call("PUT", ia, kWriteToken, "{}").status == 405);
    }

    SUBCASE("list and show: every subordinate, blocked ones too, and the file as written with its ETag")
    {
        HttpReply listed = admin.call("GET", list, kReadToken);
        REQUIRE(listed.status == 200);
        Json body = bodyOf(listed);
        REQUIRE(body.find("subordinates")->size() == 1);
        const Json &entry = body.find("subordinates")->asArray()[0];
        CHECK(*entry.findString("entity_id") == fed.id("ia"));
        CHECK(*entry.findString("file") == "ia.json");
        CHECK(entry.find("blocked")->isNull());

        HttpReply shown = admin.call("GET", ia, kReadToken);
        REQUIRE(shown.status == 200);
        CHECK(shown.header("etag") == quoted(sha256Hex(test::readText(iaFile))));
        CHECK(*bodyOf(shown).find("subordinate") == *parseJson(test::readText(iaFile)));
        CHECK(*entry.findString("etag") == shown.header("etag"));
    }

    SUBCASE("set: checked, written, applied by a reload, audited; If-Match required and compared")
    {
        HttpReply shown = admin.call("GET", ia, kWriteToken);
        const std::string etag = shown.header("etag");
        const std::string change = R"({"statement_lifetime": 3600, "comment": "shorter statements"})";

        HttpReply missing = admin.call("PATCH", ia, kWriteToken, change);
        CHECK(missing.status == 428);

        HttpReply done = admin.call("PATCH", ia, kWriteToken, change, {"If-Match: " + etag});
        REQUIRE_MESSAGE(done.status == 200, done.body);
        Json body = bodyOf(done);
        CHECK(body.find("applied")->asBool());
        CHECK(body.find("reload")->find("reloaded")->asBool());
        const std::string written = test::readText(iaFile);
        CHECK(parseJson(written)->find("statement_lifetime")->asInt() == 3600);
        CHECK(done.header("etag") == quoted(sha256Hex(written)));
        CHECK(servedLifetime(fed, "ta", "ia") == 3600);

        // The old ETag no longer names the file: 409, nothing written.
        HttpReply stale = admin.call("PATCH", ia, kWriteToken, R"({"comment": "stale"})", {"If-Match: " + etag});
        CHECK(stale.status == 409);
        CHECK(test::readText(iaFile) == written);

        // null clears a member.
        HttpReply cleared = admin.call("PATCH", ia, kWriteToken, R"({"statement_lifetime": null})",
                                       {"If-Match: " + done.header("etag")});
        REQUIRE_MESSAGE(cleared.status == 200, cleared.body);
        CHECK_FALSE(parseJson(test::readText(iaFile))->contains("statement_lifetime"));
        CHECK(servedLifetime(fed, "ta", "ia") == 86400);

        // 428, applied, 409, applied.
        std::vector<Json> audit = admin.audit();
        REQUIRE(audit.size() == 4);
        CHECK(*audit[2].findString("result") == "conflict");
        const Json &applied = audit[1];
        CHECK(*applied.findString("operator") == "alice");
        CHECK(*applied.findString("action") == "subordinate.set");
        CHECK(*applied.findString("entity") == fed.id("ta"));
        CHECK(*applied.findString("target") == fed.id("ia"));
        CHECK(quoted(*applied.findString("before_sha256")) == etag);
        CHECK(quoted(*applied.findString("after_sha256")) == done.header("etag"));
        CHECK(*applied.findString("result") == "applied");
        CHECK(applied.findString("time") != nullptr);
        CHECK(*audit.front().findString("result") == "refused");  // the one without If-Match
    }

    SUBCASE("a file changed on disk between GET and PATCH: 409 and nothing written")
    {
        const std::string etag = admin.call("GET", ia, kWriteToken).header("etag");
        Json edited = *parseJson(test::readText(iaFile));
        edited.set("comment", "edited by hand meanwhile");
        test::writeText(iaFile, edited.dump(true));
        const std::string byHand = test::readText(iaFile);

        HttpReply conflict = admin.call("PATCH", ia, kWriteToken, R"({"comment": "mine"})", {"If-Match: " + etag});
        CHECK(conflict.status == 409);
        CHECK(*bodyOf(conflict).findString("claim") == "If-Match");
        CHECK(test::readText(iaFile) == byHand);
        CHECK(*admin.audit().back().findString("result") == "conflict");
    }

    SUBCASE("an invalid policy: 400 with the loader's error naming the member, nothing written")
    {
        const std::string before = test::readText(iaFile);
        const std::string etag = quoted(sha256Hex(before));
        HttpReply refused = admin.call("PATCH", ia, kWriteToken,
                                       R"({"metadata_policy": {"openid_relying_party": {"grant_types": {"subset_of": "code"}}}})",
                                       {"If-Match: " + etag});
        CHECK(refused.status == 400);
        CHECK(bodyOf(refused).findString("claim")->find("metadata_policy") == 0);
        CHECK(test::readText(iaFile) == before);

        CHECK(admin.call("PATCH", ia, kWriteToken, R"({"jwks": {"keys": []}})", {"If-Match: " + etag}).status == 400);
        CHECK(admin.call("PATCH", ia, kWriteToken, "not json", {"If-Match: " + etag}).status == 400);
        CHECK(test::readText(iaFile) == before);
    }

    SUBCASE("block and unblock: the fetch endpoint stops and resumes; the file keeps everything")
    {
        std::string etag = admin.call("GET", ia, kWriteToken).header("etag");
        HttpReply noReason = admin.call("POST", "/admin/subordinate/block" + admin.of("ta", "ia"), kWriteToken, "{}",
                                        {"If-Match: " + etag});
        CHECK(noReason.status == 400);
        HttpReply blocked = admin.call("POST", "/admin/subordinate/block" + admin.of("ta", "ia"), kWriteToken,
                                       R"({"reason": "key compromise reported"})", {"If-Match: " + etag});
        REQUIRE_MESSAGE(blocked.status == 200, blocked.body);
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia"))).status == 404);
        Json file = *parseJson(test::readText(iaFile));
        CHECK(*file.find("blocked")->findString("reason") == "key compromise reported");
        CHECK(file.contains("metadata_policy"));
        Json listed = bodyOf(admin.call("GET", list, kReadToken));
        CHECK(*listed.find("subordinates")->asArray()[0].find("blocked")->findString("reason") ==
              "key compromise reported");

        HttpReply unblocked = admin.call("POST", "/admin/subordinate/unblock" + admin.of("ta", "ia"), kWriteToken, "",
                                         {"If-Match: " + blocked.header("etag")});
        REQUIRE_MESSAGE(unblocked.status == 200, unblocked.body);
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia"))).status == 200);
        CHECK_FALSE(parseJson(test::readText(iaFile))->contains("blocked"));
    }

    SUBCASE("add and remove: a new file named from the entity id, served, refused twice; removed with If-Match")
    {
        const std::string sub = fed.id("op");
        const std::string body = R"({"entity_id": ")" + sub + R"(", "entity_types": ["openid_provider"]})";
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(sub)).status == 404);
        HttpReply added = admin.call("POST", list, kWriteToken, body);
        REQUIRE_MESSAGE(added.status == 201, added.body);
        const fs::path file = fed.dir() / "subordinates" / "ta" / *bodyOf(added).findString("file");
        CHECK(file.parent_path() == fed.dir() / "subordinates" / "ta");
        CHECK(added.header("etag") == quoted(sha256Hex(test::readText(file))));
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(sub)).status == 200);
        CHECK(admin.call("POST", list, kWriteToken, body).status == 409);

        const std::string op = "/admin/subordinate" + admin.of("ta", "op");
        CHECK(admin.call("DELETE", op, kWriteToken).status == 428);
        HttpReply removed = admin.call("DELETE", op, kWriteToken, "", {"If-Match: " + added.header("etag")});
        REQUIRE_MESSAGE(removed.status == 200, removed.body);
        CHECK(*bodyOf(removed).find("removed") == *parseJson(body));
        CHECK_FALSE(fs::exists(file));
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(sub)).status == 404);
        CHECK(admin.call("GET", op, kWriteToken).status == 404);

        std::vector<Json> audit = admin.audit();
        REQUIRE(audit.size() >= 3);
        CHECK(*audit[0].findString("action") == "subordinate.add");
        CHECK(audit[0].find("before_sha256")->isNull());
        CHECK(*audit.back().findString("action") == "subordinate.remove");
        CHECK(audit.back().find("after_sha256")->isNull());
    }

    SUBCASE("an invalid new subordinate: 400 and no file")
    {
        const std::string body = R"({"entity_id": ")" + fed.id("op") + R"(", "constraints": {"max_path_lenght": 1}})";
        HttpReply refused = admin.call("POST", list, kWriteToken, body);
        CHECK(refused.status == 400);
        CHECK(bodyOf(refused).findString("claim")->find("constraints") == 0);
        CHECK(test::jsonFilesIn(fed.dir() / "subordinates" / "ta").size() == 1);
    }

    SUBCASE("entity ids that try to name a path find nothing")
    {
        for (const char *sub : {"../../oidfed.json", "../ia/op", "ia.json", "/etc/passwd"}) {
            HttpReply reply = admin.call("GET", "/admin/subordinate?entity=" + percentEncode(fed.id("ta")) +
                                                    "&sub=" + percentEncode(sub),
                                         kReadToken);
            CHECK(reply.status == 404);
        }
        CHECK(admin.call("GET", "/admin/subordinates?entity=" + percentEncode("../subordinates/ta"), kReadToken)
                  .status == 404);
        CHECK(admin.call("GET", "/admin/subordinates?entity=" + percentEncode(fed.id("op")), kReadToken).status == 404);
    }

    SUBCASE("an oversized body: 413, nothing written")
    {
        const std::string before = test::readText(iaFile);
        const std::string big = R"({"comment": ")" + std::string(5000, 'x') + R"("})";
        HttpReply refused = admin.call("PATCH", ia, kWriteToken, big, {"If-Match: " + quoted(sha256Hex(before))});
        CHECK(refused.status == 413);
        CHECK(test::readText(iaFile) == before);
    }

    SUBCASE("a reload that fails keeps the old state, and says so")
    {
        const fs::path config = fed.dir() / "oidfed.json";
        const std::string good = test::readText(config);
        test::writeText(config, "{ not json");
        HttpReply failed = admin.call("POST", "/admin/reload", kWriteToken);
        CHECK(failed.status == 500);
        Json reload = *bodyOf(failed).find("reload");
        CHECK_FALSE(reload.find("reloaded")->asBool());
        CHECK(reload.find("error") != nullptr);
        CHECK(reload.findString("state") != nullptr);
        CHECK(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia"))).status == 200);
        CHECK(fed.get("/op/.well-known/openid-federation").status == 200);

        test::writeText(config, good);
        HttpReply fine = admin.call("POST", "/admin/reload", kWriteToken);
        CHECK(fine.status == 200);
        CHECK(bodyOf(fine).find("reload")->find("reloaded")->asBool());
        std::vector<Json> audit = admin.audit();
        REQUIRE(audit.size() == 2);
        CHECK(*audit[0].findString("result") == "reload failed");
        CHECK(*audit[1].findString("result") == "applied");
    }

    SUBCASE("keys: list, rotate, activate and revoke as `oidfed keys` does, with If-Match, published at once")
    {
        const std::string keys = "/admin/keys" + admin.of("ta");
        auto entityConfiguration = [&fed] {
            HttpReply reply = fed.get("/ta/.well-known/openid-federation");
            REQUIRE(reply.status == 200);
            auto jws = Jws::parse(reply.body);
            REQUIRE(jws);
            return std::move(jws).value();
        };
        HttpReply listed = admin.call("GET", keys, kReadToken);
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        Json body = bodyOf(listed);
        REQUIRE(body.find("keys")->size() == 1);
        const std::string first = *body.find("keys")->asArray()[0].findString("kid");
        CHECK(listed.header("etag") == quoted(sha256Hex(test::readText(fed.dir() / "keys" / "ta" / "keys.json"))));
        CHECK(admin.call("POST", "/admin/keys/rotate" + admin.of("ta"), kReadToken, "",
                         {"If-Match: " + listed.header("etag")})
                  .status == 403);

        CHECK(admin.call("POST", "/admin/keys/rotate" + admin.of("ta"), kWriteToken).status == 428);
        HttpReply rotated = admin.call("POST", "/admin/keys/rotate" + admin.of("ta"), kWriteToken, "",
                                       {"If-Match: " + listed.header("etag")});
        REQUIRE_MESSAGE(rotated.status == 200, rotated.body);
        const std::string next = *bodyOf(rotated).findString("kid");
        CHECK(next != first);
        CHECK(entityConfiguration().payloadJson().value().find("jwks")->find("keys")->size() == 2);
        // The stale ETag: 409, nothing changed.
        CHECK(admin.call("POST", "/admin/keys/activate" + admin.of("ta"), kWriteToken, "",
                         {"If-Match: " + listed.header("etag")})
                  .status == 409);

        HttpReply activated = admin.call("POST", "/admin/keys/activate" + admin.of("ta"), kWriteToken, "",
                                         {"If-Match: " + rotated.header("etag")});
        REQUIRE_MESSAGE(activated.status == 200, activated.body);
        CHECK(entityConfiguration().kid() == next);

        CHECK(admin.call("POST", "/admin/keys/revoke" + admin.of("ta"), kWriteToken, R"({"kid": "no-such-kid"})",
                         {"If-Match: " + activated.header("etag")})
                  .status == 404);
        HttpReply revoked = admin.call("POST", "/admin/keys/revoke" + admin.of("ta"), kWriteToken,
                                       R"({"kid": ")" + first + R"(", "reason": "superseded"})",
                                       {"If-Match: " + activated.header("etag")});
        REQUIRE_MESSAGE(revoked.status == 200, revoked.body);
        const Json published = *entityConfiguration().payloadJson().value().find("jwks");
        REQUIRE(published.find("keys")->size() == 1);
        CHECK(*published.find("keys")->asArray()[0].findString("kid") == next);

        std::vector<Json> audit = admin.audit();
        std::vector<std::string> applied;
        for (const Json &line : audit)
            if (*line.findString("result") == "applied")
                applied.push_back(*line.findString("action"));
        CHECK(applied == std::vector<std::string>{"keys.rotate", "keys.activate", "keys.revoke"});
        CHECK(*audit.back().findString("target") == first);
        CHECK(quoted(*audit.back().findString("after_sha256")) == revoked.header("etag"));
    }

    SUBCASE("trust mark subjects: listed, one added (then issued), one revoked (then refused), with If-Match")
    {
        const std::string type = "https://demo-federation.example.org/trust-marks/certified-provider";
        const std::string where = "?entity=" + percentEncode(fed.id("ia")) + "&type=" + percentEncode(type);
        const fs::path file = fed.dir() / "trust-marks" / "ia" / "certified-provider.json";
        auto markStatus = [&fed, &type](const std::string &holder) {
            return fed.get("/ia/trust-mark?trust_mark_type=" + percentEncode(type) + "&sub=" + percentEncode(fed.id(holder)))
                .status;
        };
        HttpReply listed = admin.call("GET", "/admin/trust-marks?entity=" + percentEncode(fed.id("ia")), kReadToken);
        REQUIRE_MESSAGE(listed.status == 200, listed.body);
        const Json types = *bodyOf(listed).find("types");
        REQUIRE(types.size() == 1);
        const Json &entry = types.asArray()[0];
        CHECK(*entry.findString("trust_mark_type") == type);
        CHECK(entry.find("subjects")->size() == 2);
        const std::string etag = *entry.findString("etag");
        CHECK(etag == quoted(sha256Hex(test::readText(file))));

        CHECK(markStatus("rp") == 404);
        const std::string rp = R"({"entity_id": ")" + fed.id("rp") + R"("})";
        CHECK(admin.call("POST", "/admin/trust-marks/subject" + where, kReadToken, rp, {"If-Match: " + etag}).status ==
              403);
        CHECK(admin.call("POST", "/admin/trust-marks/subject" + where, kWriteToken, rp).status == 428);
        HttpReply added = admin.call("POST", "/admin/trust-marks/subject" + where, kWriteToken, rp, {"If-Match: " + etag});
        REQUIRE_MESSAGE(added.status == 200, added.body);
        CHECK(markStatus("rp") == 200);
        CHECK(admin.call("POST", "/admin/trust-marks/subject" + where, kWriteToken, rp,
                         {"If-Match: " + added.header("etag")})
                  .status == 409);

        const std::string op = R"({"entity_id": ")" + fed.id("op") + R"(", "reason": "audit failed"})";
        CHECK(admin.call("POST", "/admin/trust-marks/revoke" + where, kWriteToken, op, {"If-Match: " + etag}).status ==
              409);
        CHECK(markStatus("op") == 200);
        HttpReply revoked = admin.call("POST", "/admin/trust-marks/revoke" + where, kWriteToken, op,
                                       {"If-Match: " + added.header("etag")});
        REQUIRE_MESSAGE(revoked.status == 200, revoked.body);
        CHECK(markStatus("op") != 200);
        CHECK(test::readText(file).find("audit failed") != std::string::npos);
        CHECK(*admin.audit().back().findString("action") == "trust_mark.revoke");
        CHECK(quoted(*admin.audit().back().findString("after_sha256")) == revoked.header("etag"));
    }

    // Whatever happened: no token in the audit log or the server log.
    for (const std::string &token : {kWriteToken, kReadToken}) {
        CHECK(fed.process().log().find(token) == std::string::npos);
        if (fs::exists(fed.dir() / "admin-audit.log"))
            CHECK(test::readText(fed.dir() / "admin-audit.log").find(token) == std::string::npos);
    }
}
