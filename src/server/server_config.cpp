#include "server/server_config.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <oidfed/jws_algorithm.h>

#include "fetch/resolve_override.h"
#include "statement/claims.h"

namespace oidfed::server {

namespace {

namespace fs = std::filesystem;

// Reads the members of one JSON object, naming `where` in every error and
// refusing members it was not told about.
class ObjectReader {
public:
    ObjectReader(const Json &object, std::string where) : object_(object), where_(std::move(where)) {}

    Result<void> allowOnly(std::initializer_list<std::string_view> names) const
    {
        if (!object_.isObject())
            return fail(ErrorCode::InvalidArgument, where_ + " must be a JSON object");
        for (const auto &[name, value] : object_.asObject())
            if (std::find(names.begin(), names.end(), name) == names.end())
                return fail(ErrorCode::InvalidArgument, "unknown member " + at(name));
        return ok();
    }

    std::string at(std::string_view name) const { return where_.empty() ? std::string(name) : where_ + "." + std::string(name); }

    const Json *raw(std::string_view name) const { return object_.find(name); }

    Result<std::optional<std::string>> string(std::string_view name) const
    {
        const Json *value = raw(name);
        if (!value)
            return std::optional<std::string>();
        if (!value->isString() || value->asString().empty())
            return fail(ErrorCode::InvalidArgument, at(name) + " must be a non-empty string");
        return std::optional<std::string>(value->asString());
    }

    Result<std::optional<std::int64_t>> integer(std::string_view name, std::int64_t min, std::int64_t max) const
    {
        const Json *value = raw(name);
        if (!value)
            return std::optional<std::int64_t>();
        if (!value->isInt() || value->asInt() < min || value->asInt() > max)
            return fail(ErrorCode::InvalidArgument, at(name) + " must be an integer in " + std::to_string(min) +
                                                        ".." + std::to_string(max));
        return std::optional<std::int64_t>(value->asInt());
    }

    Result<std::optional<bool>> boolean(std::string_view name) const
    {
        const Json *value = raw(name);
        if (!value)
            return std::optional<bool>();
        if (!value->isBool())
            return fail(ErrorCode::InvalidArgument, at(name) + " must be true or false");
        return std::optional<bool>(value->asBool());
    }

    Result<const Json *> object(std::string_view name) const
    {
        const Json *value = raw(name);
        if (value && !value->isObject())
            return fail(ErrorCode::InvalidArgument, at(name) + " must be a JSON object");
        return value;
    }

    Result<std::vector<EntityId>> entityIds(std::string_view name, const EntityIdOptions &options) const
    {
        std::vector<EntityId> out;
        const Json *value = raw(name);
        if (!value)
            return out;
        if (!value->isArray())
            return fail(ErrorCode::InvalidArgument, at(name) + " must be an array of Entity Identifiers");
        for (const Json &item : value->asArray()) {
            if (!item.isString())
                return fail(ErrorCode::InvalidArgument, at(name) + " must be an array of Entity Identifiers");
            auto id = EntityId::parse(item.asString(), options);
            if (!id)
                return fail(ErrorCode::InvalidArgument, at(name) + ": " + id.error().message);
            if (std::find(out.begin(), out.end(), *id) != out.end())
                return fail(ErrorCode::InvalidArgument, at(name) + " lists " + id->str() + " twice");
            out.push_back(std::move(id).value());
        }
        return out;
    }

private:
    const Json &object_;
    std::string where_;
};

// Sets `target` from an optional integer member, converting the unit.
template <typename Target>
Result<void> readInto(const ObjectReader &reader, std::string_view name, std::int64_t min, std::int64_t max,
                      Target &target)
{
    OIDFED_TRY(std::optional<std::int64_t> value, reader.integer(name, min, max));
    if (value)
        target = Target(*value);
    return ok();
}

Result<void> parseListen(const std::string &listen, ServerOptions &options)
{
    std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        return fail(ErrorCode::InvalidArgument, "listen must be HOST:PORT, e.g. 127.0.0.1:8080");
    std::string port = listen.substr(colon + 1);
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5 ||
        std::stoi(port) < 1 || std::stoi(port) > 65535)
        return fail(ErrorCode::InvalidArgument, "listen: the port must be 1..65535");
    options.listenHost = listen.substr(0, colon);
    options.listenPort = static_cast<std::uint16_t>(std::stoi(port));
    return ok();
}

Result<void> parseResolverLimits(const Json &json, ServerOptions &options)
{
    ObjectReader reader(json, "resolver_limits");
    OIDFED_TRY_VOID(reader.allowOnly({"max_chain_depth", "max_authority_hints", "max_fetches", "max_candidate_paths",
                                      "deadline_ms", "clock_skew_seconds", "max_cache_ttl_seconds",
                                      "negative_ttl_seconds", "refresh_ahead_seconds", "cache_max_entries",
                                      "statement_cache_max_entries", "on_demand", "max_concurrent_on_demand",
                                      "max_on_demand_per_client", "on_demand_per_client_rate",
                                      "on_demand_per_client_burst", "max_tracked_clients",
                                      "response_cache_max_entries", "response_cache_ttl_seconds"}));
    ResolverOptions &resolver = options.resolver;
    OIDFED_TRY_VOID(readInto(reader, "max_chain_depth", 1, 32, resolver.maxChainDepth));
    OIDFED_TRY_VOID(readInto(reader, "max_authority_hints", 1, 64, resolver.maxAuthorityHintsPerEntity));
    OIDFED_TRY_VOID(readInto(reader, "max_fetches", 1, 4096, resolver.maxFetchesPerResolution));
    OIDFED_TRY_VOID(readInto(reader, "max_candidate_paths", 1, 1024, resolver.maxCandidatePaths));
    OIDFED_TRY_VOID(readInto(reader, "deadline_ms", 1, 600000, resolver.resolveDeadline));
    OIDFED_TRY_VOID(readInto(reader, "clock_skew_seconds", 0, 600, resolver.clockSkew));
    OIDFED_TRY_VOID(readInto(reader, "max_cache_ttl_seconds", 1, 7 * 86400, resolver.maxCacheTtl));
    OIDFED_TRY_VOID(readInto(reader, "negative_ttl_seconds", 0, 3600, resolver.negativeTtl));
    OIDFED_TRY_VOID(readInto(reader, "refresh_ahead_seconds", 0, 7 * 86400, resolver.refreshAhead));
    OIDFED_TRY_VOID(readInto(reader, "cache_max_entries", 0, 10000000, resolver.cacheMaxEntries));
    OIDFED_TRY_VOID(readInto(reader, "statement_cache_max_entries", 0, 10000000, resolver.statementCacheMaxEntries));
    ResolveEndpointOptions &endpoint = options.resolveEndpoint;
    OIDFED_TRY(std::optional<bool> onDemand, reader.boolean("on_demand"));
    endpoint.onDemand = onDemand.value_or(endpoint.onDemand);
    OIDFED_TRY_VOID(readInto(reader, "max_concurrent_on_demand", 1, 1024, endpoint.maxConcurrentOnDemand));
    OIDFED_TRY_VOID(readInto(reader, "max_on_demand_per_client", 1, 1024, endpoint.maxOnDemandPerClient));
    OIDFED_TRY_VOID(readInto(reader, "on_demand_per_client_rate", 0, 100000, endpoint.onDemandPerClientRate));
    OIDFED_TRY_VOID(readInto(reader, "on_demand_per_client_burst", 1, 100000, endpoint.onDemandPerClientBurst));
    OIDFED_TRY_VOID(readInto(reader, "max_tracked_clients", 1, 10000000, endpoint.maxTrackedClients));
    OIDFED_TRY_VOID(readInto(reader, "response_cache_max_entries", 0, 10000000, endpoint.responseCacheMaxEntries));
    OIDFED_TRY_VOID(readInto(reader, "response_cache_ttl_seconds", 1, 86400, endpoint.responseCacheTtl));
    return validateResolverOptions(resolver);
}

Result<void> parseFetch(const Json &json, const fs::path &baseDir, ServerOptions &options)
{
    ObjectReader reader(json, "fetch");
    OIDFED_TRY_VOID(reader.allowOnly({"connect_timeout_ms", "total_timeout_ms", "max_response_bytes",
                                      "max_concurrent_transfers", "max_transfers_per_host", "max_waiting_per_host",
                                      "allow_loopback", "allowed_networks", "ca_file", "user_agent", "resolve"}));
    FetchOptions &fetch = options.fetch;
    OIDFED_TRY_VOID(readInto(reader, "connect_timeout_ms", 1, 60000, fetch.connectTimeout));
    OIDFED_TRY_VOID(readInto(reader, "total_timeout_ms", 1, 600000, fetch.totalTimeout));
    OIDFED_TRY_VOID(readInto(reader, "max_response_bytes", 1024, 16 << 20, fetch.maxResponseBytes));
    OIDFED_TRY_VOID(readInto(reader, "max_concurrent_transfers", 1, 64, fetch.maxConcurrentTransfers));
    OIDFED_TRY_VOID(readInto(reader, "max_transfers_per_host", 1, 1024, fetch.maxTransfersPerHost));
    OIDFED_TRY_VOID(readInto(reader, "max_waiting_per_host", 0, 100000, fetch.maxWaitingPerHost));
    OIDFED_TRY(std::optional<bool> loopback, reader.boolean("allow_loopback"));
    fetch.allowLoopback = loopback.value_or(false);
    if (const Json *networks = reader.raw("allowed_networks")) {
        if (!networks->isArray())
            return fail(ErrorCode::InvalidArgument, "fetch.allowed_networks must be an array of CIDR blocks");
        for (const Json &network : networks->asArray()) {
            if (!network.isString())
                return fail(ErrorCode::InvalidArgument, "fetch.allowed_networks must be an array of CIDR blocks");
            fetch.allowedNetworks.push_back(network.asString());
        }
    }
    if (const Json *resolve = reader.raw("resolve")) {
        if (!resolve->isArray())
            return fail(ErrorCode::InvalidArgument, "fetch.resolve must be an array of HOST:PORT:ADDRESS strings");
        for (const Json &entry : resolve->asArray()) {
            if (!entry.isString())
                return fail(ErrorCode::InvalidArgument, "fetch.resolve must be an array of HOST:PORT:ADDRESS strings");
            OIDFED_TRY_VOID(fetch::checkResolveOverride(entry.asString()));
            fetch.resolve.push_back(entry.asString());
        }
    }
    OIDFED_TRY(std::optional<std::string> caFile, reader.string("ca_file"));
    if (caFile)
        fetch.caFile = (baseDir / *caFile).string();
    OIDFED_TRY(std::optional<std::string> userAgent, reader.string("user_agent"));
    if (userAgent)
        fetch.userAgent = *userAgent;
    return ok();
}

Result<void> parseRedis(const Json &json, ServerOptions &options)
{
    ObjectReader reader(json, "redis");
    OIDFED_TRY_VOID(reader.allowOnly({"url", "key_prefix", "connect_timeout_ms", "command_timeout_ms", "pool_size",
                                      "breaker_slow_threshold_ms", "breaker_slow_commands"}));
    RedisCacheOptions redis;
    OIDFED_TRY(std::optional<std::string> url, reader.string("url"));
    if (!url)
        return fail(ErrorCode::InvalidArgument, "redis.url is required");
    redis.url = *url;
    OIDFED_TRY(std::optional<std::string> prefix, reader.string("key_prefix"));
    if (prefix)
        redis.keyPrefix = *prefix;
    OIDFED_TRY_VOID(readInto(reader, "connect_timeout_ms", 1, 60000, redis.connectTimeout));
    OIDFED_TRY_VOID(readInto(reader, "command_timeout_ms", 1, 60000, redis.commandTimeout));
    OIDFED_TRY_VOID(readInto(reader, "pool_size", 1, 64, redis.poolSize));
    OIDFED_TRY_VOID(readInto(reader, "breaker_slow_threshold_ms", 0, 60000, redis.breakerSlowThreshold));
    OIDFED_TRY_VOID(readInto(reader, "breaker_slow_commands", 1, 1000, redis.breakerSlowCommands));
    options.redis = std::move(redis);
    return ok();
}

Result<std::vector<TrustAnchorSetting>> parseResolver(const Json &json, const std::string &where,
                                                      const EntityIdOptions &idOptions)
{
    ObjectReader reader(json, where);
    OIDFED_TRY_VOID(reader.allowOnly({"trust_anchors"}));
    const Json *anchors = reader.raw("trust_anchors");
    if (!anchors || !anchors->isArray() || anchors->asArray().empty())
        return fail(ErrorCode::InvalidArgument, reader.at("trust_anchors") + " must be a non-empty array");
    std::vector<TrustAnchorSetting> out;
    for (std::size_t i = 0; i < anchors->size(); ++i) {
        ObjectReader anchor(anchors->asArray()[i], reader.at("trust_anchors") + "[" + std::to_string(i) + "]");
        OIDFED_TRY_VOID(anchor.allowOnly({"entity_id", "jwks"}));
        OIDFED_TRY(std::optional<std::string> id, anchor.string("entity_id"));
        if (!id)
            return fail(ErrorCode::InvalidArgument, anchor.at("entity_id") + " is required");
        auto entityId = EntityId::parse(*id, idOptions);
        if (!entityId)
            return fail(ErrorCode::InvalidArgument, anchor.at("entity_id") + ": " + entityId.error().message);
        TrustAnchorSetting setting{.entityId = std::move(entityId).value()};
        if (const Json *jwks = anchor.raw("jwks")) {
            auto set = JwkSet::fromJson(*jwks);
            if (!set || set->empty())
                return fail(ErrorCode::InvalidArgument,
                            anchor.at("jwks") + ": " + (set ? std::string("no keys") : set.error().message));
            setting.jwks = std::move(set).value();
        }
        for (const TrustAnchorSetting &seen : out)
            if (seen.entityId == setting.entityId)
                return fail(ErrorCode::InvalidArgument, reader.at("trust_anchors") + " lists " +
                                                            setting.entityId.str() + " twice");
        out.push_back(std::move(setting));
    }
    return out;
}

Result<entity::TrustMarkIssuerSettings> parseTrustMarkIssuer(const Json &json, const std::string &where,
                                                            const fs::path &baseDir)
{
    ObjectReader reader(json, where);
    OIDFED_TRY_VOID(reader.allowOnly({"directory", "mark_lifetime_seconds", "delegation_lifetime_seconds"}));
    entity::TrustMarkIssuerSettings settings;
    OIDFED_TRY(std::optional<std::string> directory, reader.string("directory"));
    if (!directory)
        return fail(ErrorCode::InvalidArgument, reader.at("directory") + " is required");
    settings.directory = baseDir / *directory;
    OIDFED_TRY_VOID(readInto(reader, "mark_lifetime_seconds", 60, 365 * 86400, settings.markLifetime));
    OIDFED_TRY_VOID(readInto(reader, "delegation_lifetime_seconds", 3600, 365 * 86400, settings.delegationLifetime));
    return settings;
}

Result<std::vector<entity::HeldTrustMarkSetting>> parseTrustMarkSources(const Json &json, const std::string &where,
                                                                        const EntityIdOptions &idOptions)
{
    if (!json.isArray())
        return fail(ErrorCode::InvalidArgument, where + " must be an array");
    std::vector<entity::HeldTrustMarkSetting> out;
    for (std::size_t i = 0; i < json.size(); ++i) {
        ObjectReader source(json.asArray()[i], where + "[" + std::to_string(i) + "]");
        OIDFED_TRY_VOID(source.allowOnly({"trust_mark_type", "issuer", "endpoint"}));
        OIDFED_TRY(std::optional<std::string> type, source.string("trust_mark_type"));
        OIDFED_TRY(std::optional<std::string> issuer, source.string("issuer"));
        if (!type || !issuer)
            return fail(ErrorCode::InvalidArgument, source.at("trust_mark_type") + " and issuer are required");
        auto issuerId = EntityId::parse(*issuer, idOptions);
        if (!issuerId)
            return fail(ErrorCode::InvalidArgument, source.at("issuer") + ": " + issuerId.error().message);
        entity::HeldTrustMarkSetting setting{.trustMarkType = *type, .issuer = std::move(issuerId).value()};
        OIDFED_TRY(std::optional<std::string> endpoint, source.string("endpoint"));
        if (endpoint) {
            if (!claims::isEndpointUrl(*endpoint, idOptions.allowHttp))
                return fail(ErrorCode::InvalidArgument,
                            source.at("endpoint") + " must be an absolute https URL without a fragment");
            setting.endpoint = *endpoint;
        }
        for (const entity::HeldTrustMarkSetting &seen : out)
            if (seen.trustMarkType == setting.trustMarkType && seen.issuer == setting.issuer)
                return fail(ErrorCode::InvalidArgument, where + " lists " + setting.trustMarkType + " from " +
                                                            setting.issuer.str() + " twice");
        out.push_back(std::move(setting));
    }
    return out;
}

Result<void> parseTrustMarkVerification(const Json &json, ServerOptions &options)
{
    ObjectReader reader(json, "trust_mark_verification");
    OIDFED_TRY_VOID(reader.allowOnly({"status_types", "status_cache_ttl_seconds", "status_cache_max_entries"}));
    TrustMarkVerificationOptions &marks = options.resolver.trustMarks;
    if (const Json *types = reader.raw("status_types")) {
        if (!types->isArray())
            return fail(ErrorCode::InvalidArgument, reader.at("status_types") + " must be an array of trust mark types");
        for (const Json &type : types->asArray()) {
            if (!type.isString() || type.asString().empty())
                return fail(ErrorCode::InvalidArgument,
                            reader.at("status_types") + " must be an array of non-empty strings");
            marks.statusCheckedTypes.push_back(type.asString());
        }
    }
    OIDFED_TRY_VOID(readInto(reader, "status_cache_ttl_seconds", 1, 3600, marks.statusCacheTtl));
    OIDFED_TRY_VOID(readInto(reader, "status_cache_max_entries", 1, 1000000, marks.statusCacheMaxEntries));
    return ok();
}

Result<HostedEntityConfig> parseEntity(const Json &json, const std::string &where, const fs::path &baseDir,
                                       const EntityIdOptions &idOptions)
{
    ObjectReader reader(json, where);
    OIDFED_TRY_VOID(reader.allowOnly({"entity_id", "keys_dir", "key_algorithm", "retired_key_lifetime_seconds",
                                      "configuration_lifetime_seconds", "subordinate_lifetime_seconds", "metadata",
                                      "authority_hints", "trust_anchor_hints", "subordinates_dir",
                                      "trust_mark_issuers", "trust_mark_owners", "trust_marks", "resolver",
                                      "trust_mark_issuer", "trust_mark_sources"}));
    OIDFED_TRY(std::optional<std::string> id, reader.string("entity_id"));
    if (!id)
        return fail(ErrorCode::InvalidArgument, reader.at("entity_id") + " is required");
    auto entityId = EntityId::parse(*id, idOptions);
    if (!entityId)
        return fail(ErrorCode::InvalidArgument, reader.at("entity_id") + ": " + entityId.error().message);

    HostedEntityConfig config{.entity = entity::HostedEntitySettings{.entityId = std::move(entityId).value()}};
    entity::HostedEntitySettings &settings = config.entity;
    OIDFED_TRY(std::optional<std::string> keysDir, reader.string("keys_dir"));
    if (!keysDir)
        return fail(ErrorCode::InvalidArgument, reader.at("keys_dir") + " is required");
    settings.keysDir = baseDir / *keysDir;
    OIDFED_TRY(std::optional<std::string> algorithm, reader.string("key_algorithm"));
    if (algorithm) {
        auto alg = parseJwsAlgorithm(*algorithm);
        if (!alg)
            return fail(ErrorCode::InvalidArgument, reader.at("key_algorithm") + ": unsupported algorithm " + *algorithm);
        settings.keys.algorithm = *alg;
    }
    OIDFED_TRY_VOID(readInto(reader, "retired_key_lifetime_seconds", 3600, 365 * 86400, settings.keys.retiredKeyLifetime));
    OIDFED_TRY_VOID(readInto(reader, "configuration_lifetime_seconds", 60, 365 * 86400, settings.configurationLifetime));
    OIDFED_TRY_VOID(readInto(reader, "subordinate_lifetime_seconds", 60, 365 * 86400, settings.subordinateLifetime));
    OIDFED_TRY(const Json *metadata, reader.object("metadata"));
    if (metadata) {
        for (const auto &[type, value] : metadata->asObject())
            if (!value.isObject())
                return fail(ErrorCode::InvalidArgument, reader.at("metadata") + "." + type + " must be an object");
        if (const Json *federation = metadata->find("federation_entity")) {
            for (std::string_view endpoint :
                 {"federation_fetch_endpoint", "federation_list_endpoint", "federation_resolve_endpoint",
                  "federation_historical_keys_endpoint", "federation_trust_mark_endpoint",
                  "federation_trust_mark_list_endpoint", "federation_trust_mark_status_endpoint"})
                if (federation->contains(endpoint))
                    return fail(ErrorCode::InvalidArgument,
                                reader.at("metadata") + ".federation_entity." + std::string(endpoint) +
                                    " is set by the server from the entity's roles; remove it");
        }
        settings.metadata = *metadata;
    }
    OIDFED_TRY(settings.authorityHints, reader.entityIds("authority_hints", idOptions));
    OIDFED_TRY(settings.trustAnchorHints, reader.entityIds("trust_anchor_hints", idOptions));
    OIDFED_TRY(std::optional<std::string> subordinatesDir, reader.string("subordinates_dir"));
    if (subordinatesDir)
        settings.subordinatesDir = baseDir / *subordinatesDir;
    OIDFED_TRY(const Json *issuers, reader.object("trust_mark_issuers"));
    if (issuers)
        settings.trustMarkIssuers = *issuers;
    OIDFED_TRY(const Json *owners, reader.object("trust_mark_owners"));
    if (owners)
        settings.trustMarkOwners = *owners;
    if (const Json *marks = reader.raw("trust_marks")) {
        if (!marks->isArray())
            return fail(ErrorCode::InvalidArgument, reader.at("trust_marks") + " must be an array");
        settings.trustMarks = *marks;
    }
    if (const Json *issuer = reader.raw("trust_mark_issuer")) {
        OIDFED_TRY(settings.trustMarkIssuer, parseTrustMarkIssuer(*issuer, reader.at("trust_mark_issuer"), baseDir));
    }
    if (const Json *sources = reader.raw("trust_mark_sources")) {
        OIDFED_TRY(settings.trustMarkSources,
                   parseTrustMarkSources(*sources, reader.at("trust_mark_sources"), idOptions));
        for (const entity::HeldTrustMarkSetting &source : settings.trustMarkSources)
            if (source.issuer == settings.entityId && !settings.trustMarkIssuer)
                return fail(ErrorCode::InvalidArgument, reader.at("trust_mark_sources") + ": " +
                                                            source.issuer.str() + " is the entity itself, which has "
                                                                                  "no trust_mark_issuer");
    }
    if (const Json *resolver = reader.raw("resolver")) {
        OIDFED_TRY(config.resolverTrustAnchors, parseResolver(*resolver, reader.at("resolver"), idOptions));
        settings.resolver = true;
    }
    return config;
}

} // namespace

Result<ServerConfig> parseServerConfig(const Json &json, const fs::path &baseDir)
{
    ObjectReader reader(json, "");
    OIDFED_TRY_VOID(reader.allowOnly({"listen", "threads", "max_request_bytes", "header_timeout_ms",
                                      "max_connections", "refresh_interval_seconds", "allow_http", "fetch",
                                      "resolver_limits", "redis", "entities", "trust_mark_verification",
                                      "comment"}));
    ServerConfig config;
    ServerOptions &options = config.options;
    OIDFED_TRY(std::optional<std::string> listen, reader.string("listen"));
    if (!listen)
        return fail(ErrorCode::InvalidArgument, "listen is required (HOST:PORT)");
    OIDFED_TRY_VOID(parseListen(*listen, options));
    OIDFED_TRY_VOID(readInto(reader, "threads", 0, 256, options.threads));
    OIDFED_TRY_VOID(readInto(reader, "max_request_bytes", 1024, 1 << 20, options.maxRequestBytes));
    OIDFED_TRY_VOID(readInto(reader, "header_timeout_ms", 100, 60000, options.headerTimeout));
    OIDFED_TRY_VOID(readInto(reader, "max_connections", 1, 1000000, options.maxConnections));
    OIDFED_TRY_VOID(readInto(reader, "refresh_interval_seconds", 1, 3600, options.refreshInterval));
    OIDFED_TRY(std::optional<bool> allowHttp, reader.boolean("allow_http"));
    options.allowHttp = allowHttp.value_or(false);
    options.fetch.allowHttp = options.allowHttp;
    options.resolver.statements.entityIds.allowHttp = options.allowHttp;
    if (const Json *fetch = reader.raw("fetch"))
        OIDFED_TRY_VOID(parseFetch(*fetch, baseDir, options));
    if (const Json *limits = reader.raw("resolver_limits"))
        OIDFED_TRY_VOID(parseResolverLimits(*limits, options));
    if (const Json *redis = reader.raw("redis"))
        OIDFED_TRY_VOID(parseRedis(*redis, options));
    if (const Json *verification = reader.raw("trust_mark_verification"))
        OIDFED_TRY_VOID(parseTrustMarkVerification(*verification, options));

    const EntityIdOptions idOptions{.allowHttp = options.allowHttp};
    const Json *entities = reader.raw("entities");
    if (!entities || !entities->isArray() || entities->asArray().empty())
        return fail(ErrorCode::InvalidArgument, "entities must be a non-empty array");
    std::set<std::string> ids;
    std::map<std::string, std::string> keysDirs;  // canonical keys_dir -> entity id
    for (std::size_t i = 0; i < entities->size(); ++i) {
        OIDFED_TRY(HostedEntityConfig entity,
                   parseEntity(entities->asArray()[i], "entities[" + std::to_string(i) + "]", baseDir, idOptions));
        const std::string &id = entity.entity.entityId.str();
        if (!ids.insert(id).second)
            return fail(ErrorCode::InvalidArgument, "entities: " + id + " is hosted twice");
        auto [at, added] = keysDirs.emplace(fs::weakly_canonical(entity.entity.keysDir).string(), id);
        if (!added)
            return fail(ErrorCode::InvalidArgument, "entities: " + id + " shares its keys_dir with " + at->second);
        config.entities.push_back(std::move(entity));
    }
    return config;
}

Result<ServerConfig> loadServerConfig(const fs::path &file)
{
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec)
        return fail(ErrorCode::InvalidArgument, "cannot read " + file.string() + ": " + ec.message());
    // Large enough for a server hosting many entities (a benchmark fixture
    // or a hosting provider), small enough to refuse a runaway file.
    constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{64} << 20;
    if (size > kMaxConfigBytes)
        return fail(ErrorCode::InvalidArgument, file.string() + " is larger than 64 MiB");
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in)
        return fail(ErrorCode::InvalidArgument, "cannot read " + file.string());
    JsonLimits limits;
    limits.maxBytes = static_cast<std::size_t>(kMaxConfigBytes);
    limits.maxMembers = 1000000;  // entities of one server
    auto json = parseJson(text.str(), limits);
    if (!json)
        return fail(ErrorCode::InvalidArgument, file.string() + ": " + json.error().message);
    fs::path base = fs::absolute(file).parent_path();
    auto config = parseServerConfig(*json, base);
    if (!config)
        return fail(ErrorCode::InvalidArgument, file.string() + ": " + config.error().message);
    return config;
}

} // namespace oidfed::server
