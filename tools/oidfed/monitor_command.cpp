// oidfed monitor --trust-anchor-file F [--trust-anchor TA ...]
//     [--severity warning|error] [--expiry-window DAYS] [--max-entities N]
//     [--max-depth N] [--max-list-size N] + the resolve options
//
// Crawls every federation under the pinned anchors once (crawl::
// crawlFederation: top down through the list endpoints, every entity's
// chain resolved), prints the health report and exits for cron and CI:
// 0 when no finding at or above --severity (default error), 1 when there is
// one, 2 usage, 3 when a trust anchor itself is unreachable.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "crawl_support.h"
#include "resolver_setup.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

struct MonitorArgs {
    std::string severity = "error";
    std::int64_t expiryWindowDays = 7;
    std::size_t maxEntities = 100000;
    std::size_t maxDepth = 8;
    std::size_t maxListSize = 100000;
    ResolveArgs resolve;
};

void printText(const crawl::CrawlReport &report, crawl::Severity threshold)
{
    std::size_t valid = 0;
    for (const crawl::CrawledEntity &entity : report.entities)
        valid += entity.chain && !entity.error ? 1 : 0;
    std::cout << "trust anchor " << report.trustAnchor << ": " << report.entities.size() << " entities, " << valid
              << " valid, " << report.entities.size() - valid << " invalid, " << report.findings.size()
              << " findings" << (report.truncated ? " (truncated: a bound was reached)" : "") << "\n";
    std::string current;
    for (const crawl::Finding &finding : report.findings) {
        if (finding.entityId != current) {
            current = finding.entityId;
            std::cout << "  " << current << "\n";
        }
        const bool counts = finding.severity >= threshold;
        std::cout << "    " << (counts ? "* " : "  ") << crawl::severityName(finding.severity) << " "
                  << crawl::findingKindName(finding.kind) << ": " << finding.message;
        if (finding.expiresAt > 0)
            std::cout << " (" << formatRfc3339(finding.expiresAt) << ")";
        std::cout << "\n";
    }
}

int runMonitor(const MonitorArgs &args, Format format)
{
    auto threshold = crawl::severityFromName(args.severity);
    if (!threshold)
        return reportError(Error(ErrorCode::InvalidArgument, "--severity is warning or error"), format);
    auto bundle = makeResolver(args.resolve, ResolverUse::Batch);
    if (!bundle)
        return reportError(bundle.error(), format);

    std::vector<crawl::CrawlReport> reports =
        crawlPinnedAnchors(*bundle, args.resolve,
                           crawl::CrawlOptions{.maxEntities = args.maxEntities,
                                               .maxDepth = args.maxDepth,
                                               .maxListSize = args.maxListSize,
                                               .expiryWarningSeconds = args.expiryWindowDays * 86400});
    if (reports.empty())
        return reportError(Error(ErrorCode::InvalidArgument, "no pinned trust anchor matches --trust-anchor"), format);

    std::size_t failing = 0;
    bool unreachable = false;
    for (const crawl::CrawlReport &report : reports) {
        unreachable = unreachable || anchorUnreachable(report);
        for (const crawl::Finding &finding : report.findings)
            failing += finding.severity >= *threshold ? 1 : 0;
    }
    if (format == Format::Json) {
        Json out = Json::object();
        Json list = Json::array();
        for (const crawl::CrawlReport &report : reports)
            list.push(crawl::crawlReportToJson(report));
        out.set("reports", std::move(list));
        out.set("severity", crawl::severityName(*threshold));
        out.set("failing_findings", static_cast<std::int64_t>(failing));
        printJson(out);
    } else {
        for (const crawl::CrawlReport &report : reports)
            printText(report, *threshold);
        std::cout << failing << " finding(s) at or above " << crawl::severityName(*threshold) << "\n";
    }
    if (unreachable)
        return kExitUnavailable;
    return failing > 0 ? kExitInvalid : kExitOk;
}

} // namespace

void addMonitorCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<MonitorArgs>();
    CLI::App *command = app.add_subcommand(
        "monitor", "Crawl every federation under the pinned trust anchors once and report its health");
    command->add_option("--severity", args->severity,
                        "Exit 1 when a finding of this severity or above exists: warning or error (default error)");
    command->add_option("--expiry-window", args->expiryWindowDays,
                        "Report statements, configurations and trust marks expiring within DAYS (default 7)")
        ->check(CLI::Range(0, 3650));
    command->add_option("--max-entities", args->maxEntities, "Entities to crawl at most per anchor (default 100000)")
        ->check(CLI::Range(1, 10000000));
    command->add_option("--max-depth", args->maxDepth, "Levels below the anchor at most (default 8)")
        ->check(CLI::Range(1, 64));
    command->add_option("--max-list-size", args->maxListSize, "Ids taken from one list endpoint (default 100000)")
        ->check(CLI::Range(1, 10000000));
    addResolveOptions(*command, args->resolve);
    command->callback([args, &ctx]() { ctx.exitCode = runMonitor(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
