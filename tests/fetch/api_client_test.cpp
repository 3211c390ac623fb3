// The API client of the RFC 7591 bridge (src/fetch/api_client.h): JSON
// calls with headers against real servers on 127.0.0.1, any status returned,
// and the Fetcher's rules (destination guard, http switch, size cap,
// deadline); a bearer token never reaches an error message.

#include <doctest/doctest.h>

#include "background_process.h"
#include "dcr_server.h"
#include "fetch/api_client.h"
#include "loopback_servers.h"
#include "test_support.h"

using namespace oidfed;
using fetch::ApiClient;
using fetch::ApiRequest;

namespace {

FetchOptions loopbackOptions()
{
    FetchOptions options;
    options.allowHttp = true;
    options.allowLoopback = true;
    return options;
}

std::unique_ptr<ApiClient> makeClient(const FetchOptions &options)
{
    test::ensureCurlInitialised();
    auto client = ApiClient::create(options);
    REQUIRE_MESSAGE(client, (client ? "" : client.error().describe()));
    return std::move(client).value();
}

} // namespace

TEST_CASE("POST, GET, PUT and DELETE with a bearer token; every status is an answer")
{
    test::DcrServer server("initial-token");
    auto client = makeClient(loopbackOptions());

    auto created = client->call(ApiRequest{.method = "POST",
                                           .url = server.registrationEndpoint(),
                                           .headers = {"Authorization: Bearer initial-token"},
                                           .jsonBody = R"({"client_name":"A"})"});
    REQUIRE_MESSAGE(created, (created ? "" : created.error().describe()));
    CHECK(created->status == 201);
    CHECK(created->contentType.find("application/json") == 0);
    Json info = test::json(created->body);
    const std::string uri = *info.findString("registration_client_uri");
    const std::string token = *info.findString("registration_access_token");

    auto read = client->call(ApiRequest{.method = "GET", .url = uri, .headers = {"Authorization: Bearer " + token}});
    REQUIRE(read);
    CHECK(read->status == 200);
    CHECK(*test::json(read->body).findString("client_name") == "A");

    Json update = Json::object();
    update.set("client_id", *info.findString("client_id"));
    update.set("client_name", "B");
    auto put = client->call(ApiRequest{.method = "PUT",
                                       .url = uri,
                                       .headers = {"Authorization: Bearer " + token},
                                       .jsonBody = update.dump()});
    REQUIRE(put);
    CHECK(put->status == 200);
    const std::string rotated = *test::json(put->body).findString("registration_access_token");

    // A refusal is an answer, not an error: the caller reads its body.
    auto refused = client->call(ApiRequest{.method = "DELETE", .url = uri, .headers = {"Authorization: Bearer x"}});
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(*test::json(refused->body).findString("error") == "invalid_token");

    auto deleted = client->call(ApiRequest{.method = "DELETE", .url = uri, .headers = {"Authorization: Bearer " + rotated}});
    REQUIRE(deleted);
    CHECK(deleted->status == 204);
    CHECK(server.clients().empty());
    CHECK(server.requests() ==
          std::vector<std::string>{"POST /reg", "GET /reg/client-1", "PUT /reg/client-1", "DELETE /reg/client-1",
                                   "DELETE /reg/client-1"});
}

TEST_CASE("the destination guard and the http switch apply before any byte is sent")
{
    test::DcrServer server("t");
    FetchOptions noLoopback = loopbackOptions();
    noLoopback.allowLoopback = false;
    auto guarded = makeClient(noLoopback);
    auto refused = guarded->call(ApiRequest{.method = "POST", .url = server.registrationEndpoint(), .jsonBody = "{}"});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::InvalidArgument);
    CHECK(refused.error().message.find("loopback") != std::string::npos);

    FetchOptions httpsOnly = loopbackOptions();
    httpsOnly.allowHttp = false;
    auto https = makeClient(httpsOnly);
    auto plain = https->call(ApiRequest{.method = "POST", .url = server.registrationEndpoint(), .jsonBody = "{}"});
    REQUIRE_FALSE(plain);
    CHECK(plain.error().code == ErrorCode::InvalidArgument);

    // A private network is allowed only when listed.
    FetchOptions listed = noLoopback;
    listed.allowedNetworks = {"127.0.0.1/32"};
    auto allowed = makeClient(listed)->call(ApiRequest{.method = "GET", .url = server.registrationEndpoint() + "/x"});
    REQUIRE(allowed);
    CHECK(allowed->status == 401);  // an unknown client
    CHECK(server.requests() == std::vector<std::string>{"GET /reg/x"});

    auto unknown = makeClient(loopbackOptions())->call(ApiRequest{.method = "PATCH", .url = server.registrationEndpoint()});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("size cap and deadline")
{
    test::PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.maxResponseBytes = 4096;
    options.totalTimeout = std::chrono::milliseconds(300);
    options.connectTimeout = std::chrono::milliseconds(300);
    auto client = makeClient(options);

    auto big = client->call(ApiRequest{.method = "GET", .url = server.url("/big?bytes=5000")});
    REQUIRE_FALSE(big);
    CHECK(big.error().code == ErrorCode::LimitExceeded);
    auto chunked = client->call(ApiRequest{.method = "GET", .url = server.url("/chunked?bytes=70000")});
    REQUIRE_FALSE(chunked);
    CHECK(chunked.error().code == ErrorCode::LimitExceeded);
    auto slow = client->call(ApiRequest{.method = "GET", .url = server.url("/slow?ms=1500")});
    REQUIRE_FALSE(slow);
    CHECK(slow.error().code == ErrorCode::Timeout);
    auto redirect = client->call(ApiRequest{.method = "GET", .url = server.url("/redirect")});
    REQUIRE(redirect);
    CHECK(redirect->status == 302);  // not followed
    CHECK(server.state().hits("/ok") == 0);
}

TEST_CASE("a bearer token never reaches an error message, and a header cannot add lines")
{
    const std::string secret = "s3cr3t-initial-access-token";
    auto client = makeClient(loopbackOptions());
    const std::string dead = "http://127.0.0.1:" + std::to_string(test::freeLoopbackPort()) + "/reg";
    auto down = client->call(
        ApiRequest{.method = "POST", .url = dead, .headers = {"Authorization: Bearer " + secret}, .jsonBody = "{}"});
    REQUIRE_FALSE(down);
    CHECK(down.error().code == ErrorCode::Unavailable);
    CHECK(down.error().describe().find(secret) == std::string::npos);

    auto injected = client->call(ApiRequest{
        .method = "GET", .url = dead, .headers = {"Authorization: Bearer " + secret + "\r\nX-Evil: 1"}});
    REQUIRE_FALSE(injected);
    CHECK(injected.error().code == ErrorCode::InvalidArgument);
    CHECK(injected.error().describe().find(secret) == std::string::npos);
}
