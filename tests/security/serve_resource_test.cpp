// Threat P2 (descriptor exhaustion) against a real `oidfed serve` on loopback
// started with a soft open-file limit of 64: more client connections than
// the server has descriptors, with max_connections below that limit and
// above it. See docs/security.md, row P2.
//
// What the server does at the limit: Pistache 0.0.5's listener cannot accept
// (EMFILE), so further connections wait in the kernel's listen backlog,
// unanswered, until a descriptor is free; they are then accepted and
// answered. The listener retries accept() at once while it waits (it is a
// busy loop in the library: about one core); the tests do not measure that.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "raw_http_connection.h"
#include "served_federation.h"

using namespace std::chrono_literals;
using oidfed::test::RawHttpConnection;
using oidfed::test::ServedFederation;

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr rlim_t kFileLimit = 64;
/// Client connections opened against the server: more than kFileLimit.
constexpr int kClients = 80;

/// Starts the demo federation with `editFrom` → `editTo` in its
/// configuration, the server's soft RLIMIT_NOFILE lowered to kFileLimit (the
/// child inherits it; this process gets its own limit back at once).
std::unique_ptr<ServedFederation> serveWithFileLimit(const std::string &editFrom, const std::string &editTo)
{
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(saved.rlim_max >= kFileLimit);
    rlimit lowered = saved;
    lowered.rlim_cur = kFileLimit;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    struct Restore {
        rlimit limit;
        ~Restore() { ::setrlimit(RLIMIT_NOFILE, &limit); }
    } restore{saved};
    return std::make_unique<ServedFederation>(editFrom, editTo);
}

/// The pid of the `oidfed serve` child of this process serving `fed`.
pid_t serverPid(const ServedFederation &fed)
{
    for (const auto &entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        const std::string stat = oidfed::test::readText(entry.path() / "stat");
        const std::size_t afterName = stat.rfind(')');
        if (afterName == std::string::npos)
            continue;
        // ") STATE PPID ..."
        const pid_t parent = static_cast<pid_t>(std::atol(stat.c_str() + stat.find(' ', afterName + 2) + 1));
        if (parent == ::getpid() &&
            oidfed::test::readText(entry.path() / "cmdline").find(fed.dir().string()) != std::string::npos)
            return static_cast<pid_t>(std::stol(name));
    }
    FAIL("no oidfed serve child found");
    return -1;
}

/// Descriptors `pid` has open.
std::size_t openDescriptors(pid_t pid)
{
    std::error_code ec;
    std::size_t count = 0;
    for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        ++count;
    return count;
}

/// A client connection that has sent GET `path` at once and then holds the
/// connection open until destroyed or close()d. The kernel completes the
/// handshake into the listen backlog even when the server cannot accept.
std::unique_ptr<RawHttpConnection> requestOn(int port, const std::string &path)
{
    auto client = std::make_unique<RawHttpConnection>(port);
    REQUIRE(client->open());
    REQUIRE(client->sendGet(path));
    return client;
}

/// `count` connections that each hold a slot, proven by a 200 on /healthz (a
/// refused one is retried: the start-up probe's connection may still hold
/// its slot for a moment).
std::vector<std::unique_ptr<RawHttpConnection>> holdSlots(const ServedFederation &fed, int count)
{
    std::vector<std::unique_ptr<RawHttpConnection>> held;
    for (int i = 0; i < count; ++i) {
        bool holding = false;
        for (int attempt = 0; attempt < 50 && !holding; ++attempt) {
            auto client = requestOn(fed.port(), "/healthz");
            holding = client->readResponse(10s).statusLine() == "HTTP/1.1 200 OK";
            if (holding)
                held.push_back(std::move(client));
            else
                std::this_thread::sleep_for(100ms);
        }
        REQUIRE(holding);
    }
    return held;
}

/// The status lines of the clients answered so far, waiting until none has
/// been answered for 500 ms; unanswered clients get "".
std::vector<std::string> answersSoFar(std::vector<std::unique_ptr<RawHttpConnection>> &clients)
{
    std::vector<std::string> answers(clients.size());
    auto quietSince = SteadyClock::now();
    while (SteadyClock::now() - quietSince < 500ms) {
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (answers[i].empty() && clients[i]->readable(0ms)) {
                answers[i] = clients[i]->readResponse(10s).statusLine();
                quietSince = SteadyClock::now();
            }
        }
        std::this_thread::sleep_for(20ms);
    }
    return answers;
}

/// Waits (up to 20 s) for every client of `waiting` to be answered, closing
/// each as soon as it is, as a client given up on would; returns the status
/// lines ("" for a client never answered).
std::vector<std::string> answersWhileClosing(std::vector<std::unique_ptr<RawHttpConnection>> &waiting)
{
    std::vector<std::string> answers(waiting.size());
    std::size_t left = waiting.size();
    const auto deadline = SteadyClock::now() + 20s;
    while (left > 0 && SteadyClock::now() < deadline) {
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            if (waiting[i]->open() && waiting[i]->readable(0ms)) {
                answers[i] = waiting[i]->readResponse(10s).statusLine();
                waiting[i]->close();
                --left;
            }
        }
        std::this_thread::sleep_for(20ms);
    }
    return answers;
}

/// A normal request is answered 200 again (retried while closed connections
/// give their slots and descriptors back).
bool answersNormally(const ServedFederation &fed)
{
    for (int i = 0; i < 100; ++i) {
        if (fed.get("/ta/.well-known/openid-federation").status == 200)
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

/// Waits (up to 10 s) until `pid` holds at most `limit` descriptors.
bool descriptorsBackTo(pid_t pid, std::size_t limit)
{
    for (int i = 0; i < 100; ++i) {
        if (openDescriptors(pid) <= limit)
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

} // namespace

TEST_CASE("P2: max_connections below the open-file limit: refused clients get 503, the server survives exhaustion")
{
    // 16 slots: about 22 descriptors of the server's own plus 16 is well under 64.
    auto fed = serveWithFileLimit("\"threads\": 2,",
                                  R"("threads": 2, "max_connections": 16, "header_timeout_ms": 20000,)");
    // 16 + the 256 descriptors reserved for the server's own use is above 64:
    // the server said so at start (src/server/descriptor_budget.h).
    CHECK(fed->process().log().find("warning: the open-file limit (64) is below max_connections (16)") !=
          std::string::npos);
    const pid_t pid = serverPid(*fed);
    const std::size_t baseline = openDescriptors(pid);
    CAPTURE(baseline);
    REQUIRE(baseline + 16 < kFileLimit);
    auto held = holdSlots(*fed, 16);

    // Refused clients that close their connection, as a client told
    // `Connection: close` does, never exhaust the descriptors: more of them
    // than the limit, one after another, each get the documented 503.
    for (int i = 0; i < kClients; ++i)
        oidfed::test::checkSpecError(fed->get("/healthz"), 503, "temporarily_unavailable");

    // Hostile clients that keep their refused connections open: the first
    // get 503 until the server runs out of descriptors; the rest wait in the
    // listen backlog. Nothing is answered anything else.
    std::vector<std::unique_ptr<RawHttpConnection>> hostile;
    for (int i = 0; i < kClients; ++i)
        hostile.push_back(requestOn(fed->port(), "/healthz"));
    std::vector<std::string> answers = answersSoFar(hostile);
    const auto refused = std::count(answers.begin(), answers.end(), "HTTP/1.1 503 Service Unavailable");
    CHECK(refused > 0);
    CHECK(refused + std::count(answers.begin(), answers.end(), "") == kClients);
    CHECK(openDescriptors(pid) >= kFileLimit - 2);  // the limit is reached

    // At the limit the server is alive and its open connections are served.
    CHECK(fed->process().running());
    for (auto &client : held) {
        REQUIRE(client->sendGet("/ta/.well-known/openid-federation"));
        CHECK(client->readResponse(10s).statusLine() == "HTTP/1.1 200 OK");
    }

    // Once the refused clients close, the waiting ones are accepted and
    // refused in their turn (the slots are still held): none is lost.
    std::vector<std::unique_ptr<RawHttpConnection>> waiting;
    for (std::size_t i = 0; i < hostile.size(); ++i)
        if (answers[i].empty())
            waiting.push_back(std::move(hostile[i]));
    hostile.clear();
    for (const std::string &answer : answersWhileClosing(waiting))
        CHECK(answer == "HTTP/1.1 503 Service Unavailable");

    // Once the slot holders close too, a normal request is answered 200 and
    // the descriptors are back.
    held.clear();
    CHECK(answersNormally(*fed));
    CHECK(descriptorsBackTo(pid, baseline + 2));
    CHECK(fed->process().running());
}

TEST_CASE("P2: max_connections above the open-file limit: the excess waits unanswered, the server survives and recovers")
{
    auto fed = serveWithFileLimit("\"threads\": 2,",
                                  R"("threads": 2, "max_connections": 500, "header_timeout_ms": 20000,)");
    CHECK(fed->process().log().find("warning: the open-file limit (64) is below max_connections (500)") !=
          std::string::npos);
    const pid_t pid = serverPid(*fed);
    const std::size_t baseline = openDescriptors(pid);
    CAPTURE(baseline);

    // Every connection the server can accept is admitted (the gate never
    // refuses: descriptors run out first); the rest wait in the backlog.
    std::vector<std::unique_ptr<RawHttpConnection>> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(requestOn(fed->port(), "/healthz"));
    std::vector<std::string> answers = answersSoFar(clients);
    const auto admitted = std::count(answers.begin(), answers.end(), "HTTP/1.1 200 OK");
    CHECK(admitted > 0);
    CHECK(admitted + std::count(answers.begin(), answers.end(), "") == kClients);
    CHECK(openDescriptors(pid) >= kFileLimit - 2);

    // Alive at the limit; admitted connections keep being served.
    CHECK(fed->process().running());
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (answers[i].empty())
            continue;
        REQUIRE(clients[i]->sendGet("/ta/.well-known/openid-federation"));
        CHECK(clients[i]->readResponse(10s).statusLine() == "HTTP/1.1 200 OK");
    }

    // As admitted clients close, the waiting ones are accepted and answered.
    std::vector<std::unique_ptr<RawHttpConnection>> waiting;
    for (std::size_t i = 0; i < clients.size(); ++i)
        if (answers[i].empty())
            waiting.push_back(std::move(clients[i]));
    clients.clear();
    for (const std::string &answer : answersWhileClosing(waiting))
        CHECK(answer == "HTTP/1.1 200 OK");

    CHECK(answersNormally(*fed));
    CHECK(descriptorsBackTo(pid, baseline + 2));
    CHECK(fed->process().running());
}
