// `oidfed policy impact` against a federation served over real HTTP on
// 127.0.0.1: an intermediate with an OpenID Provider and two Relying Parties
// below it. A proposed policy for one statement changes that RP's resolved
// metadata (parameter by parameter) and nothing else; a proposed policy for
// all of the intermediate's statements breaks the RPs (with the rule) and
// leaves the OP as it was; the anchor's statement about the intermediate is
// untouched. Nothing is published: the served statements stay as they were.
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/entity_statement.h>
#include <oidfed/federation_urls.h>

#include "federation_server.h"
#include "http_client.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

struct Federation {
    test::FederationServer server;
    UnixTime now = std::time(nullptr);
    test::TestFederation fed{now - 600, now + 3600};
    std::string ta = server.base() + "/ta", ia = server.base() + "/ia", op = server.base() + "/op",
                rp1 = server.base() + "/rp1", rp2 = server.base() + "/rp2";
    test::TempDir dir{"oidfed-impact"};
    std::string anchorFile = (dir.path() / "ta.json").string();

    Federation()
    {
        fed.add(ta, test::listingAuthorityMetadata(ta));
        fed.add(ia, test::listingAuthorityMetadata(ia), {ta});
        fed.add(op, json(R"({"openid_provider": {"issuer": "x", "response_types_supported": ["code"]}})"), {ia});
        fed.entity(op).metadata.find("openid_provider")->set("issuer", op);
        for (const std::string &rp : {rp1, rp2})
            fed.add(rp, json(R"({"openid_relying_party": {"client_name": "rp", "redirect_uris": ["https://rp.example/cb"],
                                "grant_types": ["authorization_code", "implicit"]}})"),
                    {ia});
        for (const std::string &id : {ta, ia, op, rp1, rp2})
            server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
        server.serve(ta + "/list", Json(Json::Array{Json(ia)}).dump(), 0, "application/json");
        server.serve(ia + "/list", Json(Json::Array{Json(op), Json(rp1), Json(rp2)}).dump(), 0, "application/json");
        server.serve(test::fetchUrl(ta, ia), fed.subordinateStatement(ta, ia));
        test::SubordinateClaims scope;
        scope.metadataPolicy = json(R"({"openid_relying_party": {"scope": {"default": "openid"}}})");
        for (const std::string &id : {op, rp1, rp2})
            server.serve(test::fetchUrl(ia, id), fed.subordinateStatement(ia, id, scope));
        fed.writeAnchorFile(ta, anchorFile);
    }

    std::string write(const std::string &name, const std::string &text)
    {
        const std::string path = (dir.path() / name).string();
        std::ofstream(path) << text;
        return path;
    }

    test::ProcessResult impact(std::vector<std::string> extra)
    {
        std::vector<std::string> args{"--format", "json", "policy", "impact", "--issuer", ia, "--trust-anchor-file",
                                      anchorFile, "--allow-http", "--allow-loopback"};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runOidfed(args);
    }
};

} // namespace

TEST_CASE("policy impact: a new policy for one statement changes that entity's metadata, parameter by parameter")
{
    Federation f;
    const std::string policy = f.write(
        "one.json", R"({"openid_relying_party": {"grant_types": {"subset_of": ["authorization_code"]}}})");
    auto run = f.impact({"--sub", f.rp1, "--metadata-policy", policy});
    INFO(run.out << run.err);
    CHECK(run.exitCode == 0);  // nothing breaks
    const Json out = json(run.out);
    CHECK(out.find("affected")->asInt() == 1);  // the chain of rp1 alone passes through that statement
    CHECK(out.find("unaffected")->asInt() == 4);
    CHECK(out.find("broken")->asArray().empty());
    REQUIRE(out.find("changed")->asArray().size() == 1);
    const Json &changed = out.find("changed")->asArray().front();
    CHECK(*changed.findString("entity_id") == f.rp1);
    // grant_types cut, and the scope default of the policy it replaces gone.
    std::vector<std::string> parameters;
    for (const Json &change : changed.find("changes")->asArray()) {
        CHECK(*change.findString("entity_type") == "openid_relying_party");
        parameters.push_back(*change.findString("parameter"));
        if (*change.findString("parameter") == "grant_types") {
            CHECK(change.find("before")->asArray().size() == 2);
            CHECK(change.find("after")->asArray().size() == 1);
        }
        if (*change.findString("parameter") == "scope") {
            CHECK(*change.findString("before") == "openid");
            CHECK(change.find("after") == nullptr);
        }
    }
    CHECK(parameters == std::vector<std::string>{"grant_types", "scope"});

    // Nothing was published: the served statement keeps its own policy.
    auto served = test::httpRequest(test::fetchUrl(f.ia, f.rp1));
    StatementOptions options;
    options.entityIds.allowHttp = true;
    auto statement = EntityStatement::parse(served.body, options);
    REQUIRE(statement);
    const Json *rpPolicy = statement->claim("metadata_policy")->find("openid_relying_party");
    CHECK(rpPolicy->find("scope") != nullptr);
    CHECK(rpPolicy->find("grant_types") == nullptr);
}

TEST_CASE("policy impact: a policy for all of an issuer's statements breaks the entities it refuses, with the rule")
{
    Federation f;
    const std::string policy =
        f.write("all.json", R"({"openid_relying_party": {"logo_uri": {"essential": true}}})");
    auto run = f.impact({"--metadata-policy", policy});
    INFO(run.out << run.err);
    CHECK(run.exitCode == 1);
    const Json out = json(run.out);
    CHECK(out.find("affected")->asInt() == 3);  // op, rp1, rp2
    CHECK(out.find("unchanged")->asInt() == 1);  // the OP: no RP policy applies to it
    REQUIRE(out.find("broken")->asArray().size() == 2);
    for (const Json &broken : out.find("broken")->asArray()) {
        const std::string &id = *broken.findString("entity_id");
        CHECK((id == f.rp1 || id == f.rp2));
        CHECK(*broken.find("error")->findString("code") == "policy_violation");
        CHECK(broken.find("error")->findString("rule")->starts_with("6.1"));
    }
    // The OP keeps its metadata but loses nothing: no RP policy applies to it.
    REQUIRE(out.find("changed")->asArray().empty());

    auto text = test::runOidfed({"--format", "text", "policy", "impact", "--issuer", f.ia, "--metadata-policy", policy,
                                 "--trust-anchor-file", f.anchorFile, "--allow-http", "--allow-loopback"});
    CHECK(text.exitCode == 1);
    CHECK(text.out.find("BREAKS " + f.rp1) != std::string::npos);

    // Usage: no proposal, a proposal that is not an object.
    CHECK(f.impact({}).exitCode == 2);
    CHECK(f.impact({"--constraints", f.write("bad.json", "[1]")}).exitCode == 2);
}
