// ClientLimiter (threat B07): per-client concurrency and token bucket of
// resolution on demand, on explicit steady-clock time points (no sleeping),
// and the client keys (IPv4, IPv4-mapped, IPv6 /64).

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "server/client_limiter.h"
#include "server/http_responses.h"
#include "test_support.h"

using namespace oidfed::server;
using namespace std::chrono_literals;
using Verdict = ClientLimiter::Verdict;

namespace {

ResolveEndpointOptions limits(std::size_t concurrent, std::size_t rate, std::size_t burst, std::size_t clients = 100)
{
    ResolveEndpointOptions options;
    options.maxOnDemandPerClient = concurrent;
    options.onDemandPerClientRate = rate;
    options.onDemandPerClientBurst = burst;
    options.maxTrackedClients = clients;
    return options;
}

const ClientLimiter::Clock::time_point kStart{std::chrono::hours(1000)};

} // namespace

TEST_CASE("client keys: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64")
{
    CHECK(clientKey("203.0.113.7") == "203.0.113.7");
    CHECK(clientKey("::ffff:203.0.113.7") == "203.0.113.7");
    CHECK(clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
    CHECK(clientKey("2001:db8:1:2::1") == clientKey("[2001:db8:1:2:ffff::9]"));
    CHECK(clientKey("2001:db8:1:3::1") != clientKey("2001:db8:1:2::1"));
    CHECK(clientKey("not an address") == "not an address");
}

TEST_CASE("the token bucket: a burst, then the refill rate; a refusal takes no token")
{
    ClientLimiter limiter(limits(100, 2, 3));  // 2 per second, bursts of 3
    for (int i = 0; i < 3; ++i)
        CHECK(limiter.admit("a", kStart).verdict == Verdict::Admitted);  // permits released at once
    ClientLimiter::Admission refused = limiter.admit("a", kStart);
    CHECK(refused.verdict == Verdict::RateExceeded);
    CHECK_FALSE(refused);
    CHECK(refused.retryAfter == 1s);  // one token takes 0.5 s: rounded up to whole seconds
    // Another client is not affected.
    CHECK(limiter.admit("b", kStart));

    // Half a second later, one token is back; refusals in between took none.
    CHECK_FALSE(limiter.admit("a", kStart + 400ms));
    CHECK(limiter.admit("a", kStart + 500ms));
    CHECK_FALSE(limiter.admit("a", kStart + 500ms));
    // The bucket never holds more than the burst.
    for (int i = 0; i < 3; ++i)
        CHECK(limiter.admit("a", kStart + 1h));
    CHECK_FALSE(limiter.admit("a", kStart + 1h));
}

TEST_CASE("Retry-After is the wait for the next token in whole seconds, at least 1")
{
    ClientLimiter limiter(limits(100, 1, 1));
    CHECK(limiter.admit("a", kStart));
    ClientLimiter::Admission refused = limiter.admit("a", kStart + 100ms);
    CHECK(refused.verdict == Verdict::RateExceeded);
    CHECK(refused.retryAfter == 1s);
    CHECK(clientLimitReason(refused.verdict) == "rate");
}

TEST_CASE("concurrency: at most maxOnDemandPerClient in progress per client, freed by the permit")
{
    ClientLimiter limiter(limits(2, 0, 1));  // rate 0: no bucket
    ClientLimiter::Admission first = limiter.admit("a", kStart);
    ClientLimiter::Admission second = limiter.admit("a", kStart);
    REQUIRE(first);
    REQUIRE(second);
    ClientLimiter::Admission third = limiter.admit("a", kStart);
    CHECK(third.verdict == Verdict::TooManyInProgress);
    CHECK(third.retryAfter == 1s);
    CHECK(clientLimitReason(third.verdict) == "in_progress");
    CHECK(limiter.admit("b", kStart));  // another client still gets in
    {
        ClientLimiter::Permit done = std::move(first.permit);  // moved permits release once
    }
    CHECK(limiter.admit("a", kStart));
    // Without a rate, any number of sequential resolutions are admitted.
    for (int i = 0; i < 1000; ++i) {
        ClientLimiter::Admission admission = limiter.admit("c", kStart);
        CHECK(admission);
    }
}

TEST_CASE("tracked clients are bounded; clients with resolutions in progress are never forgotten")
{
    ClientLimiter limiter(limits(1, 1, 1, 3));
    std::vector<ClientLimiter::Admission> busy;
    busy.push_back(limiter.admit("a", kStart));
    busy.push_back(limiter.admit("b", kStart));
    CHECK(limiter.admit("c", kStart));  // admitted and done at once
    CHECK(limiter.trackedClients() == 3);
    // "c" is idle: it is forgotten for "d".
    CHECK(limiter.admit("d", kStart + 1ms));
    CHECK(limiter.trackedClients() == 3);
    // "a" and "b" are busy and "d" idle: "e" evicts "d".
    CHECK(limiter.admit("e", kStart + 2ms));
    // Now hold "e" too: every tracked client is busy.
    ClientLimiter::Admission holdE = limiter.admit("e", kStart + 2h);
    REQUIRE(holdE);
    ClientLimiter::Admission full = limiter.admit("f", kStart + 2h);
    CHECK(full.verdict == Verdict::TooManyClients);
    CHECK(clientLimitReason(full.verdict) == "clients");
    // A busy client's state survived: "a" is still at its concurrency limit.
    CHECK(limiter.admit("a", kStart + 2h).verdict == Verdict::TooManyInProgress);
    busy.clear();
    CHECK(limiter.admit("f", kStart + 2h));
}

TEST_CASE("a limited client gets 429 temporarily_unavailable with Retry-After")
{
    HttpResponse response = clientLimitedResponse(3s);
    CHECK(response.status == 429);
    CHECK(response.contentType == "application/json");
    const oidfed::Json body = oidfed::test::json(response.body);
    CHECK(*body.findString("error") == "temporarily_unavailable");
    REQUIRE(body.findString("error_description"));
    CHECK_FALSE(body.findString("error_description")->empty());
    CHECK(response.header("Retry-After") == "3");
    CHECK(response.header("Cache-Control") == "no-store");
    CHECK(clientLimitedResponse(0s).header("Retry-After") == "1");
}
