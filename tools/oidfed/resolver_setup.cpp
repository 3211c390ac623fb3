#include "resolver_setup.h"

#include <CLI/CLI.hpp>

#include <oidfed/entity_statement.h>
#include <oidfed/trust_anchor.h>

#include "cli_output.h"
#include "text_output.h"
#include "time_format.h"

namespace oidfed::cli {

/// Statements kept by `resolve --batch`: up to four fifths of them (the hot
/// segment) are statements read again, far more superiors than federations
/// have; each leaf's own statements pass through the rest.
constexpr std::size_t kBatchStatementCacheEntries = 2000;

void addResolveOptions(CLI::App &command, ResolveArgs &args)
{
    command.add_option("--trust-anchor", args.trustAnchors,
                       "Trust anchor entity id; repeatable; restricts and orders the anchors (default: all pinned)");
    command.add_option("--trust-anchor-file", args.trustAnchorFiles,
                       "Pinned trust anchors: a file with {entity_id, jwks} or an array of those, or a directory of "
                       "*.json files; repeatable")
        ->required();
    command.add_option("--entity-type", args.entityTypes, "Restrict the metadata to this entity type; repeatable");
    command.add_option("--trust-mark-status", args.trustMarkStatusTypes,
                       "Check trust marks of this type also at their issuer's status endpoint; repeatable");
    command.add_option("--trust-mark-typ", args.trustMarkTyps,
                       "TYPE=TYP: marks of this type are typed TYP, a value their trust framework defines (spec 7; "
                       "default trust-mark+jwt); repeatable, also for one type");
    command.add_option("--at", args.at, "Validate as of this RFC 3339 time (or NumericDate) instead of now");
    command.add_option("--ca-file", args.caFile, "Additional trusted CA certificates (PEM) for HTTPS");
    command.add_option("--resolve", args.resolve,
                       "HOST:PORT:ADDRESS[,ADDRESS...]: connect to these addresses for HOST:PORT instead of what DNS "
                       "says (as curl --resolve); repeatable");
    command.add_option("--redis", args.redis, "Share a Redis cache: redis://[:password@]host:port[/db]");
    command.add_flag("--explain", args.explain,
                     "Report every candidate path with its verdict and where each metadata value came from");
    command.add_flag("--allow-http", args.allowHttp, "TEST SWITCH: accept http:// entity identifiers and URLs");
    command.add_flag("--allow-loopback", args.allowLoopback, "TEST SWITCH: allow connections to 127.0.0.0/8 and ::1");
}

Result<TrustMarkTypValues> trustMarkTypArgs(const ResolveArgs &args)
{
    TrustMarkTypValues typs;
    for (const std::string &entry : args.trustMarkTyps) {
        const std::size_t at = entry.rfind('=');
        if (at == std::string::npos || at == 0 || at + 1 == entry.size())
            return fail(Error(ErrorCode::InvalidArgument, "--trust-mark-typ " + entry + ": expected TYPE=TYP")
                            .withClaim("--trust-mark-typ"));
        typs[entry.substr(0, at)].push_back(entry.substr(at + 1));
    }
    return typs;
}

Result<std::unique_ptr<Fetcher>> makeCommandFetcher(const CommandFetchOptions &options)
{
    FetchOptions fetchOptions;
    fetchOptions.allowHttp = options.allowHttp;
    fetchOptions.allowLoopback = options.allowLoopback;
    fetchOptions.caFile = options.caFile;
    fetchOptions.resolve = options.resolve;
    auto fetcher = makeCurlFetcher(fetchOptions);
    if (!fetcher)
        return fail(Error(ErrorCode::InvalidArgument, fetcher.error().message));
    return std::move(fetcher).value();
}

Result<ResolverBundle> makeResolver(const ResolveArgs &args, ResolverUse use, std::unique_ptr<Clock> clock)
{
    EntityIdOptions ids{.allowHttp = args.allowHttp};
    std::vector<TrustAnchor> anchors;
    for (const std::string &file : args.trustAnchorFiles) {
        OIDFED_TRY(auto loaded, loadTrustAnchors(file, ids));
        for (TrustAnchor &anchor : loaded)
            anchors.push_back(std::move(anchor));
    }
    if (anchors.empty())
        return fail(ErrorCode::InvalidArgument, "no trust anchor pinned (--trust-anchor-file)");

    ResolverBundle bundle;
    OIDFED_TRY(bundle.fetcher, makeCommandFetcher({.allowHttp = args.allowHttp,
                                                   .allowLoopback = args.allowLoopback,
                                                   .caFile = args.caFile,
                                                   .resolve = args.resolve}));
    bundle.clock = clock ? std::move(clock) : makeSystemClock();
    if (!args.redis.empty()) {
        RedisCacheOptions redisOptions;
        redisOptions.url = args.redis;
        auto redis = makeRedisCache(redisOptions);
        if (!redis)
            return fail(Error(ErrorCode::InvalidArgument, "--redis: " + redis.error().message));
        // The in-process cache is always on; Redis is shared behind it.
        auto memory = makeMemoryCache();
        if (!memory)
            return fail(Error(ErrorCode::Internal, memory.error().message));
        auto tiered = makeTieredCache(std::move(memory).value(), std::move(redis).value());
        if (!tiered)
            return fail(Error(ErrorCode::Internal, tiered.error().message));
        bundle.cache = std::move(tiered).value();
    }

    ResolverOptions options;
    options.statements.entityIds = ids;
    options.trustMarks.statusCheckedTypes = args.trustMarkStatusTypes;
    OIDFED_TRY(options.trustMarks.typValues, trustMarkTypArgs(args));
    if (use == ResolverUse::Batch) {
        options.cacheMaxEntries = 0;
        options.statementCacheMaxEntries = kBatchStatementCacheEntries;
    }
    auto resolver = Resolver::create(options, std::move(anchors), {*bundle.fetcher, *bundle.clock, bundle.cache.get()});
    if (!resolver)
        return fail(Error(ErrorCode::InvalidArgument, resolver.error().message));
    bundle.resolver = std::move(resolver).value();
    return bundle;
}

Result<ResolveRequest> makeRequest(const ResolveArgs &args, const std::string &subject)
{
    ResolveRequest request;
    request.subject = subject;
    request.trustAnchors = args.trustAnchors;
    request.entityTypes = args.entityTypes;
    request.explain = args.explain;
    if (!args.at.empty()) {
        OIDFED_TRY(UnixTime at, parseRfc3339(args.at));
        request.at = at;
    }
    return request;
}

Json describeStatement(const std::string &jwt, const StatementOptions &options)
{
    Json out = Json::object();
    auto statement = EntityStatement::parse(jwt, options);
    if (!statement) {
        out.set("error", statement.error().describe());
        return out;
    }
    out.set("kind", statement->isEntityConfiguration() ? "entity_configuration" : "subordinate_statement");
    out.set("iss", statement->issuer().str());
    out.set("sub", statement->subject().str());
    out.set("kid", statement->jws().kid());
    out.set("alg", std::string(jwsAlgorithmName(statement->jws().alg())));
    out.set("iat", formatRfc3339(statement->issuedAt()));
    out.set("exp", formatRfc3339(statement->expiresAt()));
    for (const char *claim : {"metadata_policy", "metadata_policy_crit", "constraints", "metadata"})
        if (!statement->isEntityConfiguration())
            if (const Json *value = statement->claim(claim))
                out.set(claim, *value);
    return out;
}

} // namespace oidfed::cli
