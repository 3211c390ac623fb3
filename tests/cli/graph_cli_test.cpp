// `oidfed graph` against a federation served over real HTTP on 127.0.0.1: a
// trust anchor with list and fetch endpoints, an intermediate under it, two
// leaves under that; one leaf's statement is signed by a key the
// intermediate does not publish. The walk finds every entity through the list
// endpoints, each entity gets the resolver's verdict, the bad statement is
// named, and the DOT (and SVG through Graphviz) draws it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>

#include "federation_server.h"
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
    std::string ta = server.base() + "/ta";
    std::string ia = server.base() + "/ia";
    std::string good = server.base() + "/good";
    std::string forged = server.base() + "/forged";
    test::TempDir dir{"oidfed-graph"};
    std::string anchorFile = (dir.path() / "ta.json").string();

    Federation()
    {
        fed.add(ta, test::listingAuthorityMetadata(ta));
        fed.add(ia, test::listingAuthorityMetadata(ia), {ta});
        fed.add(good, json(R"({"openid_relying_party": {"client_name": "good"}})"), {ia});
        fed.add(forged, json(R"({"openid_relying_party": {"client_name": "forged"}})"), {ia});
        for (const std::string &id : {ta, ia, good, forged})
            server.serve(*entityConfigurationUrl(id), fed.entityConfiguration(id));
        server.serve(ta + "/list", Json(Json::Array{Json(ia)}).dump(), 0, "application/json");
        server.serve(ia + "/list", Json(Json::Array{Json(good), Json(forged)}).dump(), 0, "application/json");
        server.serve(test::fetchUrl(ta, ia), fed.subordinateStatement(ta, ia));
        server.serve(test::fetchUrl(ia, good), fed.subordinateStatement(ia, good));
        // Signed by a key the intermediate does not publish (another
        // federation's intermediate of the same name).
        test::TestFederation other{now - 600, now + 3600};
        other.add(ia, test::listingAuthorityMetadata(ia), {ta});
        other.add(forged, json(R"({"openid_relying_party": {}})"), {ia});
        server.serve(test::fetchUrl(ia, forged), other.subordinateStatement(ia, forged));

        fed.writeAnchorFile(ta, anchorFile);
    }

    test::ProcessResult graph(std::vector<std::string> extra = {}, const std::string &anchor = {})
    {
        std::vector<std::string> args{"--format", "json", "graph", anchor.empty() ? ta : anchor, "--trust-anchor-file",
                                      anchorFile, "--allow-http", "--allow-loopback"};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runOidfed(args);
    }
};

const Json *entityIn(const Json &out, const std::string &id)
{
    for (const Json &entity : out.find("entities")->asArray())
        if (*entity.findString("entity_id") == id)
            return &entity;
    return nullptr;
}

bool graphvizInstalled()
{
    return std::system("command -v dot >/dev/null 2>&1") == 0;
}

} // namespace

TEST_CASE("graph walks the list endpoints and gives each entity the resolver's verdict")
{
    Federation f;
    auto run = f.graph();
    INFO(run.out << run.err);
    CHECK(run.exitCode == 1);  // one statement, one entity invalid
    const Json out = json(run.out);
    CHECK(*out.findString("trust_anchor") == f.ta);
    CHECK_FALSE(out.find("truncated")->asBool());
    REQUIRE(out.find("entities")->asArray().size() == 4);

    const Json *anchor = entityIn(out, f.ta);
    REQUIRE(anchor);
    CHECK(anchor->find("depth")->asInt() == 0);
    CHECK(anchor->find("authority")->asBool());
    CHECK(*anchor->findString("verdict") == "valid");
    const Json *ia = entityIn(out, f.ia);
    REQUIRE(ia);
    CHECK(ia->find("depth")->asInt() == 1);
    CHECK(ia->find("authority")->asBool());
    const Json *good = entityIn(out, f.good);
    REQUIRE(good);
    CHECK(*good->findString("verdict") == "valid");
    CHECK(good->find("chain_expires_at")->asInt() == f.now + 3600);
    CHECK_FALSE(good->find("authority")->asBool());
    const Json *forged = entityIn(out, f.forged);
    REQUIRE(forged);
    CHECK(*forged->findString("verdict") == "invalid");
    CHECK(forged->find("error")->isObject());

    int bad = 0;
    for (const Json &statement : out.find("statements")->asArray()) {
        if (*statement.findString("sub") != f.forged) {
            CHECK(*statement.findString("verdict") == "valid");
            CHECK(statement.find("exp")->asInt() == f.now + 3600);
            continue;
        }
        ++bad;
        CHECK(*statement.findString("iss") == f.ia);
        CHECK(*statement.findString("verdict") == "invalid");
        CHECK(*statement.find("error")->findString("code") == "key_not_found");
    }
    CHECK(bad == 1);
}

TEST_CASE("graph --dot draws each statement as an edge with its expiry, and --svg renders it with Graphviz")
{
    Federation f;
    const std::string dot = (f.dir.path() / "federation.dot").string();
    const std::string svg = (f.dir.path() / "federation.svg").string();
    std::vector<std::string> extra{"--dot", dot};
    const bool graphviz = graphvizInstalled();
    if (graphviz)
        extra.insert(extra.end(), {"--svg", svg});
    else
        CHECK_MESSAGE(std::getenv("CI") == nullptr, "CI installs graphviz (scripts/install-deps)");
    auto run = f.graph(extra);
    CHECK(run.exitCode == 1);
    const std::string text = test::readFile(dot);
    CHECK(text.starts_with("digraph G {"));
    CHECK(text.find("rankdir=BT") != std::string::npos);
    CHECK(text.find("label=\"" + f.ta + "\\nvalid until") != std::string::npos);
    CHECK(text.find("shape=doubleoctagon") != std::string::npos);
    CHECK(text.find("invalid: 3.2 signature") != std::string::npos);  // the forged statement's edge
    CHECK(text.find("exp " ) != std::string::npos);
    if (graphviz) {
        const std::string image = test::readFile(svg);
        CHECK(image.find("<svg") != std::string::npos);
        CHECK(image.find(f.forged) != std::string::npos);
    }

    // "-": DOT on stdout and nothing else.
    auto toStdout = f.graph({"--dot", "-"});
    CHECK(toStdout.out.starts_with("digraph G {"));
}

TEST_CASE("graph: bounds mark the walk truncated; an anchor that is not pinned is usage")
{
    Federation f;
    auto bounded = f.graph({"--max-entities", "2"});
    const Json out = json(bounded.out);
    CHECK(out.find("truncated")->asBool());
    CHECK(out.find("entities")->asArray().size() == 2);
    auto shallow = f.graph({"--max-depth", "1"});
    CHECK(json(shallow.out).find("truncated")->asBool());

    CHECK(f.graph({}, f.server.base() + "/not-pinned").exitCode == 2);
}
