// The list endpoint's prepared answers (spec 8.2; issue #7): every filter
// the server keeps ready gives exactly what walking the subordinate set
// gives, shared rather than copied, with the ETag of its bytes; and a list
// larger than one write piece travels intact over a kept-alive connection of
// a real `oidfed serve`.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/json.h>

#include "entity/hosted_entity.h"
#include "entity/signed_document.h"
#include "server/entity_endpoints.h"
#include "server/query_params.h"
#include "served_federation.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;
using test::json;

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

// A raw HTTP/1.1 client on one kept-alive connection: each exchange reads
// the status line, the headers and exactly Content-Length bytes of body.
class Connection {
public:
    explicit Connection(int port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        timeval timeout{.tv_sec = 10, .tv_usec = 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0);
    }
    ~Connection() { ::close(fd_); }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    struct Reply {
        std::string head;
        std::string body;
        std::string header(const std::string &name) const
        {
            std::size_t at = head.find("\r\n" + name + ": ");
            if (at == std::string::npos)
                return {};
            at += name.size() + 4;
            return head.substr(at, head.find("\r\n", at) - at);
        }
    };

    Reply get(const std::string &path, const std::string &extraHeader = {})
    {
        const std::string request =
            "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (extraHeader.empty() ? "" : extraHeader + "\r\n") + "\r\n";
        REQUIRE(::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
        Reply reply;
        std::size_t headEnd;
        while ((headEnd = buffer_.find("\r\n\r\n")) == std::string::npos)
            REQUIRE(readMore());
        reply.head = buffer_.substr(0, headEnd + 2);
        buffer_.erase(0, headEnd + 4);
        const std::string length = reply.header("Content-Length");
        const std::size_t bodyBytes = length.empty() ? 0 : std::stoul(length);
        while (buffer_.size() < bodyBytes)
            REQUIRE(readMore());
        reply.body = buffer_.substr(0, bodyBytes);
        buffer_.erase(0, bodyBytes);
        return reply;
    }

    /// Bytes received beyond the replies read so far.
    const std::string &leftover() const { return buffer_; }

private:
    bool readMore()
    {
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
};

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

    Connection connection(fed.port());
    const Connection::Reply full = connection.get("/ta/list");
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
    const Connection::Reply configuration = connection.get("/ta/.well-known/openid-federation");
    CHECK(configuration.head.starts_with("HTTP/1.1 200 "));
    CHECK(configuration.header("Content-Type") == "application/entity-statement+jwt");
    CHECK(std::count(configuration.body.begin(), configuration.body.end(), '.') == 2);
    const Connection::Reply relyingParties = connection.get("/ta/list?entity_type=openid_relying_party");
    CHECK(relyingParties.head.starts_with("HTTP/1.1 200 "));
    CHECK(json(relyingParties.body).size() == 2000);
    const Connection::Reply again = connection.get("/ta/list", "If-None-Match: " + full.header("ETag"));
    CHECK(again.head.starts_with("HTTP/1.1 304 "));
    CHECK(again.body.empty());
    const Connection::Reply last = connection.get("/ta/list");
    CHECK(last.body == full.body);
    CHECK(connection.leftover().empty());
}
