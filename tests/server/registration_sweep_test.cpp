// Explicit registrations over time, in process with a clock the test sets:
// two replicas of the demo OP (the same keys, a client directory each)
// share one cache, standing in for Redis. A registration at one replica is
// kept in the shared cache; a later one of the same RP at the other replica
// replaces the first replica's client at its next refresh (12.2.2 step 7),
// and a registration is removed when its exp has passed (12.3).

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/cache_key.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "registration_requests.h"
#include "server/federation_service.h"
#include "server/server_config.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;

namespace fs = std::filesystem;

namespace {

constexpr const char *kBase = "http://127.0.0.1:8777";
constexpr const char *kHost = "127.0.0.1:8777";

/// The demo's files (without local keys and clients) in `to`.
void copyDemo(const fs::path &to)
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source != nullptr);
    const fs::path demo = fs::path(source) / "trust-anchors" / "demo";
    for (const auto &entry : fs::recursive_directory_iterator(demo)) {
        const fs::path relative = fs::relative(entry.path(), demo);
        if (*relative.begin() == "keys" || *relative.begin() == "clients")
            continue;
        if (entry.is_directory())
            fs::create_directories(to / relative);
        else if (entry.is_regular_file())
            fs::copy_file(entry.path(), to / relative);
    }
}

struct Replica {
    std::unique_ptr<FederationService> service;
    fs::path clients;

    HttpResponse get(const std::string &pathAndQuery) const
    {
        const std::size_t q = pathAndQuery.find('?');
        HttpRequest request;
        request.path = pathAndQuery.substr(0, q);
        request.query = q == std::string::npos ? std::string() : pathAndQuery.substr(q + 1);
        request.host = kHost;
        return service->handle(request);
    }

    HttpResponse post(const std::string &body) const
    {
        HttpRequest request;
        request.method = "POST";
        request.path = "/op/federation-registration";
        request.host = kHost;
        request.contentType = "application/entity-statement+jwt";
        request.body = body;
        return service->handle(request);
    }

    std::vector<fs::path> clientFiles() const { return test::jsonFilesIn(clients); }

    bool metricsHave(const std::string &line) const { return get("/metrics").body.find(line) != std::string::npos; }
};

Replica replicaIn(const fs::path &dir, const Clock &clock, Fetcher &upstream, Cache &shared)
{
    auto config = loadServerConfig(dir / "oidfed.json");
    REQUIRE_MESSAGE(config, config.error().describe());
    auto service = FederationService::create(std::move(config).value(),
                                             FederationService::Dependencies{
                                                 .clock = clock, .upstream = upstream, .sharedCache = &shared});
    REQUIRE_MESSAGE(service, service.error().describe());
    return Replica{.service = std::move(service).value(), .clients = dir / "clients" / "op"};
}

} // namespace

TEST_CASE("a registration is kept until its exp, shared by the replicas, replaced by a later one anywhere")
{
    const UnixTime start = static_cast<UnixTime>(std::time(nullptr));
    test::FakeClock clock(start);
    test::FakeFetcher upstream;  // nothing outside the demo is fetched
    std::unique_ptr<Cache> shared = makeMemoryCache().value();

    test::TempDir a("oidfed-replica-a");
    copyDemo(a.path());
    Replica first = replicaIn(a.path(), clock, upstream, *shared);
    // The second replica: the same keys (created by the first), its own
    // client directory.
    test::TempDir b("oidfed-replica-b");
    copyDemo(b.path());
    fs::copy(a.path() / "keys", b.path() / "keys", fs::copy_options::recursive);
    Replica second = replicaIn(b.path(), clock, upstream, *shared);

    const test::RpKeys keys = test::rpKeysFrom(a.path() / "keys" / "rp", start);
    test::DemoGet get = [&first](const std::string &path) {
        HttpResponse response = first.get(path);
        REQUIRE_MESSAGE(response.status == 200, path << ": " << response.body);
        return response.body;
    };
    RegistrationRequestClaims claims = test::demoRequestClaims(kBase, keys, start, get);

    HttpResponse registered = first.post(test::signDemoRequest(claims, keys));
    REQUIRE_MESSAGE(registered.status == 200, registered.body);
    REQUIRE(first.clientFiles().size() == 1);
    const std::string rp = std::string(kBase) + "/rp";
    const std::string op = std::string(kBase) + "/op";
    // In the shared cache until its exp: the signed response itself.
    auto entry = shared->get(cacheKey(CacheNamespace::Registration, {op, rp}), clock.now());
    REQUIRE(entry);
    CHECK(entry->value == registered.body);

    // A refresh keeps a registration that has not ended.
    REQUIRE(first.service->refresh());
    CHECK(first.clientFiles().size() == 1);

    // The RP registers again, at the other replica.
    clock.advance(10);
    claims.configuration.issuedAt = clock.now();
    claims.configuration.expiresAt = clock.now() + 3600;
    HttpResponse again = second.post(test::signDemoRequest(claims, keys));
    REQUIRE_MESSAGE(again.status == 200, again.body);
    REQUIRE(second.clientFiles().size() == 1);
    CHECK(shared->get(cacheKey(CacheNamespace::Registration, {op, rp}), clock.now())->value == again.body);

    // The first replica's client is replaced (12.2.2 step 7); the second
    // keeps its own.
    REQUIRE(first.service->refresh());
    CHECK(first.clientFiles().empty());
    CHECK(first.metricsHave("oidfed_registrations_removed_total{reason=\"replaced\"} 1"));
    REQUIRE(second.service->refresh());
    REQUIRE(second.clientFiles().size() == 1);

    // Past its exp the registration ends, and its client with it (12.3).
    const UnixTime expiresAt = test::json(test::readFile(second.clientFiles().front().string()))
                                   .find("expires_at")
                                   ->asInt();
    CHECK(expiresAt > clock.now());
    clock.set(expiresAt - 1);
    REQUIRE(second.service->refresh());
    CHECK(second.clientFiles().size() == 1);
    clock.set(expiresAt);
    REQUIRE(second.service->refresh());
    CHECK(second.clientFiles().empty());
    CHECK(second.metricsHave("oidfed_registrations_removed_total{reason=\"expired\"} 1"));
    CHECK_FALSE(shared->get(cacheKey(CacheNamespace::Registration, {op, rp}), clock.now()));
}
