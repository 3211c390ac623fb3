// Threat A15 against a real `oidfed serve` on loopback: a storm of
// resolutions on demand aimed at one slow host. The server may hold only
// max_transfers_per_host connections to it, lets max_waiting_per_host more
// wait, and answers the excess at once with 503; subjects it has cached are
// served all along. The slow host is a loopback Pistache server that holds
// every request under /hold/ for 0.5 s and then answers 404. Budgets are
// long (8 s), so that no transfer is abandoned by the server while the slow
// host still holds it: the host's own count of requests in flight is then
// exactly what the server had open to it.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/federation_urls.h>

#include "loopback_servers.h"
#include "served_federation.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::HttpReply;
using test::PistacheServer;
using test::ServedFederation;

namespace {

std::string resolvePath(const ServedFederation &fed, const std::string &subject)
{
    return "/ta/resolve?sub=" + percentEncode(subject) + "&trust_anchor=" + percentEncode(fed.id("ta"));
}

} // namespace

TEST_CASE("A15: a storm of resolutions aimed at one slow host: two connections to it, the excess refused at once, "
          "cached subjects served")
{
    PistacheServer slow(8);
    slow.state().holdMs = 500;
    const std::string slowBase = "http://127.0.0.1:" + std::to_string(slow.port());
    // Eight workers; six resolutions on demand at once, all from one client
    // (127.0.0.1) without a rate limit, so that the per-host bound is what
    // refuses, not the per-client one.
    ServedFederation fed(R"("threads": 2,
  "allow_http": true,
  "fetch": { "allow_loopback": true },)",
                         R"("threads": 8,
  "allow_http": true,
  "fetch": { "allow_loopback": true, "max_transfers_per_host": 2, "max_waiting_per_host": 2,
             "total_timeout_ms": 8000 },
  "resolver_limits": { "max_concurrent_on_demand": 6, "max_on_demand_per_client": 6,
                       "on_demand_per_client_rate": 0, "deadline_ms": 8000 },)");
    REQUIRE_MESSAGE(test::readText(fed.dir() / "oidfed.json").find("max_transfers_per_host") != std::string::npos,
                    "the configuration edit did not apply");
    HttpReply cached = fed.get(resolvePath(fed, fed.id("op")));
    REQUIRE_MESSAGE(cached.status == 200, cached.body);

    constexpr int kStorm = 24;
    std::vector<HttpReply> replies(kStorm);
    std::vector<std::thread> storm;
    for (int i = 0; i < kStorm; ++i)
        storm.emplace_back([&, i] { replies[i] = fed.get(resolvePath(fed, slowBase + "/hold/leaf-" + std::to_string(i))); });

    // While the slow host holds its two connections, a cached subject is
    // still answered.
    for (int i = 0; i < 300 && slow.state().inFlight < 2; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(slow.state().inFlight == 2);
    HttpReply during = fed.get(resolvePath(fed, fed.id("op")));
    CHECK_MESSAGE(during.status == 200, during.body);
    for (auto &thread : storm)
        thread.join();

    // Never more than 2 requests at the slow host at once. Every request
    // that reached it was held and answered 404 (invalid_subject); every
    // other resolution was refused with 503 without touching it.
    CHECK(slow.state().maxInFlight.load() <= 2);
    int refused = 0;
    int notFound = 0;
    int hostRefusals = 0;
    for (const HttpReply &reply : replies) {
        CAPTURE(reply.body);
        if (reply.status == 503) {
            test::checkSpecError(reply, 503, "temporarily_unavailable");
            ++refused;
            // The busy host ("... not queued") or the on-demand gate.
            if (reply.body.find("not queued") != std::string::npos)
                ++hostRefusals;
        } else {
            test::checkSpecError(reply, 404, "invalid_subject");
            ++notFound;
        }
    }
    CHECK(refused + notFound == kStorm);
    CHECK(slow.state().requests.load() == notFound);
    MESSAGE(refused << " refused (" << hostRefusals << " for the busy host), " << notFound << " held");
    CHECK(hostRefusals >= 1);
}
