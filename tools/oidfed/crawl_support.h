// What `oidfed monitor` and `oidfed policy impact` share: a crawl of every
// pinned trust anchor (those of --trust-anchor, when given) through the
// command's resolver, and whether a crawl found its anchor itself
// unreachable (exit 3).
#pragma once

#include <vector>

#include "crawl/federation_crawl.h"
#include "resolver_setup.h"

namespace oidfed::cli {

/// One report per crawled anchor, in the resolver's anchor order, each with
/// finishedAt set. `options` gets the statement options of `args`
/// (--allow-http). Empty when no pinned anchor matches --trust-anchor.
std::vector<crawl::CrawlReport> crawlPinnedAnchors(ResolverBundle &bundle, const ResolveArgs &args,
                                                   crawl::CrawlOptions options);

/// Whether `report` found its trust anchor itself unreachable.
bool anchorUnreachable(const crawl::CrawlReport &report);

} // namespace oidfed::cli
