// The list endpoint's prepared answers (spec 8.2; issue #7): every filter
// the server keeps ready gives exactly what walking the subordinate set
// gives, shared rather than copied, with the ETag of its bytes; and a list
// larger than one write piece travels intact over a kept-alive connection of
// a real `oidfed serve`.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/json.h>

#include "entity/hosted_entity.h"
#include "entity/signed_document.h"
#include "raw_http_connection.h"
#include "server/entity_endpoints.h"
#include "server/query_params.h"
#include "served_federation.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;
using test::json;
using test::RawHttpConnection;

namespace {

constexpr UnixTime kNow = 1767225600;  // 2026-01-01T00:00:00Z

// A subordinate file's JSON; the types and intermediate flag vary with i so
// that every prepared list has members and differs from the others.
Json subordinateFile(int i)
{
    Json file = Json::object();
    file.set("entity_id", "https://sub" + std::to_string(i) + ".example.org");
    file.set("jwks", test::generatedPublicJwks());
    Json types = Json::array();
    if (i % 2 == 0)
        types.push("openid_relying_party");
    if (i % 3 == 0)
        types.push("openid_provider");
    if (i % 5 == 0)
        types.push("federation_entity");
    file.set("entity_types", std::move(types));
    file.set("intermediate", i % 5 == 0 || i % 7 == 0);
    return file;
}

// An authority with `count` subordinates (statements signed at kNow).
std::shared_ptr<entity::HostedEntity> makeAuthority(const test::TempDir &tmp, int count)
{
    std::vector<entity::Subordinate> subordinates;
    for (int i = 0; i < count; ++i) {
        auto parsed = entity::parseSubordinate(subordinateFile(i), "sub" + std::to_string(i) + ".json");
        REQUIRE_MESSAGE(parsed, parsed.error().describe());
        subordinates.push_back(std::move(parsed).value());
    }
    auto set = entity::SubordinateSet::fromSubordinates(std::move(subordinates));
    REQUIRE_MESSAGE(set, set.error().describe());
    auto keys = entity::KeyStore::open(tmp.keys(), {}, kNow);
    REQUIRE_MESSAGE(keys, keys.error().describe());
    auto id = EntityId::parse("https://ta.example.org");
    REQUIRE(id);
    entity::HostedEntitySettings settings{.entityId = *id};
    settings.subordinatesDir = tmp.path() / "subordinates";
    auto entity = entity::HostedEntity::create(std::move(settings),
                                               entity::HostedEntityParts{.keys = std::move(keys).value(),
                                                                         .subordinates = std::move(set).value()},
                                               nullptr, kNow, {});
    REQUIRE_MESSAGE(entity, entity.error().describe());
    return std::move(entity).value();
}

HttpResponse list(const entity::HostedEntity &entity, const ListBody &prepared, const std::string &query,
                  const std::string &ifNoneMatch = {}, const SubordinateMarks *marks = nullptr)
{
    auto params = QueryParams::parse(query);
    REQUIRE(params);
    return listEndpoint(entity, prepared, *params, marks, ifNoneMatch);
}

// What the list must be: the set's own filtering, as a compact JSON array.
std::string expectedBody(const entity::HostedEntity &entity, const entity::SubordinateFilter &filter)
{
    Json array = Json::array();
    for (const std::string &id : entity.subordinates()->list(filter))
        array.push(id);
    return array.dump();
}

} // namespace

TEST_CASE("every prepared list equals the filtered set, is shared, and carries the ETag of its bytes")
{
    test::TempDir tmp;
    auto entity = makeAuthority(tmp, 300);
    const ListBody prepared = makeListBody(*entity);

    const std::vector<std::string> types = {"openid_relying_party", "openid_provider", "federation_entity",
                                            "oauth_resource"};  // the last: no subordinate has it
    const std::vector<std::optional<bool>> intermediates = {std::nullopt, true, false};
    std::size_t checked = 0;
    for (const std::optional<bool> &intermediate : intermediates) {
        std::vector<std::vector<std::string>> typeFilters = {{}};
        for (const std::string &type : types)
            typeFilters.push_back({type});
        for (const std::vector<std::string> &typeFilter : typeFilters) {
            std::string query;
            for (const std::string &type : typeFilter)
                query += "entity_type=" + type + "&";
            if (intermediate)
                query += *intermediate ? "intermediate=true" : "intermediate=false";
            CAPTURE(query);
            const HttpResponse response = list(*entity, prepared, query);
            REQUIRE(response.status == 200);
            CHECK(response.contentType == "application/json");
            CHECK(response.header("Cache-Control") == "max-age=0");
            REQUIRE(response.sharedBody);  // kept ready, not built or copied
            CHECK(response.body.empty());
            const std::string expected = expectedBody(*entity, {.entityTypes = typeFilter, .intermediate = intermediate});
            CHECK(response.bodyView() == expected);
            CHECK(response.header("ETag") == entity::strongEtag(expected));
            // The same bytes for every request: one shared string.
            CHECK(list(*entity, prepared, query).sharedBody.get() == response.sharedBody.get());
            // Conditional GET.
            const HttpResponse notModified = list(*entity, prepared, query, response.header("ETag"));
            CHECK(notModified.status == 304);
            CHECK(notModified.bodyView().empty());
            CHECK(notModified.header("ETag") == response.header("ETag"));
            ++checked;
        }
    }
    CHECK(checked == 15);
    CHECK(list(*entity, prepared, "").bodyView().size() > 300 * 20);
    CHECK(list(*entity, prepared, "entity_type=oauth_resource").bodyView() == "[]");
}

TEST_CASE("filters that are not kept ready are computed: two entity types, trust_marked=false")
{
    test::TempDir tmp;
    auto entity = makeAuthority(tmp, 120);
    const ListBody prepared = makeListBody(*entity);

    const HttpResponse both =
        list(*entity, prepared, "entity_type=openid_relying_party&entity_type=openid_provider&intermediate=false");
    REQUIRE(both.status == 200);
    CHECK_FALSE(both.sharedBody);
    const std::string expected = expectedBody(
        *entity, {.entityTypes = {"openid_relying_party", "openid_provider"}, .intermediate = false});
    CHECK(both.body == expected);
    CHECK(json(both.body).size() > 0);
    CHECK(both.header("ETag") == entity::strongEtag(expected));
    CHECK(list(*entity, prepared, "entity_type=openid_relying_party&entity_type=openid_provider&intermediate=false",
               both.header("ETag"))
              .status == 304);

    // With a marks resolver: trust_marked=false filters nothing (the prepared
    // list), trust_marked=true is computed from the marks.
    const SubordinateMarks marks = [](const std::string &subject) {
        return subject == "https://sub4.example.org" ? std::vector<std::string>{"https://marks.example.org/x"}
                                                     : std::vector<std::string>{};
    };
    const HttpResponse unmarked = list(*entity, prepared, "trust_marked=false", {}, &marks);
    REQUIRE(unmarked.status == 200);
    CHECK(unmarked.sharedBody == list(*entity, prepared, "").sharedBody);
    const HttpResponse marked = list(*entity, prepared, "trust_marked=true&entity_type=openid_relying_party", {}, &marks);
    REQUIRE(marked.status == 200);
    CHECK(marked.body == R"(["https://sub4.example.org"])");

    // Bad parameters are refused before any list is chosen.
    CHECK(list(*entity, prepared, "intermediate=yes").status == 400);
    CHECK(list(*entity, prepared, "entity_type=").status == 400);
    CHECK(list(*entity, prepared, "trust_marked=true").status == 400);  // no marks resolver here
}

namespace {

// GET `path` (with `extraHeader` as one more header line when not empty) on
// the kept-alive `connection`: the status line, the headers and exactly
// Content-Length bytes of body.
RawHttpConnection::Response get(RawHttpConnection &connection, const std::string &path,
                                const std::string &extraHeader = {})
{
    REQUIRE(connection.sendGet(path, extraHeader));
    RawHttpConnection::Response response = connection.readResponse(std::chrono::seconds(30));
    REQUIRE(response.complete);
    return response;
}

} // namespace

TEST_CASE("a list of several write pieces arrives whole, and the connection carries the next requests")
{
    test::ServedFederation fed;
    // 4,000 more subordinates for the trust anchor (about 120 KB of list:
    // two 64 KiB pieces), then a reload.
    const std::filesystem::path dir = fed.dir() / "subordinates" / "ta";
    for (int i = 0; i < 4000; ++i)
        test::writeText(dir / ("sub" + std::to_string(i) + ".json"), subordinateFile(i).dump());
    REQUIRE(fed.reload());

    RawHttpConnection connection(fed.port());
    REQUIRE(connection.open());
    const RawHttpConnection::Response full = get(connection, "/ta/list");
    REQUIRE(full.head.starts_with("HTTP/1.1 200 "));
    CHECK(full.header("Content-Type") == "application/json");
    CHECK(full.header("Connection") == "Keep-Alive");
    CHECK(full.body.size() > 64 * 1024);
    const Json ids = json(full.body);
    REQUIRE(ids.isArray());
    CHECK(ids.size() == 4001);  // and the hosted intermediate
    CHECK(full.header("ETag") == entity::strongEtag(full.body));

    // Same connection: a small response (Pistache's own path), a filtered
    // large one, and a conditional one, each complete and in order.
    const RawHttpConnection::Response configuration = get(connection, "/ta/.well-known/openid-federation");
    CHECK(configuration.head.starts_with("HTTP/1.1 200 "));
    CHECK(configuration.header("Content-Type") == "application/entity-statement+jwt");
    CHECK(std::count(configuration.body.begin(), configuration.body.end(), '.') == 2);
    const RawHttpConnection::Response relyingParties = get(connection, "/ta/list?entity_type=openid_relying_party");
    CHECK(relyingParties.head.starts_with("HTTP/1.1 200 "));
    CHECK(json(relyingParties.body).size() == 2000);
    const RawHttpConnection::Response again = get(connection, "/ta/list", "If-None-Match: " + full.header("ETag"));
    CHECK(again.head.starts_with("HTTP/1.1 304 "));
    CHECK(again.body.empty());
    const RawHttpConnection::Response last = get(connection, "/ta/list");
    CHECK(last.body == full.body);
    CHECK(connection.leftover().empty());
}
