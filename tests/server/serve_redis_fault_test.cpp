// Redis faults under load against a served process (threats.md 4.1 R2-R7,
// PRODUCT.md 6: "Redis down, slow or flushed: the service keeps answering,
// reports degraded readiness, recovers by itself"). The test owns its
// redis-server (never the shared one of OIDFED_TEST_REDIS), serves the demo
// federation with that Redis, warms the cache for every resolvable subject,
// then keeps client threads resolving those subjects over loopback HTTP while
// it kills, restarts, stops, slows, flushes and starves Redis of memory.
// Every answer must be a 200 whose resolve response verifies with the trust
// anchor's keys; /readyz must say "degraded" while Redis is gone and "ready"
// again without restarting oidfed. The numbers per phase are printed.
//
// The in-process chain cache and the signed-response cache are turned off,
// so that Redis is on the path of every request: with them on (the default)
// a cached subject never reaches Redis and its faults are invisible to the
// clients (the second test case covers that set-up). While Redis is
// unusable, each request is therefore resolved again on demand; the
// per-client rate limit is off so that those resolutions are not refused.
// No timing is asserted beyond generous deadlines.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/federation_urls.h>
#include <oidfed/json.h>
#include <oidfed/resolve_response.h>

#include "redis_test_server.h"
#include "served_federation.h"

using namespace oidfed;
using namespace std::chrono_literals;
using test::AdminConnection;
using test::HttpReply;
using test::RedisServerProcess;
using test::ServedFederation;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kReadyDeadline = 30s;  ///< generous: the breaker's backoff is capped at 5 s

/// The phases of the load run, in order.
enum Phase : int {
    Baseline,
    Killed,      ///< (a) redis-server got SIGKILL
    Restarted,   ///< (a) started again on the same port, empty
    Paused,      ///< (b) SIGSTOP: connections hang
    Resumed,     ///< (b) SIGCONT
    Slow,        ///< (b) CLIENT PAUSE 300 ms, over and over (R4)
    Flushed,     ///< (c) FLUSHALL
    NoEviction,  ///< (d) maxmemory reached, noeviction: every write refused (R6)
    Eviction,    ///< (d) tiny maxmemory, allkeys-lru: writes evict (R7)
    Final,
    PhaseCount,
};

const char *phaseName(int phase)
{
    static constexpr const char *kNames[] = {"baseline",  "killed (SIGKILL)", "restarted", "paused (SIGSTOP)",
                                             "resumed",   "slow (CLIENT PAUSE)", "flushed (FLUSHALL)",
                                             "maxmemory noeviction", "maxmemory allkeys-lru", "final"};
    return kNames[phase];
}

/// What one client thread saw in one phase.
struct PhaseStats {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::vector<std::uint32_t> latenciesUs;
    std::vector<std::string> firstFailures;  ///< at most a few, for the report
};

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    static_cast<std::string *>(user)->append(data, size * count);
    return size * count;
}

/// Client threads resolving the cached subjects in a loop over persistent
/// connections, each answer checked; counts go to the phase current when the
/// request started.
class ResolveLoad {
public:
    ResolveLoad(const ServedFederation &fed, std::vector<std::string> subjects, int threads)
        : base_(fed.base()), anchorId_(fed.id("ta")), anchorKeys_(fed.keysOf("ta")), subjects_(std::move(subjects)),
          stats_(static_cast<std::size_t>(threads), std::vector<PhaseStats>(PhaseCount))
    {
        for (int i = 0; i < threads; ++i)
            threads_.emplace_back([this, i] { run(stats_[static_cast<std::size_t>(i)], i); });
    }
    ~ResolveLoad() { stop(); }
    ResolveLoad(const ResolveLoad &) = delete;
    ResolveLoad &operator=(const ResolveLoad &) = delete;

    void setPhase(Phase phase) { phase_.store(phase); }
    Phase phase() const { return static_cast<Phase>(phase_.load()); }
    /// Waits until `count` more requests were made (bounded).
    void waitForRequests(std::uint64_t count, std::chrono::milliseconds atMost)
    {
        const std::uint64_t target = started_.load() + count;
        test::waitFor([&] { return started_.load() >= target; }, atMost);
    }
    void stop()
    {
        stop_ = true;
        for (std::thread &thread : threads_)
            if (thread.joinable())
                thread.join();
    }

    /// Every thread's counts of one phase, merged.
    PhaseStats total(int phase) const
    {
        PhaseStats out;
        for (const auto &perThread : stats_) {
            const PhaseStats &s = perThread[static_cast<std::size_t>(phase)];
            out.requests += s.requests;
            out.failures += s.failures;
            out.latenciesUs.insert(out.latenciesUs.end(), s.latenciesUs.begin(), s.latenciesUs.end());
            for (const std::string &failure : s.firstFailures)
                if (out.firstFailures.size() < 5)
                    out.firstFailures.push_back(failure);
        }
        std::sort(out.latenciesUs.begin(), out.latenciesUs.end());
        return out;
    }

private:
    void run(std::vector<PhaseStats> &mine, int index)
    {
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
        std::string body;
        curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 20000L);
        curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
        const EntityId anchor = EntityId::parse(anchorId_, {.allowHttp = true}).value();
        StatementOptions options;
        options.entityIds.allowHttp = true;
        std::size_t next = static_cast<std::size_t>(index);
        while (!stop_) {
            const std::string &subject = subjects_[next++ % subjects_.size()];
            const std::string url = base_ + "/ta/resolve?sub=" + percentEncode(subject) +
                                    "&trust_anchor=" + percentEncode(anchorId_);
            body.clear();
            curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
            PhaseStats &stats = mine[static_cast<std::size_t>(phase_.load())];
            started_.fetch_add(1);
            const auto start = SteadyClock::now();
            const CURLcode rc = curl_easy_perform(curl.get());
            const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
            long status = 0;
            curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
            std::string failure;
            if (rc != CURLE_OK) {
                failure = std::string("transport: ") + curl_easy_strerror(rc);
            } else if (status != 200) {
                failure = "HTTP " + std::to_string(status) + ": " + body.substr(0, 200);
            } else {
                auto verified = verifyResolveResponse(body, anchorKeys_, anchor, subject, std::time(nullptr),
                                                      std::chrono::seconds(60), options);
                if (!verified)
                    failure = "does not verify: " + verified.error().describe();
                else if (verified->subject.str() != subject || verified->trustChain.empty())
                    failure = "wrong subject or empty chain";
            }
            ++stats.requests;
            stats.latenciesUs.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(elapsed.count(), UINT32_MAX)));
            if (!failure.empty()) {
                ++stats.failures;
                if (stats.firstFailures.size() < 3)
                    stats.firstFailures.push_back(subject + ": " + failure);
            }
        }
    }

    const std::string base_;
    const std::string anchorId_;
    const JwkSet anchorKeys_;
    const std::vector<std::string> subjects_;
    std::vector<std::vector<PhaseStats>> stats_;  ///< [thread][phase], each written by its thread only
    std::atomic<int> phase_{Baseline};
    std::atomic<std::uint64_t> started_{0};
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

std::string readiness(const ServedFederation &fed)
{
    try {
        return fed.get("/readyz").body;
    } catch (const std::exception &e) {
        return std::string("no answer: ") + e.what();
    }
}

// The readiness body's status and redis members (empty when it is not JSON).
std::pair<std::string, std::string> readinessOf(const std::string &readyz)
{
    auto body = parseJson(readyz);
    if (!body || !body->isObject())
        return {};
    const std::string *status = body->findString("status");
    const std::string *redis = body->findString("redis");
    return {status ? *status : "", redis ? *redis : ""};
}

bool isDegraded(const std::string &readyz)
{
    return readinessOf(readyz) == std::pair<std::string, std::string>{"degraded", "unreachable"};
}

bool isReady(const std::string &readyz)
{
    return readinessOf(readyz) == std::pair<std::string, std::string>{"ready", "ok"};
}

/// Polls /readyz until `predicate` holds; the time it took, or nothing.
std::optional<std::chrono::milliseconds> waitForReadiness(const ServedFederation &fed,
                                                          bool (*predicate)(const std::string &),
                                                          std::chrono::milliseconds atMost, std::string &last)
{
    const auto start = SteadyClock::now();
    const bool reached = test::waitFor(
        [&] {
            last = readiness(fed);
            return predicate(last);
        },
        atMost);
    if (!reached)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

std::string infoField(AdminConnection &admin, const std::string &section, const std::string &field)
{
    const std::string info = admin.command({"INFO", section}).text;
    const std::string key = field + ":";
    std::size_t at = info.find(key);
    if (at == std::string::npos)
        return {};
    at += key.size();
    return info.substr(at, info.find_first_of("\r\n", at) - at);
}

std::int64_t dbSize(AdminConnection &admin)
{
    return std::stoll(admin.command({"DBSIZE"}).text);
}

std::string redisConfig(const RedisServerProcess &redis, const std::string &prefix, bool chainCacheOff)
{
    std::string limits = chainCacheOff ? R"("resolver_limits": { "cache_max_entries": 0, "response_cache_max_entries": 0,
                                                               "on_demand_per_client_rate": 0 },)"
                                       : std::string();
    return "\"threads\": 2, \"redis\": {\"url\": \"" + redis.url() + "\", \"key_prefix\": \"" + prefix + "\"}, " +
           limits;
}

std::vector<std::string> demoSubjects(const ServedFederation &fed)
{
    return {fed.id("ia"), fed.id("op"), fed.id("rp"), fed.id("ci")};
}

void warm(const ServedFederation &fed, const std::vector<std::string> &subjects)
{
    for (const std::string &subject : subjects) {
        HttpReply reply = fed.get("/ta/resolve?sub=" + percentEncode(subject) + "&trust_anchor=" + percentEncode(fed.id("ta")));
        REQUIRE_MESSAGE(reply.status == 200, subject << ": " << reply.body);
    }
}

} // namespace

TEST_CASE("R2-R7 under load: Redis killed, restarted, stopped, slowed, flushed, out of memory; no cached request fails")
{
    RedisServerProcess redis;
    AdminConnection admin(redis.url());
    ServedFederation fed("\"threads\": 2,", redisConfig(redis, "fault-load:", true));
    const std::vector<std::string> subjects = demoSubjects(fed);

    warm(fed, subjects);
    CHECK(dbSize(admin) > 0);  // the resolutions are in Redis
    std::string readyz;
    REQUIRE_MESSAGE(waitForReadiness(fed, isReady, 5s, readyz), readyz);

    ResolveLoad load(fed, subjects, 4);
    std::ostringstream events;
    auto runFor = [&](std::chrono::milliseconds duration) {
        load.waitForRequests(20, 20s);  // at least some requests in every phase, however slow the machine
        std::this_thread::sleep_for(duration);
    };
    runFor(1500ms);

    // (a) R2: SIGKILL mid-load, degraded, restart on the same port, ready.
    load.setPhase(Killed);
    redis.kill9();
    auto degraded = waitForReadiness(fed, isDegraded, 15s, readyz);
    CHECK_MESSAGE(degraded, "after SIGKILL /readyz still says: " << readyz);
    events << "SIGKILL: /readyz degraded after " << (degraded ? degraded->count() : -1) << " ms (" << readyz << ")\n";
    runFor(1500ms);
    load.setPhase(Restarted);
    redis.restart();
    auto ready = waitForReadiness(fed, isReady, kReadyDeadline, readyz);
    CHECK_MESSAGE(ready, "after the restart /readyz still says: " << readyz);
    events << "restart: /readyz ready after " << (ready ? ready->count() : -1) << " ms\n";
    AdminConnection restartedAdmin(redis.url());
    CHECK_MESSAGE(test::waitFor([&] { return dbSize(restartedAdmin) > 0; }, 15s),
                  "nothing was written to the restarted Redis");
    runFor(1500ms);

    // (b) R3: SIGSTOP (connections hang, nothing is refused), then SIGCONT.
    load.setPhase(Paused);
    redis.pause();
    degraded = waitForReadiness(fed, isDegraded, 15s, readyz);
    CHECK_MESSAGE(degraded, "while Redis is stopped /readyz still says: " << readyz);
    events << "SIGSTOP: /readyz degraded after " << (degraded ? degraded->count() : -1) << " ms\n";
    runFor(2000ms);
    load.setPhase(Resumed);
    redis.resume();
    ready = waitForReadiness(fed, isReady, kReadyDeadline, readyz);
    CHECK_MESSAGE(ready, "after SIGCONT /readyz still says: " << readyz);
    events << "SIGCONT: /readyz ready after " << (ready ? ready->count() : -1) << " ms\n";
    runFor(1500ms);

    // (b) R4: slow Redis: every command waits up to 300 ms (CLIENT PAUSE),
    // longer than the 100 ms command timeout, several times over.
    load.setPhase(Slow);
    AdminConnection pauser(redis.url());
    for (int i = 0; i < 5; ++i) {
        pauser.command({"CLIENT", "PAUSE", "300", "ALL"});
        std::this_thread::sleep_for(600ms);
    }
    ready = waitForReadiness(fed, isReady, kReadyDeadline, readyz);
    CHECK_MESSAGE(ready, "after the slow phase /readyz still says: " << readyz);

    // (c) R5: FLUSHALL: every entry is a miss, resolved and written again.
    load.setPhase(Flushed);
    AdminConnection flusher(redis.url());
    flusher.command({"FLUSHALL"});
    runFor(1500ms);
    CHECK_MESSAGE(dbSize(flusher) > 0, "nothing was written again after FLUSHALL");

    // (d) R6: maxmemory reached with noeviction: every SET is refused with
    // OOM, GETs still work; the refusal is no outage (readiness stays ok).
    load.setPhase(NoEviction);
    flusher.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
    flusher.command({"FLUSHALL"});
    const std::string used = infoField(flusher, "memory", "used_memory");
    REQUIRE_FALSE(used.empty());
    flusher.command({"CONFIG", "SET", "maxmemory", used});
    const std::string rejectedBefore = infoField(flusher, "stats", "total_error_replies");
    runFor(1500ms);
    CHECK(isReady(readiness(fed)));
    const std::string rejectedAfter = infoField(flusher, "stats", "total_error_replies");
    events << "noeviction: maxmemory " << used << " bytes, " << dbSize(flusher) << " keys, error replies "
           << rejectedBefore << " -> " << rejectedAfter << "\n";

    // (d) R7: a maxmemory a few entries large with allkeys-lru: writes evict
    // older entries, which then read as misses, never as errors.
    load.setPhase(Eviction);
    flusher.command({"FLUSHALL"});
    const std::int64_t usedNow = std::stoll(infoField(flusher, "memory", "used_memory"));
    flusher.command({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
    flusher.command({"CONFIG", "SET", "maxmemory", std::to_string(usedNow + 24 * 1024)});
    const std::int64_t evictedBefore = std::stoll(infoField(flusher, "stats", "evicted_keys"));
    runFor(2000ms);
    const std::int64_t evicted = std::stoll(infoField(flusher, "stats", "evicted_keys")) - evictedBefore;
    CHECK(isReady(readiness(fed)));
    events << "allkeys-lru: maxmemory " << usedNow + 24 * 1024 << " bytes, " << evicted << " keys evicted, "
           << dbSize(flusher) << " keys left\n";
    CHECK_MESSAGE(evicted > 0, "no key was evicted: the eviction phase did not evict");
    flusher.command({"CONFIG", "SET", "maxmemory", "0"});
    flusher.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});

    load.setPhase(Final);
    runFor(1000ms);
    load.stop();
    CHECK(isReady(readiness(fed)));
    CHECK(fed.process().running());  // never restarted

    std::ostringstream table;
    table << "Redis faults under load (4 client threads, keep-alive, resolve of " << subjects.size()
          << " cached subjects, every answer verified):\n";
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    for (int phase = 0; phase < PhaseCount; ++phase) {
        PhaseStats stats = load.total(phase);
        requests += stats.requests;
        failures += stats.failures;
        auto percentile = [&](double p) -> double {
            if (stats.latenciesUs.empty())
                return 0;
            std::size_t at = static_cast<std::size_t>(p * static_cast<double>(stats.latenciesUs.size() - 1));
            return stats.latenciesUs[at] / 1000.0;
        };
        table << "  " << phaseName(phase) << ": " << stats.requests << " requests, " << stats.failures
              << " failed, p50 " << percentile(0.50) << " ms, p99 " << percentile(0.99) << " ms, max "
              << percentile(1.0) << " ms\n";
        for (const std::string &failure : stats.firstFailures)
            table << "    failure: " << failure << "\n";
        CHECK_MESSAGE(stats.requests > 0, phaseName(phase) << ": no request was made");
        CHECK_MESSAGE(stats.failures == 0, phaseName(phase) << ": " << stats.failures << " failed requests");
    }
    table << "  total: " << requests << " requests, " << failures << " failed\n" << events.str();
    HttpReply metrics = fed.get("/metrics");
    for (const char *family : {"oidfed_resolve_total{", "oidfed_resolve_on_demand_rejected_total ",
                               "oidfed_resolve_client_limited_total{", "oidfed_redis_up ",
                               "oidfed_redis_operations_total{", "oidfed_redis_breaker_openings_total "}) {
        std::istringstream lines(metrics.body);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(family, 0) == 0)
                table << "  " << line << "\n";
    }
    MESSAGE(table.str());
    // The faults are visible in /metrics: failed and timed-out Redis
    // operations, calls skipped while the breaker was open, and openings.
    auto counter = [&](const std::string &series) {
        std::istringstream lines(metrics.body);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(series + " ", 0) == 0)
                return std::stod(line.substr(series.size() + 1));
        FAIL_CHECK("no " << series << " in /metrics");
        return -1.0;
    };
    CHECK(counter(R"(oidfed_redis_operations_total{result="hit"})") > 0);
    CHECK(counter(R"(oidfed_redis_operations_total{result="error"})") > 0);
    CHECK(counter(R"(oidfed_redis_operations_total{result="timeout"})") > 0);
    CHECK(counter(R"(oidfed_redis_operations_total{result="skipped"})") > 0);
    CHECK(counter("oidfed_redis_breaker_openings_total") > 0);
}

TEST_CASE("readiness notices a dead Redis while the in-process caches answer every request")
{
    RedisServerProcess redis;
    ServedFederation fed("\"threads\": 2,", redisConfig(redis, "fault-idle:", false));
    const std::vector<std::string> subjects = demoSubjects(fed);
    warm(fed, subjects);
    std::string readyz;
    REQUIRE_MESSAGE(waitForReadiness(fed, isReady, 5s, readyz), readyz);

    // Nothing reads Redis any more (every subject is in the in-process
    // caches), yet /readyz must not keep saying "ok" about a dead Redis.
    redis.kill9();
    CHECK_MESSAGE(waitForReadiness(fed, isDegraded, 15s, readyz), "/readyz still says: " << readyz);
    for (const std::string &subject : subjects)
        CHECK(fed.get("/ta/resolve?sub=" + percentEncode(subject) + "&trust_anchor=" + percentEncode(fed.id("ta")))
                  .status == 200);
    redis.restart();
    CHECK_MESSAGE(waitForReadiness(fed, isReady, kReadyDeadline, readyz), "/readyz still says: " << readyz);
}
