// Arguments shared by `oidfed resolve` and `oidfed chain`, and the code that
// turns them into a Resolver with its Fetcher, Clock and caches.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <oidfed/cache.h>
#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/resolver.h>
#include <oidfed/trust_mark.h>

#include "chain/explain_json.h"

namespace CLI {
class App;
}

namespace oidfed::cli {

struct ResolveArgs {
    std::string subject;
    std::vector<std::string> trustAnchors;
    std::vector<std::string> trustAnchorFiles;
    std::vector<std::string> entityTypes;
    std::vector<std::string> trustMarkStatusTypes;  ///< --trust-mark-status
    std::vector<std::string> trustMarkTyps;         ///< --trust-mark-typ TYPE=TYP
    std::string at;
    std::string caFile;
    std::vector<std::string> resolve;  ///< --resolve HOST:PORT:ADDRESS[,ADDRESS...]
    std::string redis;
    std::string batchFile;
    bool explain = false;
    bool allowHttp = false;
    bool allowLoopback = false;
};

/// Declares the shared options on `command`.
void addResolveOptions(CLI::App &command, ResolveArgs &args);

/// The --trust-mark-typ TYPE=TYP values (split at the last '='), per type.
/// InvalidArgument (exit 2) for an entry without '=' or an empty side.
Result<TrustMarkTypValues> trustMarkTypArgs(const ResolveArgs &args);

/// The guarded libcurl fetcher of a command that fetches (resolve, chain,
/// inspect, subordinate add): its test switches, --ca-file and --resolve.
/// InvalidArgument (exit 2) when they are unusable (an unreadable --ca-file,
/// a malformed --resolve).
struct CommandFetchOptions {
    bool allowHttp = false;
    bool allowLoopback = false;
    std::string caFile;
    std::vector<std::string> resolve;
};
Result<std::unique_ptr<Fetcher>> makeCommandFetcher(const CommandFetchOptions &options);

/// Everything a resolution needs, owned together.
struct ResolverBundle {
    std::unique_ptr<Fetcher> fetcher;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<Cache> cache;
    std::unique_ptr<Resolver> resolver;
};

/// How the resolver will be used, which sizes its in-process caches.
enum class ResolverUse {
    /// One resolution, or a few: the library's default caches.
    Single,
    /// `resolve --batch`: every distinct entity is resolved once and the
    /// process exits, so no resolved chain is ever read again (no chain
    /// cache), and of the statements only the ones read again (superiors'
    /// statements shared by many leaves) are worth keeping, which the
    /// statement cache's hot segment does within a smaller bound.
    Batch,
};

/// Builds the bundle. InvalidArgument (exit 2) for unusable arguments: no
/// trust anchor file, unreadable files, a bad --redis URL or --at time.
/// `clock` replaces the system clock (verify-request --at); null: the
/// system clock.
Result<ResolverBundle> makeResolver(const ResolveArgs &args, ResolverUse use = ResolverUse::Single,
                                    std::unique_ptr<Clock> clock = nullptr);

/// The request for `subject` under the arguments' anchors and types.
Result<ResolveRequest> makeRequest(const ResolveArgs &args, const std::string &subject);

/// --explain as JSON (chain/explain_json.h).
using detail::explainJson;

/// One statement of a chain, for chain and resolve output: {"kind":
/// "entity_configuration"|"subordinate_statement", "iss", "sub", "kid", "alg",
/// "iat", "exp" (RFC 3339), and a Subordinate Statement's "metadata_policy",
/// "metadata_policy_crit", "constraints" and "metadata"}; {"error"} when
/// `jwt` does not parse under `options`.
Json describeStatement(const std::string &jwt, const StatementOptions &options);

} // namespace oidfed::cli
