// The data of the web console's views (console_endpoint.h), as JSON, read
// from what the server serves now (ServiceSnapshot) with the functions the
// CLI and the admin API use: entity/key_listing.h for keys, expiry.h for
// what ends, item_problem.h for what is not served as configured,
// chain/federation_graph.h for the walked federation (as `oidfed graph`)
// and chain/explain_json.h for the explain report (as `oidfed resolve
// --explain`). Nothing here writes: changes are the admin API's.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/fetcher.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

#include "server/crawl_state.h"
#include "server/expiry.h"
#include "server/item_problem.h"
#include "server/service_snapshot.h"

namespace oidfed::server::console {

/// The hosted entities, each with its organization name, entity types,
/// superiors (authority_hints), subordinates (blocked ones marked) and
/// roles; and the trust anchors its resolvers pin. {"entities": [...],
/// "trust_anchors": [...]}.
Json entitiesView(const ServiceSnapshot &snapshot);

/// One hosted entity: its Entity Configuration decoded ({"header",
/// "payload"}, as served), its keys with their states (keyListing), its
/// Subordinate Statements with their exp and seconds left, the trust marks
/// it holds (from its Entity Configuration), the types it issues with their
/// subjects (a Trust Mark Issuer) and what it relies on that ends
/// (`expiries` of this entity: marks issued and held, delegations, keys).
/// NotFound when no entity with that id is served here.
Result<Json> entityView(const ServiceSnapshot &snapshot, const std::vector<ExpiringItem> &expiries,
                        std::string_view entityId, UnixTime now);

/// Everything that ends, soonest first: `expiries` (expiry.h) and each
/// hosted entity's Entity Configuration and Subordinate Statements (renewed
/// by the server itself). {"items": [expiringItemToJson...]}.
Json expiryView(const ServiceSnapshot &snapshot, std::vector<ExpiringItem> expiries, UnixTime now);

/// {"problems": [problemToJson...], "crawler": {"available", "crawls":
/// [{"crawler", "trust_anchor", "finished_at", "leader", "counts"}],
/// "findings": [findingToJson... + "trust_anchor"]}}: the latest crawl of
/// each crawling resolver (crawler.h); "available" false while there is
/// none (no entity has resolver.crawl, or its first crawl has not finished).
Json healthView(const std::vector<ItemProblem> &problems,
                const std::vector<std::shared_ptr<const ServedCrawl>> &crawls);

/// The federation under `trustAnchor` (empty: the first one a hosted
/// resolver pins), walked through its list and fetch endpoints with
/// `fetcher` and judged by that resolver: federationGraphJson() plus
/// "trust_anchors" (every pinned one). NotFound when no hosted entity is a
/// resolver, or none pins that anchor.
Result<Json> federationView(const ServiceSnapshot &snapshot, Fetcher &fetcher, const std::string &trustAnchor,
                            bool allowHttp, UnixTime now);

/// `subject` resolved with explain by a hosted resolver (the one that pins
/// `trustAnchor`, or the first): {"sub", "verdict": "valid"|"invalid",
/// "error"? (the error object, naming its rule), "trust_anchor"?, "exp"?,
/// "metadata"?, "chain"? [{"iss", "sub", "exp"}], "explain":
/// explainJson()}. NotFound as federationView().
Result<Json> explainView(const ServiceSnapshot &snapshot, const std::string &subject, const std::string &trustAnchor);

} // namespace oidfed::server::console
