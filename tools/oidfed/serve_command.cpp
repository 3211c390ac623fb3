// oidfed serve --config FILE
//
// Runs the entity service: loads the configuration, keys (generated on first
// start) and subordinates, signs everything, then serves HTTP until SIGTERM
// or SIGINT. SIGHUP re-reads keys and subordinates (a bad file leaves the
// running state untouched). Statements are re-signed in the background
// before they expire. Logs go to stderr.

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
#include "server/http_server.h"
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
    auto http = server::HttpServer::start(**service, options);
    if (!http)
        return reportError(http.error(), format);

    logLine(LogLevel::Info, "serving " + std::to_string((*service)->config().entities.size()) + " entities on " +
                                options.listenHost + ":" + std::to_string((*http)->port()));
    for (const auto &hosted : (*service)->config().entities)
        logLine(LogLevel::Info, "  " + hosted.entity.entityId.str());

    {
        Refresher refresher(**service, options.refreshInterval);
        for (;;) {
            int received = 0;
            if (sigwait(&signals, &received) != 0)
                continue;
            if (received == SIGHUP) {
                auto reloaded = (*service)->reload();
                if (reloaded)
                    logLine(LogLevel::Info, "reloaded keys and subordinates");
                else
                    logLine(LogLevel::Error, "reload failed, previous state kept: " + reloaded.error().describe());
                continue;
            }
            logLine(LogLevel::Info, "shutting down");
            break;
        }
    }
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
