// oidfed serve --config FILE
//
// Runs the entity service: loads the configuration, keys (generated on first
// start), subordinates and trust marks, signs everything, then serves HTTP
// until SIGTERM or SIGINT. An item that fails its checks is left out (and
// reported in the log, /readyz and /metrics); the server refuses to start
// only when the configuration cannot be used at all or no entity can be
// served. SIGHUP re-reads the configuration file (its entities; the other
// members need a restart), keys, subordinates and trust marks: a broken
// file keeps the running configuration, a bad item keeps its last good
// state. Statements are re-signed in the background before they expire.
// With "admin", the admin API (docs/admin-api.md) listens on its own
// address; its changes are applied by the same reload as SIGHUP. With
// "console", the web console (docs/console.md) is served under its path on
// the main listener.
// Logs go to stderr.

#include "commands.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

#include <pthread.h>

#include <CLI/CLI.hpp>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/fetcher.h>

#include "server/federation_service.h"
#include "server/admin_api.h"
#include "server/console_endpoint.h"
#include "server/http_server.h"
#include "server/reload.h"
#include "server/server_config.h"
#include "server/server_log.h"

namespace oidfed::cli {

namespace {

using server::LogLevel;
using server::logLine;

// Re-signs due documents every `interval` until stopped.
class Refresher {
public:
    Refresher(server::FederationService &service, std::chrono::seconds interval)
        : thread_([this, &service, interval] { run(service, interval); })
    {
    }
    ~Refresher()
    {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

private:
    void run(server::FederationService &service, std::chrono::seconds interval)
    {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
            lock.unlock();
            auto resigned = service.refresh();
            if (!resigned)
                logLine(LogLevel::Error, "re-signing failed: " + resigned.error().describe());
            else if (*resigned > 0)
                logLine(LogLevel::Info, "re-signed " + std::to_string(*resigned) + " statements");
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Runs the crawls of the crawling resolver entities (server::Crawler), each
// when it is due, until stopped. A crawl in progress stops at its next entity.
class CrawlLoop {
public:
    explicit CrawlLoop(server::FederationService &service)
        : service_(service), thread_([this, &service] { run(service); })
    {
    }
    ~CrawlLoop()
    {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        service_.stopCrawling();  // a crawl in progress stops at its next entity
        wake_.notify_all();
        thread_.join();
    }

private:
    void run(server::FederationService &service)
    {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            lock.unlock();
            const std::chrono::seconds wait = service.crawlDue();
            lock.lock();
            wake_.wait_for(lock, wait, [this] { return stop_; });
        }
    }

    server::FederationService &service_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Each item not served as configured, one warning each.
std::size_t logProblems(const server::FederationService &service)
{
    std::vector<server::ItemProblem> problems = service.problems();
    for (const server::ItemProblem &problem : problems)
        logLine(LogLevel::Warning, server::describeProblem(problem));
    return problems.size();
}

int runServe(const std::string &configFile, Format format)
{
    // Signals are taken by sigwait() below: block them before any thread
    // starts, so that every thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto config = server::loadServerConfig(configFile);
    if (!config)
        return reportError(config.error(), format);
    const server::ServerOptions options = config->options;
    server::setLogFormat(options.log.format);  // before any thread starts

    auto fetcher = makeCurlFetcher(options.fetch);
    if (!fetcher)
        return reportError(fetcher.error(), format);
    std::unique_ptr<Clock> clock = makeSystemClock();
    std::unique_ptr<Cache> redis;
    if (options.redis) {
        auto cache = makeRedisCache(*options.redis);
        if (!cache)
            return reportError(cache.error(), format);
        redis = std::move(cache).value();
    }

    auto service = server::FederationService::create(
        std::move(config).value(),
        server::FederationService::Dependencies{.clock = *clock, .upstream = **fetcher, .sharedCache = redis.get()});
    if (!service) {
        Error error = std::move(service).error();
        if (error.code != ErrorCode::Unavailable && error.code != ErrorCode::Timeout)
            error.code = ErrorCode::InvalidArgument;  // a configuration problem: exit 2
        return reportError(error, format);
    }
    const std::size_t problems = logProblems(**service);
    const std::vector<std::string> served = (*service)->servedEntityIds();
    if (served.empty())
        return reportError(Error(ErrorCode::InvalidArgument,
                                 "no configured entity can be served (each problem is logged above)"),
                           format);
    // Logged before the port opens, so that whoever waits for it finds them.
    (*service)->warnExpiring();
    // The admin API (docs/admin-api.md), on its own listener when configured.
    std::unique_ptr<server::AdminApi> admin;
    std::unique_ptr<server::HttpServer> adminHttp;
    if (options.admin) {
        admin = std::make_unique<server::AdminApi>(
            options, server::AdminApi::Dependencies{
                         .service = **service,
                         .clock = *clock,
                         .reload = [&service, configFile] { return server::reloadFromFile(**service, configFile); }});
        server::ServerOptions listener = options;
        listener.listenHost = options.admin->listenHost;
        listener.listenPort = options.admin->listenPort;
        listener.threads = 2;
        listener.maxConnections = 64;
        // The body, and room for the request line and headers.
        listener.maxRequestBytes = options.admin->maxBodyBytes + 16384;
        auto started = server::HttpServer::start(
            [&admin](const server::HttpRequest &request) { return admin->handle(request); }, (*service)->metrics(),
            listener);
        if (!started)
            return reportError(started.error(), format);
        adminHttp = std::move(started).value();
        logLine(LogLevel::Info, "admin API on " + listener.listenHost + ":" + std::to_string(adminHttp->port()) +
                                    ", audit log " + options.admin->auditLog.string());
    }

    // The web console (docs/console.md), under its path on the main listener.
    std::unique_ptr<server::ConsoleEndpoint> console;
    if (options.console)
        console = std::make_unique<server::ConsoleEndpoint>(options, **service, admin.get());
    auto http = server::HttpServer::start(
        [&service, &console](const server::HttpRequest &request) {
            return console && console->owns(request.path) ? console->handle(request) : (*service)->handle(request);
        },
        (*service)->metrics(), options);
    if (!http)
        return reportError(http.error(), format);
    if (console)
        logLine(LogLevel::Info, "web console at http://" + options.listenHost + ":" + std::to_string((*http)->port()) +
                                    options.console->path);

    logLine(LogLevel::Info, "serving " + std::to_string(served.size()) + " entities on " + options.listenHost + ":" +
                                std::to_string((*http)->port()));
    for (const std::string &id : served)
        logLine(LogLevel::Info, "  " + id);
    if (problems > 0)
        logLine(LogLevel::Warning, std::to_string(problems) + " configured items are not served as configured; "
                                                               "/readyz lists them");

    {
        Refresher refresher(**service, options.refreshInterval);
        CrawlLoop crawling(**service);
        for (;;) {
            int received = 0;
            if (sigwait(&signals, &received) != 0)
                continue;
            if (received == SIGHUP) {
                (void)server::reloadFromFile(**service, configFile);
                continue;
            }
            logLine(LogLevel::Info, "shutting down");
            break;
        }
    }
    if (adminHttp)
        adminHttp->shutdown();
    (*http)->shutdown();
    return kExitOk;
}

} // namespace

void addServeCommand(CLI::App &app, CommandContext &ctx)
{
    auto configFile = std::make_shared<std::string>();
    CLI::App *command = app.add_subcommand("serve", "Run the entity service (oidfed serve --config FILE)");
    command->add_option("--config", *configFile, "Configuration file (JSON)")->required();
    command->callback([&ctx, configFile] { ctx.exitCode = runServe(*configFile, ctx.global.resolved()); });
}

} // namespace oidfed::cli
