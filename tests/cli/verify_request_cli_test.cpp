// `oidfed verify-request` run as someone debugging a failed login would (the
// built binary, no shell), against the automatic-registration fixture's
// federation on 127.0.0.1: an RP whose resolved metadata carries its
// protocol key, a trust anchor pinned from a file. The verdicts are the
// library's (verifyRequestObject, verifyClientAssertion), with their codes
// and rules; exit codes 0 / 1 / 2 as docs/cli.md says.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "client_fixture.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using test::json;
using test::client::clientAssertion;
using test::client::Fixture;
using test::client::JwtSpec;
using test::client::requestObject;
using test::client::rpMetadata;

namespace {

struct Cli {
    Fixture f;
    test::TempDir dir{"oidfed-verify-request"};
    std::string anchorFile = (dir.path() / "ta.json").string();

    Cli()
    {
        f.setRpMetadata(rpMetadata(f));
        Json anchor = Json::object();
        anchor.set("entity_id", f.ta);
        anchor.set("jwks", f.fed.anchor(f.ta).jwks.toJson());
        std::ofstream(anchorFile) << anchor.dump(true);
    }

    test::ProcessResult run(const std::string &jwt, std::vector<std::string> extra = {},
                            const std::string &format = "json")
    {
        std::vector<std::string> args{"--format",    format,          "verify-request",  jwt,
                                      "--op",        f.op,            "--trust-anchor-file", anchorFile,
                                      "--allow-http", "--allow-loopback"};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runOidfed(args);
    }
};

Json parsed(const test::ProcessResult &result)
{
    INFO(result.out << result.err);
    return json(result.out);
}

void checkRefusal(const test::ProcessResult &result, std::string_view error, std::string_view rule,
                  std::string_view claim)
{
    INFO(result.out << result.err);
    CHECK(result.exitCode == 1);
    const Json out = json(result.out);
    CHECK(*out.findString("error") == error);
    CHECK(*out.findString("rule") == rule);
    CHECK(*out.findString("claim") == claim);
}

} // namespace

TEST_CASE("verify-request: a valid Request Object, its client, anchor, keys and claims")
{
    Cli cli;
    auto result = cli.run(requestObject(cli.f), {"--client-id", cli.f.rp});
    REQUIRE(result.exitCode == 0);
    const Json out = parsed(result);
    CHECK(*out.findString("client_id") == cli.f.rp);
    CHECK(*out.findString("trust_anchor") == cli.f.ta);
    CHECK(*out.findString("keys_source") == "jwks");
    CHECK(*out.find("jwks")->find("keys")->asArray()[0].findString("kid") == cli.f.protocolKey.kid());
    CHECK(*out.find("claims")->findString("scope") == "openid");
    CHECK(out.find("trust_chain")->asArray().size() == 3);
    CHECK_FALSE(out.contains("explain"));

    // --explain adds the resolution's report; text output names the verdict.
    auto explained = cli.run(requestObject(cli.f), {"--explain"});
    REQUIRE(explained.exitCode == 0);
    CHECK(parsed(explained).find("explain")->isObject());
    auto text = cli.run(requestObject(cli.f), {}, "text");
    REQUIRE(text.exitCode == 0);
    CHECK(text.out.find("valid:        Request Object of " + cli.f.rp) != std::string::npos);
    CHECK(text.out.find("trust anchor: " + cli.f.ta) != std::string::npos);
}

TEST_CASE("verify-request: the JWT from a file, and a client assertion with --client-assertion")
{
    Cli cli;
    const std::string file = (cli.dir.path() / "request.jwt").string();
    std::ofstream(file) << requestObject(cli.f) << "\n";
    auto fromFile = cli.run(file);
    CHECK(fromFile.exitCode == 0);
    CHECK(*parsed(fromFile).findString("client_id") == cli.f.rp);

    const std::string assertion = clientAssertion(cli.f);
    auto verified = cli.run(assertion, {"--client-assertion"});
    REQUIRE(verified.exitCode == 0);
    CHECK(*parsed(verified).find("claims")->findString("sub") == cli.f.rp);
    // An assertion is no Request Object: it has no client_id (12.1.1.1).
    checkRefusal(cli.run(clientAssertion(cli.f)), "invalid_request_object", "12.1.1.1 client_id", "client_id");
}

TEST_CASE("verify-request: refusals carry the OP's error code, rule and claim")
{
    Cli cli;
    checkRefusal(cli.run(requestObject(cli.f, {.overrides = json(R"({"sub": "x"})")})), "invalid_request_object",
                 "12.1.1.1 sub", "sub");
    // Meant for another OP.
    checkRefusal(cli.run(requestObject(cli.f, {.overrides = json(R"({"aud": "https://other-op.example"})")})),
                 "invalid_request_object", "12.1.1.1 aud", "aud");
    // Signed with the RP's Federation Entity Key, not its protocol key.
    const Jwk &federationKey = cli.f.fed.entity(cli.f.rp).key;
    checkRefusal(cli.run(requestObject(cli.f, JwtSpec{.key = &federationKey})), "invalid_request_object", "12.1.1.1.2 step 6",
                 "kid");
    // The authorization request's own client_id must be the RP.
    checkRefusal(cli.run(requestObject(cli.f), {"--client-id", cli.f.server.base() + "/other"}),
                 "invalid_request_object", "RFC 9101 5 client_id", "client_id");
}

TEST_CASE("verify-request: --at judges an old JWT at the time it was sent")
{
    Cli cli;
    const std::string old =
        requestObject(cli.f, {.overrides = json("{\"iat\": " + std::to_string(cli.f.now - 400) +
                                                ", \"exp\": " + std::to_string(cli.f.now - 300) + "}")});
    checkRefusal(cli.run(old), "invalid_request_object", "12.1.1.1 exp", "exp");
    auto then = cli.run(old, {"--at", std::to_string(cli.f.now - 350)});
    CHECK(then.exitCode == 0);
    CHECK(*parsed(then).findString("client_id") == cli.f.rp);
}

TEST_CASE("verify-request: usage errors exit 2")
{
    Cli cli;
    auto both = cli.run(requestObject(cli.f), {"--at", std::to_string(cli.f.now), "--redis", "redis://127.0.0.1:1"});
    CHECK(both.exitCode == 2);
    CHECK(*parsed(both).findString("error") == "invalid_request");
    auto twoTypes = cli.run(requestObject(cli.f), {"--entity-type", "openid_relying_party", "--entity-type",
                                                   "oauth_client"});
    CHECK(twoTypes.exitCode == 2);
    auto badOp = test::runOidfed({"verify-request", requestObject(cli.f), "--op", "not a url",
                                  "--trust-anchor-file", cli.anchorFile});
    CHECK(badOp.exitCode == 2);
    auto missingFile = cli.run((cli.dir.path() / "absent.jwt").string());
    CHECK(missingFile.exitCode == 2);
}
