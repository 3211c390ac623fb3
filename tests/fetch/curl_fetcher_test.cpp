// The libcurl Fetcher against real HTTP servers on 127.0.0.1 (Pistache, and a
// raw TCP server for faults Pistache cannot script). Only loopback addresses
// are ever contacted: every URL below is 127.0.0.1, ::1, localhost or a
// numeric form of them, or is refused before any connection (the test that
// mentions 10.0.0.1 / 169.254.169.254 relies on the guard refusing it, and
// asserts so). Every wait is bounded by a timeout of at most a few seconds.
#include <oidfed/fetcher.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <oidfed/federation_urls.h>

#include "loopback_servers.h"

using namespace std::chrono_literals;
using oidfed::ErrorCode;
using oidfed::FetchOptions;
using oidfed::FetchRequest;
using oidfed::Fetcher;
using oidfed::test::makeFetcher;
using oidfed::test::PassiveListener;
using oidfed::test::PistacheServer;
using oidfed::test::RawTcpServer;

namespace {

constexpr const char *kStatementType = "application/entity-statement+jwt";

/// Options for loopback tests: the two test switches on, short timeouts.
FetchOptions loopbackOptions()
{
    FetchOptions options;
    options.allowHttp = true;
    options.allowLoopback = true;
    options.connectTimeout = 1000ms;
    options.totalTimeout = 3000ms;
    return options;
}

FetchRequest statementRequest(std::string url)
{
    return FetchRequest{std::move(url), kStatementType, 0ms};
}

ErrorCode errorOf(const oidfed::Result<oidfed::FetchResponse> &result)
{
    REQUIRE_FALSE_MESSAGE(result.has_value(), "expected a failure");
    return result.error().code;
}

using Clock = std::chrono::steady_clock;

long long millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

} // namespace

TEST_CASE("fetch returns an entity statement served with its media type")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());
    auto response = fetcher->fetch(statementRequest(server.url("/ok")));
    REQUIRE_MESSAGE(response, (response ? "" : response.error().describe()));
    CHECK(response->status == 200);
    CHECK(response->body == "eyJ.eyJ.sig");
    CHECK(response->contentType == kStatementType);
    CHECK(response->remoteAddress == "127.0.0.1");
    CHECK(server.state().hits("/ok") == 1);
}

TEST_CASE("Content-Type: case-insensitive, parameters ignored; wrong or missing type is Malformed")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());

    auto withParams = fetcher->fetch(statementRequest(server.url("/ok-params")));
    REQUIRE(withParams);
    CHECK(withParams->body == "eyJ.eyJ.sig");

    CHECK(errorOf(fetcher->fetch(statementRequest(server.url("/wrong-type")))) == ErrorCode::Malformed);
    CHECK(errorOf(fetcher->fetch(statementRequest(server.url("/no-type")))) == ErrorCode::Malformed);

    // No expected type: any Content-Type (or none) is accepted.
    auto any = fetcher->fetch(FetchRequest{server.url("/wrong-type"), "", 0ms});
    REQUIRE(any);
    CHECK(any->contentType == "text/html");
}

TEST_CASE("a redirect is not followed: Unavailable, and the target is never requested")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());
    auto result = fetcher->fetch(statementRequest(server.url("/redirect")));
    CHECK(errorOf(result) == ErrorCode::Unavailable);
    CHECK(server.state().hits("/redirect") == 1);
    CHECK(server.state().hits("/ok") == 0);
}

TEST_CASE("HTTP errors: 500 is Unavailable, 404 is NotFound with the JSON error in the message")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());
    auto serverError = fetcher->fetch(statementRequest(server.url("/error-500")));
    CHECK(errorOf(serverError) == ErrorCode::Unavailable);

    auto notFound = fetcher->fetch(statementRequest(server.url("/not-found")));
    CHECK(errorOf(notFound) == ErrorCode::NotFound);
    CHECK(notFound.error().message.find("not_found") != std::string::npos);
    CHECK(notFound.error().message.find("unknown subject") != std::string::npos);
}

TEST_CASE("size cap: Content-Length over the cap, a chunked body over the cap")
{
    PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.maxResponseBytes = 64 * 1024;
    auto fetcher = makeFetcher(options);

    auto atCap = fetcher->fetch(statementRequest(server.url("/big?bytes=65536")));
    REQUIRE(atCap);
    CHECK(atCap->body.size() == 65536);

    auto large = fetcher->fetch(statementRequest(server.url("/big?bytes=65537")));
    CHECK(errorOf(large) == ErrorCode::LimitExceeded);

    // Pistache streams this with Transfer-Encoding: chunked (no length known
    // in advance), so only the write callback can stop it.
    auto chunked = fetcher->fetch(statementRequest(server.url("/chunked?bytes=1048576")));
    CHECK(errorOf(chunked) == ErrorCode::LimitExceeded);
    auto smallChunked = fetcher->fetch(statementRequest(server.url("/chunked?bytes=40000")));
    REQUIRE(smallChunked);
    CHECK(smallChunked->body.size() == 40000);
}

TEST_CASE("size cap: an endless chunked stream is cut at the cap")
{
    std::atomic<long> bytesSent{0};
    RawTcpServer server([&](int fd, const std::string &, const std::atomic<bool> &stop) {
        if (!RawTcpServer::sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/entity-statement+jwt\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\n"))
            return;
        const std::string chunk = "1000\r\n" + std::string(0x1000, 'x') + "\r\n";
        // "Endless" for the client; bounded at 64 MiB here so the test ends
        // even if the client misbehaves.
        for (int i = 0; i < 16384 && !stop; ++i) {
            if (!RawTcpServer::sendAll(fd, chunk))
                return;
            bytesSent += static_cast<long>(chunk.size());
        }
    });
    FetchOptions options = loopbackOptions();
    options.maxResponseBytes = 32 * 1024;
    auto fetcher = makeFetcher(options);
    const auto start = Clock::now();
    CHECK(errorOf(fetcher->fetch(statementRequest(server.url("/stream")))) == ErrorCode::LimitExceeded);
    CHECK(millisecondsSince(start) < 2000);
}

TEST_CASE("size cap: a huge Content-Length is refused before the body is read")
{
    RawTcpServer server([](int fd, const std::string &, const std::atomic<bool> &stop) {
        RawTcpServer::sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/entity-statement+jwt\r\n"
                                  "Content-Length: 1000000000000\r\n\r\nxxxx");
        RawTcpServer::sleepUnlessStopped(2000, stop);  // would stall a reader that waits for the body
    });
    auto fetcher = makeFetcher(loopbackOptions());
    const auto start = Clock::now();
    CHECK(errorOf(fetcher->fetch(statementRequest(server.url("/huge")))) == ErrorCode::LimitExceeded);
    CHECK(millisecondsSince(start) < 1500);
}

TEST_CASE("timeouts: a slow handler and a stalled body give Timeout within the deadline")
{
    PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.totalTimeout = 300ms;
    options.connectTimeout = 300ms;
    auto fetcher = makeFetcher(options);

    auto start = Clock::now();
    CHECK(errorOf(fetcher->fetch(statementRequest(server.url("/slow?ms=1500")))) == ErrorCode::Timeout);
    // Neither early nor much later than the 300 ms deadline (generous upper
    // bound for a loaded 2-core machine; the handler itself takes 1500 ms).
    CHECK(millisecondsSince(start) >= 250);
    CHECK(millisecondsSince(start) < 1200);

    // Headers, then a body that trickles and stops: the total deadline is not
    // reset by arriving bytes.
    RawTcpServer trickle([](int fd, const std::string &, const std::atomic<bool> &stop) {
        RawTcpServer::sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/entity-statement+jwt\r\n"
                                  "Content-Length: 100\r\n\r\n");
        for (int i = 0; i < 20 && !stop; ++i) {
            if (!RawTcpServer::sendAll(fd, "x"))
                return;
            RawTcpServer::sleepUnlessStopped(100, stop);
        }
    });
    start = Clock::now();
    CHECK(errorOf(fetcher->fetch(statementRequest(trickle.url("/trickle")))) == ErrorCode::Timeout);
    CHECK(millisecondsSince(start) < 1200);
}

TEST_CASE("timeouts: a per-request timeout shortens the deadline; a negative one fails at once")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());  // totalTimeout 3 s
    const auto start = Clock::now();
    CHECK(errorOf(fetcher->fetch(FetchRequest{server.url("/slow?ms=1500"), kStatementType, 200ms})) ==
          ErrorCode::Timeout);
    CHECK(millisecondsSince(start) < 1200);

    CHECK(errorOf(fetcher->fetch(FetchRequest{server.url("/ok"), kStatementType, -1ms})) == ErrorCode::Timeout);
    CHECK(server.state().hits("/ok") == 0);
}

TEST_CASE("connection faults: closed without a reply, short body")
{
    RawTcpServer closes([](int, const std::string &, const std::atomic<bool> &) {});
    auto fetcher = makeFetcher(loopbackOptions());
    CHECK(errorOf(fetcher->fetch(statementRequest(closes.url("/close")))) == ErrorCode::Unavailable);
    CHECK(closes.connections() >= 1);

    RawTcpServer shortBody([](int fd, const std::string &, const std::atomic<bool> &) {
        RawTcpServer::sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/entity-statement+jwt\r\n"
                                  "Content-Length: 5000\r\n\r\n" +
                                      std::string(1000, 'x'));
    });
    CHECK(errorOf(fetcher->fetch(statementRequest(shortBody.url("/short")))) == ErrorCode::Unavailable);

    RawTcpServer garbage([](int fd, const std::string &, const std::atomic<bool> &) {
        RawTcpServer::sendAll(fd, "this is not HTTP\r\n\r\n");
    });
    CHECK(errorOf(fetcher->fetch(statementRequest(garbage.url("/garbage")))) == ErrorCode::Unavailable);
}

TEST_CASE("TLS: https to a plain-HTTP server is Unavailable; a silent server is a Timeout")
{
    PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.allowHttp = false;
    // Pistache answers the ClientHello with a plain HTTP error: the handshake
    // fails. (A generous connect timeout: this must not turn into a Timeout
    // on a slow, sanitized or loaded build.)
    auto fetcher = makeFetcher(options);
    auto result = fetcher->fetch(statementRequest("https://127.0.0.1:" + std::to_string(server.port()) + "/ok"));
    CHECK_MESSAGE(errorOf(result) == ErrorCode::Unavailable, result.error().describe());

    options.connectTimeout = 300ms;
    fetcher = makeFetcher(options);

    // TCP accepted, no ServerHello (threat U2): the connect timeout covers
    // the handshake.
    RawTcpServer silent([](int, const std::string &, const std::atomic<bool> &stop) {
        RawTcpServer::sleepUnlessStopped(2000, stop);
    });
    const auto start = Clock::now();
    auto stalled = fetcher->fetch(statementRequest("https://127.0.0.1:" + std::to_string(silent.port()) + "/ok"));
    CHECK(errorOf(stalled) == ErrorCode::Timeout);
    CHECK(millisecondsSince(start) < 1500);
}

TEST_CASE("SSRF guard: loopback refused without allowLoopback, with no connection attempted")
{
    PistacheServer server;
    PassiveListener listener;
    FetchOptions options = loopbackOptions();
    options.allowLoopback = false;
    auto fetcher = makeFetcher(options);

    const std::string port = std::to_string(listener.port());
    // Every spelling of the loopback host, including numeric IPv4 forms that
    // the URL parser normalises and the IPv4-mapped IPv6 form.
    for (const std::string &url : {"http://127.0.0.1:" + port + "/ok", "http://localhost:" + port + "/ok",
                                   "http://[::1]:" + port + "/ok", "http://2130706433:" + port + "/ok",
                                   "http://0x7f.1:" + port + "/ok", "http://017700000001:" + port + "/ok",
                                   "http://127.1:" + port + "/ok", "http://[::ffff:127.0.0.1]:" + port + "/ok",
                                   "http://0.0.0.0:" + port + "/ok", "http://[::]:" + port + "/ok"}) {
        CAPTURE(url);
        auto result = fetcher->fetch(statementRequest(url));
        CHECK(errorOf(result) == ErrorCode::InvalidArgument);
    }
    CHECK_FALSE(listener.hasPendingConnection(100));

    auto pistache = fetcher->fetch(statementRequest(server.url("/ok")));
    CHECK(errorOf(pistache) == ErrorCode::InvalidArgument);
    CHECK(server.state().requests == 0);
}

TEST_CASE("SSRF guard: private, link-local and unspecified literals are refused before connecting")
{
    // These addresses are never contacted: the guard refuses them in the
    // open-socket callback, before a socket exists.
    FetchOptions options = loopbackOptions();
    auto fetcher = makeFetcher(options);
    for (const char *url : {"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/",
                            "http://[fe80::1]/", "http://100.64.0.1/", "http://192.168.1.1/", "http://0.0.0.0/",
                            "http://[::ffff:10.0.0.1]/", "http://224.0.0.1/"}) {
        CAPTURE(url);
        const auto start = Clock::now();
        CHECK(errorOf(fetcher->fetch(statementRequest(url))) == ErrorCode::InvalidArgument);
        CHECK(millisecondsSince(start) < 500);  // refused, not timed out
    }
}

TEST_CASE("SSRF guard: an allowed network opens exactly that block")
{
    PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.allowLoopback = false;
    options.allowedNetworks = {"127.0.0.1/32"};
    auto fetcher = makeFetcher(options);
    CHECK(fetcher->fetch(statementRequest(server.url("/ok"))));
    auto other = fetcher->fetch(statementRequest("http://127.0.0.2:" + std::to_string(server.port()) + "/ok"));
    CHECK(errorOf(other) == ErrorCode::InvalidArgument);
    CHECK(server.state().requests == 1);
}

TEST_CASE("URL refusals: http without allowHttp, other schemes, user info, fragments, garbage")
{
    PistacheServer server;
    FetchOptions options = loopbackOptions();
    options.allowHttp = false;
    auto fetcher = makeFetcher(options);
    auto http = fetcher->fetch(statementRequest(server.url("/ok")));
    CHECK(errorOf(http) == ErrorCode::InvalidArgument);

    const std::string hostPort = "127.0.0.1:" + std::to_string(server.port());
    for (const std::string &url : {"ftp://" + hostPort + "/ok", std::string("file:///etc/passwd"), "gopher://" + hostPort + "/",
                                   "https://user:pw@" + hostPort + "/ok", "https://" + hostPort + "/ok#frag",
                                   std::string("/relative/path"), std::string("https://"), std::string(""),
                                   "https://" + hostPort + "/o k", std::string("https://127.0.0.1\0.evil/", 24)}) {
        CAPTURE(url);
        CHECK(errorOf(fetcher->fetch(statementRequest(url))) == ErrorCode::InvalidArgument);
    }
    CHECK(errorOf(fetcher->fetch(FetchRequest{"https://" + hostPort + "/ok", "a/b\r\nX-Injected: 1", 0ms})) ==
          ErrorCode::InvalidArgument);
    CHECK(server.state().requests == 0);
}

TEST_CASE("request headers: User-Agent, Accept, no Accept-Encoding; the fetch URL goes out unchanged")
{
    RawTcpServer server([](int fd, const std::string &, const std::atomic<bool> &) {
        RawTcpServer::sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/entity-statement+jwt\r\n"
                                  "Content-Length: 3\r\nConnection: close\r\n\r\nabc");
    });
    auto fetcher = makeFetcher(loopbackOptions());
    auto endpoint = oidfed::fetchEndpointUrl(server.url("/fetch"), "https://rp.example/a?b=c&d");
    REQUIRE(endpoint);
    auto response = fetcher->fetch(statementRequest(*endpoint));
    REQUIRE(response);
    const std::string head = server.lastRequestHead();
    CAPTURE(head);
    CHECK(head.starts_with("GET /fetch?sub=https%3A%2F%2Frp.example%2Fa%3Fb%3Dc%26d HTTP/1.1\r\n"));
    CHECK(head.find("\r\nUser-Agent: oidfed/") != std::string::npos);
    CHECK(head.find("\r\nAccept: application/entity-statement+jwt\r\n") != std::string::npos);
    CHECK(head.find("Accept-Encoding") == std::string::npos);

    FetchOptions custom = loopbackOptions();
    custom.userAgent = "test-agent/1";
    auto customFetcher = makeFetcher(custom);
    REQUIRE(customFetcher->fetch(statementRequest(server.url("/x"))));
    CHECK(server.lastRequestHead().find("\r\nUser-Agent: test-agent/1\r\n") != std::string::npos);
}

TEST_CASE("fetchAll: results in request order, transfers concurrent")
{
    PistacheServer server(8);
    auto fetcher = makeFetcher(loopbackOptions());
    std::vector<FetchRequest> requests;
    for (int i = 0; i < 4; ++i)
        requests.push_back(statementRequest(server.url("/sleep?ms=200&id=" + std::to_string(i))));
    requests.insert(requests.begin() + 2, statementRequest(server.url("/error-500")));
    requests.push_back(statementRequest("ftp://127.0.0.1/refused"));

    auto results = fetcher->fetchAll(requests);
    REQUIRE(results.size() == requests.size());
    REQUIRE(results[0]);
    CHECK(results[0]->body == "0");
    REQUIRE(results[1]);
    CHECK(results[1]->body == "1");
    CHECK(errorOf(results[2]) == ErrorCode::Unavailable);
    REQUIRE(results[3]);
    CHECK(results[3]->body == "2");
    REQUIRE(results[4]);
    CHECK(results[4]->body == "3");
    CHECK(errorOf(results[5]) == ErrorCode::InvalidArgument);

    // Concurrency is checked on the server side, not with a stopwatch: each
    // handler sleeps 200 ms, and the server records how many were running at
    // once. Sequential fetching would give exactly 1. (Pistache pins each
    // connection to one of its 8 worker threads, so 2 is the bound that cannot
    // flake even if two connections happen to share a worker.)
    CHECK(server.state().maxInFlight >= 2);
    CHECK(fetcher->fetchAll({}).empty());
}

TEST_CASE("fetchAll: maxConcurrentTransfers bounds the parallelism")
{
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxConcurrentTransfers = 1;
    auto fetcher = makeFetcher(options);
    std::vector<FetchRequest> requests;
    for (int i = 0; i < 3; ++i)
        requests.push_back(statementRequest(server.url("/sleep?ms=50&id=" + std::to_string(i))));
    auto results = fetcher->fetchAll(requests);
    REQUIRE(results.size() == 3);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(results[i]);
        CHECK(results[i]->body == std::to_string(i));
    }
    CHECK(server.state().maxInFlight == 1);
}

namespace {

/// Waits (at most 5 s) until the server has `count` requests in its handler.
void awaitInFlight(PistacheServer &server, int count)
{
    for (int i = 0; i < 500 && server.state().inFlight != count; ++i)
        std::this_thread::sleep_for(10ms);
    REQUIRE(server.state().inFlight == count);
}

} // namespace

TEST_CASE("A15: maxTransfersPerHost bounds the transfers to one host across threads and calls")
{
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 2;
    auto fetcher = makeFetcher(options);
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            auto result = fetcher->fetch(statementRequest(server.url("/sleep?ms=100&id=" + std::to_string(t))));
            if (result && result->body == std::to_string(t))
                ++successes;
        });
    }
    for (auto &thread : threads)
        thread.join();
    CHECK(successes == 6);
    CHECK(server.state().requests == 6);
    CHECK(server.state().maxInFlight <= 2);
}

TEST_CASE("A15: within one fetchAll, transfers to a host beyond its slots wait their turn")
{
    // Without the per-host cap these run concurrently ("fetchAll: results in
    // request order, transfers concurrent" shows at least 2 at once).
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 1;
    auto fetcher = makeFetcher(options);
    std::vector<FetchRequest> requests;
    for (int i = 0; i < 4; ++i)
        requests.push_back(statementRequest(server.url("/sleep?ms=50&id=" + std::to_string(i))));
    auto results = fetcher->fetchAll(requests);
    REQUIRE(results.size() == 4);
    for (int i = 0; i < 4; ++i) {
        REQUIRE(results[i]);
        CHECK(results[i]->body == std::to_string(i));
    }
    CHECK(server.state().maxInFlight == 1);
}

TEST_CASE("A15: with every slot taken and no room to wait, a fetch fails at once without connecting")
{
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 1;
    options.maxWaitingPerHost = 0;
    auto fetcher = makeFetcher(options);
    std::thread holder([&] { CHECK(fetcher->fetch(statementRequest(server.url("/sleep?ms=1500&id=held")))); });
    awaitInFlight(server, 1);

    auto refused = fetcher->fetch(statementRequest(server.url("/ok")));
    // Checked while the first transfer is still in the handler: the refusal
    // did not wait for it, and never reached the server.
    CHECK(server.state().inFlight == 1);
    CHECK(server.state().requests == 1);
    CHECK(errorOf(refused) == ErrorCode::Unavailable);
    CHECK(refused.error().message.find("127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
    CHECK(refused.error().message.find("not queued") != std::string::npos);
    holder.join();
}

TEST_CASE("A15: maxWaitingPerHost bounds the waiters; the one that waited is served after the slot frees")
{
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 1;
    options.maxWaitingPerHost = 1;
    auto fetcher = makeFetcher(options);
    std::thread holder([&] { CHECK(fetcher->fetch(statementRequest(server.url("/sleep?ms=1000&id=held")))); });
    awaitInFlight(server, 1);

    // Two more while the slot is taken: one waits, the other finds the
    // waiting room full. Which is which depends on who asks first.
    std::atomic<int> served{0};
    std::atomic<int> refusedAtOnce{0};
    std::vector<std::thread> askers;
    for (int i = 0; i < 2; ++i) {
        askers.emplace_back([&, i] {
            auto result = fetcher->fetch(statementRequest(server.url("/sleep?ms=1&id=" + std::to_string(i))));
            if (result)
                ++served;
            else if (result.error().code == ErrorCode::Unavailable && server.state().requests == 1)
                ++refusedAtOnce;
        });
    }
    for (auto &asker : askers)
        asker.join();
    holder.join();
    CHECK(served == 1);
    CHECK(refusedAtOnce == 1);
    CHECK(server.state().requests == 2);
    CHECK(server.state().maxInFlight == 1);
}

TEST_CASE("A15: the wait for a slot is taken from the request's timeout")
{
    PistacheServer server(8);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 1;
    auto fetcher = makeFetcher(options);
    std::thread holder([&] { CHECK(fetcher->fetch(statementRequest(server.url("/sleep?ms=1500&id=held")))); });
    awaitInFlight(server, 1);

    auto late = fetcher->fetch(FetchRequest{server.url("/ok"), kStatementType, 200ms});
    CHECK(server.state().inFlight == 1);
    CHECK(server.state().requests == 1);
    CHECK(errorOf(late) == ErrorCode::Timeout);
    CHECK(late.error().message.find("no free slot") != std::string::npos);
    holder.join();
}

TEST_CASE("A15: a busy host does not hold up transfers to another")
{
    PistacheServer slow(8);
    PistacheServer other(2);
    FetchOptions options = loopbackOptions();
    options.maxTransfersPerHost = 1;
    options.maxWaitingPerHost = 0;
    auto fetcher = makeFetcher(options);
    std::thread holder([&] { CHECK(fetcher->fetch(statementRequest(slow.url("/sleep?ms=1500&id=held")))); });
    awaitInFlight(slow, 1);

    // One fetch, and one fetchAll mixing both hosts: the busy one is refused,
    // the other served.
    CHECK(fetcher->fetch(statementRequest(other.url("/ok"))));
    auto mixed = fetcher->fetchAll({statementRequest(slow.url("/ok")), statementRequest(other.url("/ok"))});
    REQUIRE(mixed.size() == 2);
    CHECK(errorOf(mixed[0]) == ErrorCode::Unavailable);
    CHECK(mixed[1]);
    CHECK(slow.state().inFlight == 1);
    CHECK(other.state().requests == 2);
    holder.join();
}

TEST_CASE("U13: several addresses for one name: refused ones (IPv6 first, then IPv4) are skipped, in order")
{
    // Nothing listens on [::1] or 127.0.0.2 at this port (the server binds
    // 127.0.0.1 only): each is a dial error, so the next address is tried.
    // libcurl 7.88 moves on about 200 ms after a refusal: a generous connect
    // timeout keeps this from depending on the machine's speed.
    PistacheServer server;
    const std::string port = std::to_string(server.port());
    FetchOptions options = loopbackOptions();
    options.connectTimeout = 3000ms;
    options.resolve = {"multi.test:" + port + ":[::1],127.0.0.2,127.0.0.1"};
    auto fetcher = makeFetcher(options);
    auto result = fetcher->fetch(statementRequest("http://multi.test:" + port + "/ok"));
    REQUIRE_MESSAGE(result, (result ? "" : result.error().describe()));
    CHECK(result->body == "eyJ.eyJ.sig");
    CHECK(server.state().hits("/ok") == 1);
}

TEST_CASE("U13: fifty addresses that all refuse: one clean failure within the connect timeout")
{
    PistacheServer server;  // only to have a port nothing else listens on elsewhere
    const std::string port = std::to_string(server.port());
    std::string addresses;
    for (int i = 2; i < 52; ++i)
        addresses += (addresses.empty() ? "" : ",") + std::string("127.0.0.") + std::to_string(i);
    FetchOptions options = loopbackOptions();
    options.resolve = {"fifty.test:" + port + ":" + addresses};
    auto fetcher = makeFetcher(options);
    const auto start = Clock::now();
    auto result = fetcher->fetch(statementRequest("http://fifty.test:" + port + "/ok"));
    // libcurl tries the addresses one after another, moving on about 200 ms
    // after each refusal, so the connect timeout (1 s) ends it: Timeout
    // (Unavailable if every address had been tried first). Either way it is
    // bounded by the connect timeout, with room for a loaded machine.
    const ErrorCode code = errorOf(result);
    CHECK_MESSAGE((code == ErrorCode::Timeout || code == ErrorCode::Unavailable), result.error().describe());
    CHECK(millisecondsSince(start) < 1000 + 2000);
    CHECK(server.state().requests == 0);
}

TEST_CASE("U13: a fixed address is still checked by the destination guard")
{
    PassiveListener listener;  // would see a connection to the pinned address
    const std::string port = std::to_string(listener.port());
    FetchOptions options = loopbackOptions();
    options.allowLoopback = false;
    options.resolve = {"pinned.test:" + port + ":127.0.0.1", "private.test:80:10.0.0.1,[fd00::1]"};
    auto fetcher = makeFetcher(options);
    CHECK(errorOf(fetcher->fetch(statementRequest("http://pinned.test:" + port + "/ok"))) ==
          ErrorCode::InvalidArgument);
    CHECK_FALSE(listener.hasPendingConnection(100));
    CHECK(errorOf(fetcher->fetch(statementRequest("http://private.test/ok"))) == ErrorCode::InvalidArgument);
}

TEST_CASE("connection reuse: sequential fetches share one connection")
{
    PistacheServer server;
    auto fetcher = makeFetcher(loopbackOptions());
    for (int i = 0; i < 5; ++i)
        REQUIRE(fetcher->fetch(statementRequest(server.url("/ok"))));
    CHECK(server.state().hits("/ok") == 5);
    CHECK(server.state().distinctClientPorts() == 1);
}

TEST_CASE("one Fetcher used from several threads at once")
{
    PistacheServer server(4);
    auto fetcher = makeFetcher(loopbackOptions());
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                if (i % 2 == 0) {
                    if (fetcher->fetch(statementRequest(server.url("/ok"))))
                        ++successes;
                } else {
                    auto results = fetcher->fetchAll({statementRequest(server.url("/ok")),
                                                      statementRequest(server.url("/sleep?ms=5&id=" + std::to_string(t)))});
                    if (results.size() == 2 && results[0] && results[1] && results[1]->body == std::to_string(t))
                        ++successes;
                }
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    CHECK(successes == 40);
}

TEST_CASE("makeCurlFetcher validates its options")
{
    oidfed::test::ensureCurlInitialised();
    auto refused = [](FetchOptions options) {
        auto fetcher = oidfed::makeCurlFetcher(options);
        REQUIRE_FALSE(fetcher);
        return fetcher.error().code;
    };
    FetchOptions options;
    CHECK(oidfed::makeCurlFetcher(options));

    options = {};
    options.totalTimeout = 0ms;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.connectTimeout = 10000ms;  // longer than totalTimeout (5 s)
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxResponseBytes = 0;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxConcurrentTransfers = 0;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxTransfersPerHost = 0;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxTransfersPerHost = 1025;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxWaitingPerHost = 100001;
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.maxTransfersPerHost = 1;
    options.maxWaitingPerHost = 0;
    CHECK(oidfed::makeCurlFetcher(options));
    for (const char *entry : {"", "nohost", "h:80", "h:80:", ":80:127.0.0.1", "h:0:127.0.0.1", "h:65536:127.0.0.1",
                              "h:x:127.0.0.1", "h:80:not-an-address", "h:80:::1", "h:80:127.0.0.1,", "+h:80:127.0.0.1",
                              "-h:80", "*:80:127.0.0.1", "h:80:127.0.0.1\r\nX: 1", "h 80 127.0.0.1"}) {
        options = {};
        options.resolve = {entry};
        CHECK_MESSAGE(refused(options) == ErrorCode::InvalidArgument, entry);
    }
    options = {};
    options.resolve = {"h.example:443:192.0.2.1,[2001:db8::1]", "198.51.100.7:8443:192.0.2.2"};
    CHECK(oidfed::makeCurlFetcher(options));
    options = {};
    options.allowedNetworks = {"10.0.0.0/33"};
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.caFile = "/nonexistent/ca.pem";
    CHECK(refused(options) == ErrorCode::InvalidArgument);
    options = {};
    options.userAgent = "bad\r\nX-Injected: 1";
    CHECK(refused(options) == ErrorCode::InvalidArgument);
}
