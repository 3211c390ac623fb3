// `oidfed inspect` on the spec's Figure 4 statements (right keys verify,
// wrong keys and tampering are rejected) and `oidfed keygen`, run as a user
// would: the built binary, no shell.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>

#include <oidfed/jwk.h>

#include "subprocess.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;

namespace {

std::string example(const std::string &name)
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source);
    return std::string(source) + "/trust-anchors/examples/figure4/" + name;
}

test::ProcessResult inspect(std::vector<std::string> args)
{
    args.insert(args.begin(), {test::oidfedCli(), "--format", "json", "inspect"});
    return test::runProcess(std::move(args));
}

} // namespace

TEST_CASE("inspect verifies each Figure 4 statement with the keys that vouch for it")
{
    const std::string ec0 = example("0-subject-entity-configuration.jwt");
    const std::string ss1 = example("1-intermediate-about-subject.jwt");
    const std::string ss2 = example("2-trust-anchor-about-intermediate.jwt");
    const std::string ec3 = example("3-trust-anchor-entity-configuration.jwt");
    const std::string pin = example("trust-anchor.json");

    struct Case {
        std::string statement;
        std::string keys;  // empty: the EC's own jwks
        bool valid;
        std::string kind;
    };
    const std::vector<Case> cases = {
        {ec0, "", true, "entity_configuration"},
        {ss1, ss2, true, "subordinate_statement"},
        {ss2, pin, true, "subordinate_statement"},
        {ec3, pin, true, "entity_configuration"},
        {ec3, "", true, "entity_configuration"},
        {ec0, pin, false, "entity_configuration"},
        {ss1, pin, false, "subordinate_statement"},
        {ss2, ss1, false, "subordinate_statement"},
    };
    for (const Case &c : cases) {
        CAPTURE(c.statement);
        CAPTURE(c.keys);
        std::vector<std::string> args{c.statement};
        if (!c.keys.empty())
            args.insert(args.begin(), {"--jwks", c.keys});
        auto run = inspect(args);
        CHECK(run.exitCode == (c.valid ? 0 : 1));
        Json report = test::json(run.out);
        CHECK(report.find("kind")->asString() == c.kind);
        CHECK(report.find("valid")->asBool() == c.valid);
        CHECK(report.find("header")->findString("typ")->c_str() == std::string("entity-statement+jwt"));
        CHECK(report.find("claims")->contains("iss"));
        CHECK(report.find("signature")->find("status")->asString() == (c.valid ? "verified" : "INVALID"));
    }
    // A subordinate statement without --jwks is decoded but not verified.
    auto unchecked = inspect({ss1});
    CHECK(unchecked.exitCode == 0);
    CHECK(test::json(unchecked.out).find("signature")->find("status")->asString().starts_with("not checked"));
}

TEST_CASE("inspect rejects tampering, unknown types and junk")
{
    std::string token = test::readFile(example("0-subject-entity-configuration.jwt"));
    while (!token.empty() && token.back() == '\n')
        token.pop_back();
    std::string tampered = token;
    char &c = tampered[tampered.find('.') + 10];
    c = c == 'A' ? 'B' : 'A';
    auto run = inspect({tampered});
    CHECK(run.exitCode == 1);

    auto junk = inspect({"not-a-jwt"});
    CHECK(junk.exitCode == 2);  // neither a JWT nor a readable file: usage
    auto bad = inspect({"a.b.c"});
    CHECK(bad.exitCode == 1);
    CHECK(test::json(bad.out).find("error")->asString() == "invalid_trust_chain");
}

TEST_CASE("keygen writes a 0600 private key and the public JWK named by its thumbprint")
{
    test::TempDir tmp;
    const std::string dir = tmp.path().string();
    for (const char *alg : {"ES256", "EdDSA", "RS256"}) {
        CAPTURE(alg);
        auto run = test::runProcess({test::oidfedCli(), "--format", "json", "keygen", "--alg", alg, "--out", dir});
        REQUIRE(run.exitCode == 0);
        Json out = test::json(run.out);
        const std::string kid = out.find("kid")->asString();
        auto publicKey = Jwk::fromPublicJson(*out.find("public_jwk"));
        REQUIRE(publicKey);
        CHECK(publicKey->thumbprint() == kid);
        CHECK(out.find("public_jwk")->dump().find("\"d\"") == std::string::npos);
        struct stat info {};
        REQUIRE(stat(out.find("private_key_file")->asString().c_str(), &info) == 0);
        CHECK((info.st_mode & 0777) == 0600);
        auto privateKey = Jwk::fromPrivatePem(test::readFile(out.find("private_key_file")->asString()));
        REQUIRE(privateKey);
        CHECK(privateKey->thumbprint() == kid);
    }
    CHECK(test::runProcess({test::oidfedCli(), "keygen", "--alg", "HS256", "--out", dir}).exitCode == 2);
}
