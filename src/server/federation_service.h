// FederationService: everything `oidfed serve` answers, as a function from
// HttpRequest to HttpResponse (the Pistache adapter in http_server.h only
// moves bytes). It owns the hosted entities, their resolve endpoints and the
// metrics, and swaps all of them at once on reload().
//
// Routing is by path: each hosted entity's endpoints live under the path of
// its Entity Identifier ({entity}/.well-known/openid-federation, /fetch,
// /list, /resolve, /historical-keys, /trust-mark, /trust-mark-list,
// /trust-mark-status), one route per endpoint of each of its roles
// (service_snapshot.h, roles.h); when two hosted entities share a path
// (different hosts), the Host header picks one. /healthz, /readyz and
// /metrics belong to the process (process_endpoints.h).
//
// Thread-safe: handle() runs on every HTTP worker thread at once; reload()
// and refresh() may run concurrently with it.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "server/client_limiter.h"
#include "server/crawl_state.h"
#include "server/crawler.h"
#include "server/http_message.h"
#include "server/expiry.h"
#include "server/item_problem.h"
#include "server/local_fetcher.h"
#include "server/metrics.h"
#include "server/resolve_endpoint.h"
#include "server/server_config.h"

namespace oidfed::server {

struct ServiceSnapshot;

class FederationService {
public:
    /// What the service borrows; must outlive it.
    struct Dependencies {
        const Clock &clock;
        Fetcher &upstream;           ///< for entities not hosted here (libcurl)
        Cache *sharedCache = nullptr;  ///< Redis, when configured
    };

    /// Loads keys (creating them on first start), subordinates and trust
    /// marks, and signs everything. An item that fails its checks is left
    /// out and listed by problems(); the service may then
    /// serve fewer entities than configured, even none (servedEntityIds():
    /// `oidfed serve` refuses to start then). Errors: the resolver options
    /// out of range; InvalidArgument when an endpoint would hide /healthz,
    /// /readyz or /metrics.
    static Result<std::unique_ptr<FederationService>> create(ServerConfig config, Dependencies dependencies);
    ~FederationService();

    HttpResponse handle(const HttpRequest &request);

    /// SIGHUP: applies `config` (the configuration file read again) — its
    /// entities; the other members need a restart and keep their running
    /// values — re-reads every entity's keys, subordinates and trust marks,
    /// and swaps the new state in at once; requests in flight finish on the
    /// old state. An item that fails its checks keeps its last good state
    /// (or, new, is left out) and is listed by problems(). When `config` is
    /// an error, the running configuration stays (a "configuration" problem
    /// until a reload reads the file again), everything else is re-read
    /// under it, and that error is returned. Errors otherwise: as create();
    /// the old state then stays in service.
    Result<void> reload(Result<ServerConfig> config);

    /// What is not served as configured now: the problems found at the last
    /// load, then those found since (a held mark that could not be
    /// obtained, a delegation that has expired).
    std::vector<ItemProblem> problems() const;

    /// Everything the served entities rely on that has an end (expiry.h).
    std::vector<ExpiringItem> expiries() const;

    /// Logs a warning for each item that is due within the configured
    /// expiryWarning (expiry.h, dueWithin), once per item and expiry time.
    /// Called at start, after each reload and by refresh().
    void warnExpiring();

    /// The gauges /metrics adds: oidfed_item_problems{entity,kind},
    /// oidfed_expiry_seconds{entity,kind} (the least time left of the items
    /// of that kind; negative once expired) and
    /// oidfed_key_next_age_seconds{entity} (how long a next key has been
    /// announced without being activated).
    std::vector<GaugeFamily> gauges() const;

    /// The top-level members of `next` (ServerConfig::restartMembers) whose
    /// value differs from the running configuration's, sorted: reload()
    /// does not apply them; they need a restart.
    std::vector<std::string> membersNeedingRestart(const ServerConfig &next) const;

    /// The entity identifiers served, in configuration order.
    std::vector<std::string> servedEntityIds() const;

    /// The subordinates_dir of the served entity `entityId` (exact match),
    /// or nullopt when no served entity has that id or it is no authority.
    std::optional<std::filesystem::path> subordinatesDirOf(std::string_view entityId) const;

    /// The keys_dir and key options of the served entity `entityId` (exact
    /// match), or nullopt when no served entity has that id.
    std::optional<entity::KeyStoreLocation> keyStoreOf(std::string_view entityId) const;

    /// The trust_mark_issuer directory of the served entity `entityId`, or
    /// nullopt when no served entity has that id or it issues no marks.
    std::optional<std::filesystem::path> trustMarkDirOf(std::string_view entityId) const;

    /// Re-signs documents past half of their lifetime, then runs the roles'
    /// periodic work (refreshRoles: ended registrations removed). The count
    /// re-signed.
    Result<std::size_t> refresh();

    /// The answer to an in-process fetch (GET, or POST with a form body),
    /// when its URL is hosted here.
    std::optional<HttpResponse> localResponse(const FetchRequest &fetch);

    Metrics &metrics() noexcept { return metrics_; }

    /// What is served now (the web console reads it); requests in flight
    /// keep the one they started with.
    std::shared_ptr<const ServiceSnapshot> current() const;
    /// The resolvers' Fetcher: hosted URLs answered in process, the others
    /// upstream (the web console's federation walk).
    Fetcher &fetcher() noexcept { return localFetcher_; }
    const Clock &clock() const noexcept { return deps_.clock; }
    /// Runs the crawls that are due (crawler.h) and returns the time until
    /// the next one is; serve's crawler thread calls it in a loop.
    std::chrono::seconds crawlDue();
    /// Stops a crawl in progress at its next entity (shutdown).
    void stopCrawling() noexcept { crawler_.stop(); }
    /// The latest crawl of every crawling entity and anchor (the console's
    /// health view).
    std::vector<std::shared_ptr<const ServedCrawl>> crawls() const { return crawlState_->all(); }

private:
    FederationService(ServerConfig config, Dependencies dependencies);
    /// The snapshot of `config`, built on top of the one served now.
    Result<std::shared_ptr<ServiceSnapshot>> buildSnapshot(const ServerConfig &config, UnixTime now);
    HttpResponse dispatch(const HttpRequest &request, std::string &endpointName);

    /// The running configuration: options from the start, entities from
    /// the last reload that read the file. Entities: guarded by reloadMutex_.
    ServerConfig config_;
    Dependencies deps_;
    Metrics metrics_;
    OnDemandGate gate_;
    ClientLimiter clients_;  ///< per-client on-demand limits, over every resolve endpoint and reload
    LocalFetcher localFetcher_;
    std::shared_ptr<CrawlState> crawlState_ = std::make_shared<CrawlState>();
    Crawler crawler_;
    mutable std::mutex mutex_;  ///< guards snapshot_ (the pointer, not the object)
    std::shared_ptr<const ServiceSnapshot> snapshot_;
    std::mutex reloadMutex_;    ///< one reload at a time
    std::mutex warnedMutex_;
    /// Guarded by warnedMutex_: the expiring items already warned about
    /// ("entity kind item exp"), so each is logged once.
    std::set<std::string> warned_;
};

} // namespace oidfed::server
