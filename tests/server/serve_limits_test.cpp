// Resource bounds of `oidfed serve` (issue 8; threats B07, K11), against a
// real process serving the demo federation: a client over its own limit of
// resolutions on demand gets 429 while another client (another loopback
// source address) is still answered and cached answers are never limited;
// connections beyond max_connections are refused at once with 503 while the
// open ones keep being served.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>

#include <oidfed/federation_urls.h>

#include "raw_http_connection.h"
#include "served_federation.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::HttpReply;
using test::RawHttpConnection;
using test::ServedFederation;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    static_cast<HttpReply *>(user)->body.append(data, size * count);
    return size * count;
}

std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *user)
{
    std::string line(data, size * count);
    std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        value.erase(value.find_last_not_of("\r\n ") + 1);
        static_cast<HttpReply *>(user)->headers[name] = value;
    }
    return size * count;
}

/// GET `url` from the loopback source address `source` (every 127.0.0.0/8
/// address is local on Linux): another client, as the server sees it.
HttpReply getFrom(const std::string &source, const std::string &url)
{
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    REQUIRE(curl);
    HttpReply reply;
    const std::string interface = "host!" + source;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_INTERFACE, interface.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
    const CURLcode rc = curl_easy_perform(curl.get());
    REQUIRE_MESSAGE(rc == CURLE_OK, curl_easy_strerror(rc) << " for " << url << " from " << source);
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

/// A raw keep-alive connection to the server, for holding a slot.
std::unique_ptr<RawHttpConnection> connectRaw(int port)
{
    auto connection = std::make_unique<RawHttpConnection>(port);
    REQUIRE(connection->open());
    return connection;
}

/// Sends a keep-alive GET on `connection` and returns the status line of the
/// answer (empty when the connection ended first).
std::string getStatusLine(RawHttpConnection &connection, const std::string &path)
{
    if (!connection.sendGet(path))
        return {};
    const RawHttpConnection::Response response = connection.readResponse(10s);
    return response.complete ? response.statusLine() : std::string();
}

std::string resolvePath(const ServedFederation &fed, const std::string &subject)
{
    return "/ta/resolve?sub=" + percentEncode(subject) + "&trust_anchor=" + percentEncode(fed.id("ta"));
}

} // namespace

TEST_CASE("B07: a client over its own on-demand limit gets 429, another client is still answered")
{
    // 3 resolutions on demand in a burst per client, then one per second.
    ServedFederation fed("\"threads\": 2,", R"("threads": 2, "resolver_limits": { "on_demand_per_client_rate": 1,
                                                                                  "on_demand_per_client_burst": 3 },)");
    const std::string a = "127.0.0.1";
    const std::string b = "127.0.0.2";

    // Client B resolves the OP on demand: it is cached from now on.
    HttpReply op = getFrom(b, fed.base() + resolvePath(fed, fed.id("op")));
    REQUIRE_MESSAGE(op.status == 200, op.body);

    // Client A asks for subjects nobody resolved yet, each one a resolution
    // on demand (of an entity that does not exist: 404 invalid_subject).
    const auto start = SteadyClock::now();
    int resolved = 0;
    int limited = 0;
    HttpReply refusal;
    for (int i = 0; i < 20; ++i) {
        HttpReply reply = getFrom(a, fed.base() + resolvePath(fed, fed.id("nobody-" + std::to_string(i))));
        if (reply.status == 429) {
            ++limited;
            refusal = reply;
        } else {
            CHECK_MESSAGE(reply.status == 404, reply.body);
            CHECK(limited == 0);  // nothing is admitted between refusals within the same second
            ++resolved;
        }
        if (limited > 0)
            break;
    }
    const auto elapsedSeconds = std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - start).count();
    REQUIRE_MESSAGE(limited == 1, "client A was never limited");
    CHECK(resolved >= 3);                           // the burst
    CHECK(resolved <= 3 + elapsedSeconds + 1);      // plus the refill
    test::checkSpecError(refusal, 429, "temporarily_unavailable");
    CHECK(std::stol(refusal.header("retry-after")) >= 1);

    // Cached answers are never limited: A still gets the OP...
    HttpReply cached = getFrom(a, fed.base() + resolvePath(fed, fed.id("op")));
    CHECK_MESSAGE(cached.status == 200, cached.body);
    // ...and client B still gets resolutions on demand.
    HttpReply rp = getFrom(b, fed.base() + resolvePath(fed, fed.id("rp")));
    CHECK_MESSAGE(rp.status == 200, rp.body);
    CHECK(getFrom(b, fed.base() + resolvePath(fed, fed.id("ci"))).status == 200);

    HttpReply metrics = fed.get("/metrics");
    CHECK_MESSAGE(metrics.body.find("oidfed_resolve_client_limited_total{reason=\"rate\"}") != std::string::npos,
                  metrics.body);
    CHECK(metrics.body.find("oidfed_resolve_on_demand_rejected_total 0\n") != std::string::npos);
}

TEST_CASE("K11: connections beyond max_connections get 503 at once; open connections keep being served")
{
    ServedFederation fed("\"threads\": 2,", R"("threads": 2, "max_connections": 3, "header_timeout_ms": 20000,)");
    // Three keep-alive connections, each proven to hold a slot by an answer
    // (a refused one is retried: the start-up probe's connection may still
    // be closing).
    std::vector<std::unique_ptr<RawHttpConnection>> held;
    for (int i = 0; i < 3; ++i) {
        bool holding = false;
        for (int attempt = 0; attempt < 50 && !holding; ++attempt) {
            auto connection = connectRaw(fed.port());
            holding = getStatusLine(*connection, "/healthz") == "HTTP/1.1 200 OK";
            if (holding)
                held.push_back(std::move(connection));
            else
                std::this_thread::sleep_for(100ms);
        }
        REQUIRE(holding);
    }

    // A fourth is refused before it is read: 503, the spec 8.9 body,
    // Retry-After, Connection: close.
    const auto start = SteadyClock::now();
    HttpReply refused = fed.get("/ta/.well-known/openid-federation");
    CHECK(SteadyClock::now() - start < 5s);
    test::checkSpecError(refused, 503, "temporarily_unavailable");
    CHECK(refused.header("retry-after") == "1");
    CHECK(refused.header("connection") == "close");
    for (int i = 0; i < 5; ++i)
        CHECK(fed.get("/healthz").status == 503);

    // The open connections are not starved.
    for (auto &connection : held)
        CHECK(getStatusLine(*connection, "/ta/.well-known/openid-federation") == "HTTP/1.1 200 OK");

    // A closed connection frees its slot.
    held.back()->close();
    bool admitted = false;
    for (int i = 0; i < 50 && !admitted; ++i) {
        admitted = fed.get("/healthz").status == 200;
        if (!admitted)
            std::this_thread::sleep_for(100ms);
    }
    CHECK(admitted);
    held.clear();
    HttpReply metrics;
    for (int i = 0; i < 50 && metrics.status != 200; ++i) {
        metrics = fed.get("/metrics");
        if (metrics.status != 200)
            std::this_thread::sleep_for(100ms);
    }
    REQUIRE(metrics.status == 200);
    const std::string family = "\noidfed_http_connections_refused_total ";
    const std::size_t at = metrics.body.find(family);
    REQUIRE(at != std::string::npos);
    CHECK(std::stol(metrics.body.substr(at + family.size())) >= 6);
}

TEST_CASE("K11: slow clients (slowloris) are timed out after header_timeout_ms and give their slots back")
{
    ServedFederation fed("\"threads\": 2,", R"("threads": 2, "max_connections": 2, "header_timeout_ms": 1000,)");
    // Two clients that start a request and never finish its headers, one
    // byte now and then (which does not extend the deadline).
    std::vector<std::unique_ptr<RawHttpConnection>> slow;
    for (int i = 0; i < 2; ++i) {
        bool holding = false;
        for (int attempt = 0; attempt < 50 && !holding; ++attempt) {
            auto connection = connectRaw(fed.port());
            // A refused connection is answered at once; a held one is not.
            holding = connection->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n") &&
                      !connection->readable(300ms);
            if (holding)
                slow.push_back(std::move(connection));
        }
        REQUIRE(holding);
    }
    test::checkSpecError(fed.get("/healthz"), 503, "temporarily_unavailable");

    const auto start = SteadyClock::now();
    for (int i = 0; i < 3; ++i) {
        for (auto &connection : slow)
            connection->send("X");
        std::this_thread::sleep_for(200ms);
    }
    // The server answers 408 and closes them (its timer runs every 500 ms).
    for (auto &connection : slow) {
        std::string answer = connection->readAll(10s);
        CHECK_MESSAGE(answer.rfind("HTTP/1.1 408", 0) == 0, answer);
    }
    CHECK(SteadyClock::now() - start < 10s);
    bool admitted = false;
    for (int i = 0; i < 50 && !admitted; ++i) {
        admitted = fed.get("/healthz").status == 200;
        if (!admitted)
            std::this_thread::sleep_for(100ms);
    }
    CHECK(admitted);
}
