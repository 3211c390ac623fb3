#include "crawl_support.h"

#include <algorithm>

namespace oidfed::cli {

std::vector<crawl::CrawlReport> crawlPinnedAnchors(ResolverBundle &bundle, const ResolveArgs &args,
                                                   crawl::CrawlOptions options)
{
    options.statements.entityIds.allowHttp = args.allowHttp;
    std::vector<crawl::CrawlReport> reports;
    for (const TrustAnchor &anchor : bundle.resolver->trustAnchors()) {
        if (!args.trustAnchors.empty() &&
            std::find(args.trustAnchors.begin(), args.trustAnchors.end(), anchor.entityId.str()) ==
                args.trustAnchors.end())
            continue;
        crawl::CrawlReport report =
            crawl::crawlFederation(anchor, *bundle.resolver, *bundle.fetcher, options, bundle.clock->now());
        report.finishedAt = bundle.clock->now();
        reports.push_back(std::move(report));
    }
    return reports;
}

bool anchorUnreachable(const crawl::CrawlReport &report)
{
    return std::any_of(report.findings.begin(), report.findings.end(), [&](const crawl::Finding &finding) {
        return finding.kind == crawl::FindingKind::Unreachable && finding.entityId == report.trustAnchor;
    });
}

} // namespace oidfed::cli
