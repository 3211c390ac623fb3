#include "server/server_config.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <oidfed/jws_algorithm.h>

#include "core/range_check.h"
#include "server/bearer_token.h"
#include "server/server_config_members.h"
#include "statement/claims.h"

namespace oidfed::server {

namespace {

namespace fs = std::filesystem;

using config::Context;
using config::custom;
using config::filePath;
using config::flag;
using config::ignored;
using config::Member;
using config::nonEmptyString;
using config::number;
using config::objectArray;
using config::required;
using config::section;
using config::strings;
using config::Table;
using config::text;

// ---- Readers of members that are not a plain field ----------------------

Result<EntityId> entityId(const Json &value, const std::string &path, const Context &context)
{
    OIDFED_TRY(std::string identifier, nonEmptyString(value, path));
    auto id = EntityId::parse(identifier, context.ids);
    if (!id)
        return fail(Error(ErrorCode::InvalidArgument, path + ": " + id.error().message).withClaim(path));
    return id;
}

/// The identifier an element of an array is made from, read before its
/// other members.
Result<EntityId> requiredEntityId(const Json &object, std::string_view name, const std::string &where,
                                  const Context &context)
{
    const std::string path = config::memberPath(where, name);
    const Json *value = object.find(name);
    if (!value)
        return fail(Error(ErrorCode::InvalidArgument, path + " is required").withClaim(path));
    return entityId(*value, path, context);
}

/// A row for a member read by the `make` of its array (it is needed first).
template <typename Root>
Member<Root> readByMake(std::string_view name)
{
    return required(custom<Root>(name, "", ConfigValueKind::String,
                                 [](const Json &, const std::string &, Context &, Root &) { return ok(); }));
}

Result<void> parseListen(const Json &value, const std::string &path, ServerOptions &options)
{
    OIDFED_TRY(config::ListenAddress address, config::parseListenAddress(value, path));
    options.listenHost = std::move(address.host);
    options.listenPort = address.port;
    return ok();
}

Result<void> readAllowHttp(const Json &value, const std::string &path, Context &context, ServerConfig &config)
{
    if (!value.isBool())
        return fail(ErrorCode::InvalidArgument, path + ": must be true or false");
    ServerOptions &options = config.options;
    options.allowHttp = value.asBool();
    options.fetch.allowHttp = options.allowHttp;
    options.resolver.statements.entityIds.allowHttp = options.allowHttp;
    context.ids.allowHttp = options.allowHttp;  // for the entities, read after it
    return ok();
}

/// An array of distinct Entity Identifiers into a std::vector<EntityId> of
/// the hosted entity.
Member<HostedEntityConfig> entityIds(std::string_view name, std::vector<EntityId> entity::HostedEntitySettings::*field)
{
    return custom<HostedEntityConfig>(
        name, "", ConfigValueKind::Strings,
        [field](const Json &value, const std::string &path, Context &context,
                HostedEntityConfig &config) -> Result<void> {
            if (!value.isArray())
                return fail(ErrorCode::InvalidArgument, path + " must be an array of Entity Identifiers");
            std::vector<EntityId> out;
            for (const Json &item : value.asArray()) {
                OIDFED_TRY(EntityId id, entityId(item, path, context));
                if (std::find(out.begin(), out.end(), id) != out.end())
                    return fail(ErrorCode::InvalidArgument, path + " lists " + id.str() + " twice");
                out.push_back(std::move(id));
            }
            config.entity.*field = std::move(out);
            return ok();
        });
}

/// Any JSON value of `kind` (an object or an array) into a Json field.
Member<HostedEntityConfig> jsonValue(std::string_view name, ConfigValueKind kind,
                                     Json entity::HostedEntitySettings::*field)
{
    return custom<HostedEntityConfig>(
        name, "", kind,
        [kind, field](const Json &value, const std::string &path, Context &,
                      HostedEntityConfig &config) -> Result<void> {
            if (kind == ConfigValueKind::Object && !value.isObject())
                return fail(ErrorCode::InvalidArgument, path + " must be a JSON object");
            if (kind == ConfigValueKind::Array && !value.isArray())
                return fail(ErrorCode::InvalidArgument, path + " must be an array");
            config.entity.*field = value;
            return ok();
        });
}

Result<void> readKeyAlgorithm(const Json &value, const std::string &path, Context &, HostedEntityConfig &config)
{
    OIDFED_TRY(std::string name, nonEmptyString(value, path));
    auto alg = parseJwsAlgorithm(name);
    if (!alg)
        return fail(ErrorCode::InvalidArgument, path + ": unsupported algorithm " + name);
    config.entity.keys.algorithm = *alg;
    return ok();
}

Result<void> readMetadata(const Json &metadata, const std::string &path, Context &, HostedEntityConfig &config)
{
    if (!metadata.isObject())
        return fail(ErrorCode::InvalidArgument, path + " must be a JSON object");
    for (const auto &[type, value] : metadata.asObject())
        if (!value.isObject())
            return fail(ErrorCode::InvalidArgument, path + "." + type + " must be an object");
    if (const Json *federation = metadata.find("federation_entity")) {
        for (std::string_view endpoint :
             {"federation_fetch_endpoint", "federation_list_endpoint", "federation_resolve_endpoint",
              "federation_historical_keys_endpoint", "federation_trust_mark_endpoint",
              "federation_trust_mark_list_endpoint", "federation_trust_mark_status_endpoint",
              "federation_collection_endpoint"})
            if (federation->contains(endpoint))
                return fail(ErrorCode::InvalidArgument, path + ".federation_entity." + std::string(endpoint) +
                                                            " is set by the server from the entity's roles; remove it");
    }
    config.entity.metadata = metadata;
    return ok();
}

Result<void> readTrustMarkEndpoint(const Json &value, const std::string &path, Context &context,
                                   entity::HeldTrustMarkSetting &setting)
{
    OIDFED_TRY(std::string endpoint, nonEmptyString(value, path));
    if (!claims::isEndpointUrl(endpoint, context.ids.allowHttp))
        return fail(ErrorCode::InvalidArgument, path + " must be an absolute https URL without a fragment");
    setting.endpoint = std::move(endpoint);
    return ok();
}

Result<void> readPinnedKeys(const Json &value, const std::string &path, Context &, TrustAnchorSetting &setting)
{
    auto set = JwkSet::fromJson(value);
    if (!set || set->empty())
        return fail(ErrorCode::InvalidArgument, path + ": " + (set ? std::string("no keys") : set.error().message));
    setting.jwks = std::move(set).value();
    return ok();
}

// ---- The tables: one per JSON object of the file ------------------------
//
// A row per member: its JSON name, the field it fills (as the section's
// validate function names it, so that a range refusal names the member),
// and its reader. To add a member: add its field (with default, unit and
// range comment) to the options struct, its range to the validate function,
// one row here, and a line to docs/configuration.md (a test checks that
// every row is documented).

const Table<FetchOptions> &fetchTable()  // "fetch": FetchOptions, validateFetchOptions
{
    static const Table<FetchOptions> table = {
        number("connect_timeout_ms", "connectTimeout", &FetchOptions::connectTimeout),
        number("total_timeout_ms", "totalTimeout", &FetchOptions::totalTimeout),
        number("max_response_bytes", "maxResponseBytes", &FetchOptions::maxResponseBytes),
        number("max_concurrent_transfers", "maxConcurrentTransfers", &FetchOptions::maxConcurrentTransfers),
        number("max_transfers_per_host", "maxTransfersPerHost", &FetchOptions::maxTransfersPerHost),
        number("max_waiting_per_host", "maxWaitingPerHost", &FetchOptions::maxWaitingPerHost),
        flag("allow_loopback", "allowLoopback", &FetchOptions::allowLoopback),
        strings("allowed_networks", "allowedNetworks", "CIDR blocks", &FetchOptions::allowedNetworks),
        filePath("ca_file", "caFile", &FetchOptions::caFile),
        text("user_agent", "userAgent", &FetchOptions::userAgent),
        strings("resolve", "resolve", "HOST:PORT:ADDRESS strings", &FetchOptions::resolve),
    };
    return table;
}

// "resolver_limits": two structs of ServerOptions, validateServerOptions.
const Table<ServerOptions> &resolverLimitsTable()
{
    constexpr auto resolver = &ServerOptions::resolver;
    constexpr auto endpoint = &ServerOptions::resolveEndpoint;
    using R = ResolverOptions;
    using E = ResolveEndpointOptions;
    static const Table<ServerOptions> table = {
        number("max_chain_depth", "resolver.maxChainDepth", resolver, &R::maxChainDepth),
        number("max_authority_hints", "resolver.maxAuthorityHintsPerEntity", resolver, &R::maxAuthorityHintsPerEntity),
        number("max_fetches", "resolver.maxFetchesPerResolution", resolver, &R::maxFetchesPerResolution),
        number("max_candidate_paths", "resolver.maxCandidatePaths", resolver, &R::maxCandidatePaths),
        number("deadline_ms", "resolver.resolveDeadline", resolver, &R::resolveDeadline),
        number("clock_skew_seconds", "resolver.clockSkew", resolver, &R::clockSkew),
        number("max_cache_ttl_seconds", "resolver.maxCacheTtl", resolver, &R::maxCacheTtl),
        number("negative_ttl_seconds", "resolver.negativeTtl", resolver, &R::negativeTtl),
        number("refresh_ahead_seconds", "resolver.refreshAhead", resolver, &R::refreshAhead),
        number("cache_max_entries", "resolver.cacheMaxEntries", resolver, &R::cacheMaxEntries),
        number("statement_cache_max_entries", "resolver.statementCacheMaxEntries", resolver,
               &R::statementCacheMaxEntries),
        flag("on_demand", "resolveEndpoint.onDemand", endpoint, &E::onDemand),
        number("max_concurrent_on_demand", "resolveEndpoint.maxConcurrentOnDemand", endpoint,
               &E::maxConcurrentOnDemand),
        number("max_on_demand_per_client", "resolveEndpoint.maxOnDemandPerClient", endpoint, &E::maxOnDemandPerClient),
        number("on_demand_per_client_rate", "resolveEndpoint.onDemandPerClientRate", endpoint,
               &E::onDemandPerClientRate),
        number("on_demand_per_client_burst", "resolveEndpoint.onDemandPerClientBurst", endpoint,
               &E::onDemandPerClientBurst),
        number("max_tracked_clients", "resolveEndpoint.maxTrackedClients", endpoint, &E::maxTrackedClients),
        number("response_cache_max_entries", "resolveEndpoint.responseCacheMaxEntries", endpoint,
               &E::responseCacheMaxEntries),
        number("response_cache_ttl_seconds", "resolveEndpoint.responseCacheTtl", endpoint, &E::responseCacheTtl),
    };
    return table;
}

// "redis.sentinel": RedisSentinelOptions, checked by validateRedisCacheOptions
// as sentinel.*.
const Table<RedisSentinelOptions> &redisSentinelTable()
{
    using S = RedisSentinelOptions;
    static const Table<S> table = {
        required(strings("addresses", "addresses", "host[:port] strings", &S::addresses)),
        required(text("master_name", "masterName", &S::masterName)),
        text("master_user", "masterUser", &S::masterUser),
        text("master_password", "masterPassword", &S::masterPassword),
        number("db", "db", &S::db),
        text("user", "user", &S::user),
        text("password", "password", &S::password),
    };
    return table;
}

const Table<RedisCacheOptions> &redisTable()  // "redis": RedisCacheOptions, validateRedisCacheOptions
{
    using R = RedisCacheOptions;
    static const Table<R> table = {
        text("url", "url", &R::url),
        section<R>("sentinel", "sentinel", redisSentinelTable(),
                   [](R &redis) -> RedisSentinelOptions & { return redis.sentinel.emplace(); }),
        text("key_prefix", "keyPrefix", &R::keyPrefix),
        number("connect_timeout_ms", "connectTimeout", &R::connectTimeout),
        number("command_timeout_ms", "commandTimeout", &R::commandTimeout),
        number("pool_size", "poolSize", &R::poolSize),
        number("breaker_slow_threshold_ms", "breakerSlowThreshold", &R::breakerSlowThreshold),
        number("breaker_slow_commands", "breakerSlowCommands", &R::breakerSlowCommands),
    };
    return table;
}

/// "redis" names Redis one way: a url, or the Sentinels that know the master.
Member<ServerConfig> redisSection()
{
    Member<ServerConfig> member = section<ServerConfig>(
        "redis", "redis", redisTable(),
        [](ServerConfig &config) -> RedisCacheOptions & { return config.options.redis.emplace(); });
    member.read = [read = member.read](const Json &value, const std::string &path, Context &context,
                                       ServerConfig &config) -> Result<void> {
        OIDFED_TRY_VOID(read(value, path, context, config));  // the members' own refusals first
        const bool url = value.find("url") != nullptr;
        const bool sentinel = value.find("sentinel") != nullptr;
        if (url == sentinel)
            return fail(Error(ErrorCode::InvalidArgument,
                              path + (url ? ": give url or sentinel, not both" : ": url or sentinel is required"))
                            .withClaim(path + ".url"));
        return ok();
    };
    return member;
}

Result<void> readLogFormat(const Json &value, const std::string &path, Context &, LogOptions &log)
{
    OIDFED_TRY(std::string name, nonEmptyString(value, path));
    auto format = parseLogFormat(name);
    if (!format)
        return fail(ErrorCode::InvalidArgument, path + ": must be \"text\" or \"json\"");
    log.format = *format;
    return ok();
}

// "log": LogOptions (the format is the only member; nothing to range-check).
const Table<LogOptions> &logTable()
{
    static const Table<LogOptions> table = {
        custom<LogOptions>("format", "format", ConfigValueKind::String, readLogFormat),
    };
    return table;
}

// "typ_values": {trust mark type: [typ, ...]}; the values are checked by
// validateResolverOptions.
Result<void> readTypValues(const Json &value, const std::string &path, Context &,
                           TrustMarkVerificationOptions &options)
{
    if (!value.isObject())
        return fail(Error(ErrorCode::InvalidArgument, path + " must be a JSON object of trust mark type -> typ array")
                        .withClaim(path));
    for (const auto &[type, values] : value.asObject()) {
        if (!values.isArray())
            return fail(Error(ErrorCode::InvalidArgument, path + "." + type + ": must be an array of typ strings")
                            .withClaim(path + "." + type));
        std::vector<std::string> &list = options.typValues[type];
        for (const Json &typ : values.asArray()) {
            if (!typ.isString())
                return fail(Error(ErrorCode::InvalidArgument, path + "." + type + ": must be an array of typ strings")
                                .withClaim(path + "." + type));
            list.push_back(typ.asString());
        }
    }
    return ok();
}

// "trust_mark_verification": TrustMarkVerificationOptions, checked by
// validateResolverOptions as resolver.trustMarks.
const Table<TrustMarkVerificationOptions> &trustMarkVerificationTable()
{
    using T = TrustMarkVerificationOptions;
    static const Table<T> table = {
        strings("status_types", "statusCheckedTypes", "trust mark types", &T::statusCheckedTypes),
        number("status_cache_ttl_seconds", "statusCacheTtl", &T::statusCacheTtl),
        number("status_cache_max_entries", "statusCacheMaxEntries", &T::statusCacheMaxEntries),
        custom<T>("typ_values", "typValues", ConfigValueKind::Object, readTypValues),
    };
    return table;
}

// entities[].trust_mark_issuer: TrustMarkIssuerSettings, checked by
// validateHostedEntitySettings as trustMarkIssuer.
const Table<entity::TrustMarkIssuerSettings> &trustMarkIssuerTable()
{
    using T = entity::TrustMarkIssuerSettings;
    static const Table<T> table = {
        required(filePath("directory", "", &T::directory)),
        number("mark_lifetime_seconds", "markLifetime", &T::markLifetime),
        number("delegation_lifetime_seconds", "delegationLifetime", &T::delegationLifetime),
    };
    return table;
}

// entities[].trust_mark_sources[]: HeldTrustMarkSetting (no ranges).
const Table<entity::HeldTrustMarkSetting> &trustMarkSourceTable()
{
    using T = entity::HeldTrustMarkSetting;
    static const Table<T> table = {
        required(text("trust_mark_type", "", &T::trustMarkType)),
        readByMake<T>("issuer"),
        custom<T>("endpoint", "", ConfigValueKind::String, readTrustMarkEndpoint),
    };
    return table;
}

Result<entity::HeldTrustMarkSetting> makeTrustMarkSource(const Json &object, const std::string &where,
                                                         Context &context)
{
    OIDFED_TRY(EntityId issuer, requiredEntityId(object, "issuer", where, context));
    return entity::HeldTrustMarkSetting{.issuer = std::move(issuer)};
}

Result<void> addTrustMarkSource(HostedEntityConfig &config, entity::HeldTrustMarkSetting &&source,
                                const std::string &where, Context &)
{
    for (const entity::HeldTrustMarkSetting &seen : config.entity.trustMarkSources)
        if (seen.trustMarkType == source.trustMarkType && seen.issuer == source.issuer)
            return fail(ErrorCode::InvalidArgument, where + " lists " + source.trustMarkType + " from " +
                                                        source.issuer.str() + " twice");
    config.entity.trustMarkSources.push_back(std::move(source));
    return ok();
}

// entities[].resolver.trust_anchors[]: TrustAnchorSetting (no ranges).
const Table<TrustAnchorSetting> &trustAnchorTable()
{
    static const Table<TrustAnchorSetting> table = {
        readByMake<TrustAnchorSetting>("entity_id"),
        custom<TrustAnchorSetting>("jwks", "", ConfigValueKind::Object, readPinnedKeys),
    };
    return table;
}

/// An array of trust anchors ({entity_id, jwks?}, each listed once) into a
/// vector of TrustAnchorSetting.
template <typename Root>
Member<Root> trustAnchors(std::string_view name, std::vector<TrustAnchorSetting> Root::*field)
{
    return objectArray<Root, TrustAnchorSetting>(
        name, trustAnchorTable(), true,
        [](const Json &object, const std::string &where, Context &context) -> Result<TrustAnchorSetting> {
            OIDFED_TRY(EntityId id, requiredEntityId(object, "entity_id", where, context));
            return TrustAnchorSetting{.entityId = std::move(id)};
        },
        [field](Root &root, TrustAnchorSetting &&anchor, const std::string &where, Context &) -> Result<void> {
            std::vector<TrustAnchorSetting> &anchors = root.*field;
            for (const TrustAnchorSetting &seen : anchors)
                if (seen.entityId == anchor.entityId)
                    return fail(ErrorCode::InvalidArgument,
                                where + ": the trust anchor " + anchor.entityId.str() + " is listed twice");
            anchors.push_back(std::move(anchor));
            return ok();
        });
}

// entities[].resolver.crawl: CrawlSettings, checked by validateCrawlSettings
// as crawl.
const Table<CrawlSettings> &crawlTable()
{
    using C = CrawlSettings;
    static const Table<C> table = {
        number("interval_seconds", "interval", &C::interval),
        number("max_entities", "maxEntities", &C::maxEntities),
        number("max_depth", "maxDepth", &C::maxDepth),
        number("max_list_size", "maxListSize", &C::maxListSize),
        number("concurrency", "concurrency", &C::concurrency),
        number("expiry_warning_seconds", "expiryWarning", &C::expiryWarning),
        number("collection_page_limit", "collectionPageLimit", &C::collectionPageLimit),
        flag("anonymous_on_demand", "", &C::anonymousOnDemand),
        number("leader_lease_seconds", "leaderLease", &C::leaderLease),
    };
    return table;
}

// entities[].resolver: makes the entity a resolver.
const Table<HostedEntityConfig> &resolverTable()
{
    static const Table<HostedEntityConfig> table = {
        required(trustAnchors("trust_anchors", &HostedEntityConfig::resolverTrustAnchors)),
        section<HostedEntityConfig>("crawl", "crawl", crawlTable(), [](HostedEntityConfig &config) -> CrawlSettings & {
            config.entity.collection = true;
            return config.crawl.emplace();
        }),
    };
    return table;
}

Result<void> readStoreType(const Json &value, const std::string &path, Context &, ClientStoreSettings &store)
{
    OIDFED_TRY(std::string type, nonEmptyString(value, path));
    if (type == "directory")
        store.type = ClientStoreSettings::Type::Directory;
    else if (type == "rfc7591")
        store.type = ClientStoreSettings::Type::Rfc7591;
    else
        return fail(ErrorCode::InvalidArgument, path + ": must be \"directory\" or \"rfc7591\"");
    return ok();
}

Result<void> readRegistrationEndpoint(const Json &value, const std::string &path, Context &,
                                      ClientStoreSettings &store)
{
    OIDFED_TRY(std::string endpoint, nonEmptyString(value, path));
    // allow_http is read before this member (table order).
    if (!claims::isEndpointUrl(endpoint, store.allowHttp))
        return fail(ErrorCode::InvalidArgument, path + " must be an absolute https URL without a fragment (http "
                                                       "with \"allow_http\": true in the client store)");
    store.registrationEndpoint = std::move(endpoint);
    return ok();
}

// entities[].explicit_registration.client_store: ClientStoreSettings (no
// ranges; which members a type needs is checked by checkRegistration).
const Table<ClientStoreSettings> &clientStoreTable()
{
    using C = ClientStoreSettings;
    static const Table<C> table = {
        required(custom<C>("type", "", ConfigValueKind::String, readStoreType)),
        required(filePath("directory", "", &C::directory)),
        flag("allow_http", "", &C::allowHttp),
        flag("allow_loopback", "", &C::allowLoopback),
        strings("allowed_networks", "", "CIDR blocks", &C::allowedNetworks),
        custom<C>("registration_endpoint", "", ConfigValueKind::String, readRegistrationEndpoint),
        filePath("initial_access_token_file", "", &C::initialAccessTokenFile),
        text("initial_access_token_env", "", &C::initialAccessTokenEnv),
    };
    return table;
}

Result<void> readRegistrationEntityType(const Json &value, const std::string &path, Context &,
                                        RegistrationSettings &settings)
{
    OIDFED_TRY(std::string type, nonEmptyString(value, path));
    if (type != "openid_provider" && type != "oauth_authorization_server")
        return fail(ErrorCode::InvalidArgument, path + ": must be \"openid_provider\" or \"oauth_authorization_server\"");
    settings.entityType = std::move(type);
    return ok();
}

Result<void> readClientDefaults(const Json &value, const std::string &path, Context &, RegistrationSettings &settings)
{
    if (!value.isObject())
        return fail(ErrorCode::InvalidArgument, path + " must be a JSON object of client metadata");
    settings.clientDefaults = value;
    return ok();
}

// entities[].explicit_registration: RegistrationSettings, checked by
// validateRegistrationSettings as registration.
const Table<RegistrationSettings> &registrationTable()
{
    using R = RegistrationSettings;
    static const Table<R> table = {
        custom<R>("entity_type", "", ConfigValueKind::String, readRegistrationEntityType),
        trustAnchors("trust_anchors", &R::trustAnchors),
        custom<R>("client_defaults", "", ConfigValueKind::Object, readClientDefaults),
        number("max_lifetime_seconds", "maxLifetime", &R::maxLifetime),
        flag("require_trust_chain", "", &R::requireTrustChain),
        number("max_body_bytes", "maxBodyBytes", &R::maxBodyBytes),
        required(section<R>("client_store", "store", clientStoreTable(),
                            [](R &settings) -> ClientStoreSettings & { return settings.store; })),
    };
    return table;
}

Result<void> readTokenSha256(const Json &value, const std::string &path, Context &, TrustApiCaller &caller)
{
    OIDFED_TRY(caller.tokenSha256, parseTokenSha256(value, path));
    return ok();
}

Result<void> readCallerEntityId(const Json &value, const std::string &path, Context &context, TrustApiCaller &caller)
{
    OIDFED_TRY(caller.entityId, entityId(value, path, context));
    return ok();
}

// entities[].trust_api.callers[]: TrustApiCaller (no ranges).
const Table<TrustApiCaller> &trustApiCallerTable()
{
    using T = TrustApiCaller;
    static const Table<T> table = {
        readByMake<T>("name"),
        custom<T>("token_sha256", "", ConfigValueKind::String, readTokenSha256),
        custom<T>("entity_id", "", ConfigValueKind::String, readCallerEntityId),
    };
    return table;
}

Result<void> readClientEntityType(const Json &value, const std::string &path, Context &, TrustApiSettings &settings)
{
    OIDFED_TRY(settings.clientEntityType, nonEmptyString(value, path));
    if (settings.clientEntityType == "federation_entity")
        return fail(ErrorCode::InvalidArgument, path + ": must be a client entity type, not federation_entity");
    return ok();
}

// entities[].trust_api: TrustApiSettings, checked by validateTrustApiSettings
// as trustApi.
const Table<TrustApiSettings> &trustApiTable()
{
    using T = TrustApiSettings;
    static const Table<T> table = {
        custom<T>("client_entity_type", "", ConfigValueKind::String, readClientEntityType),
        trustAnchors("trust_anchors", &T::trustAnchors),
        required(objectArray<T, TrustApiCaller>(
            "callers", trustApiCallerTable(), true,
            [](const Json &object, const std::string &where, Context &) -> Result<TrustApiCaller> {
                const std::string path = config::memberPath(where, "name");
                const Json *name = object.find("name");
                if (!name)
                    return fail(Error(ErrorCode::InvalidArgument, path + " is required").withClaim(path));
                OIDFED_TRY(std::string text, nonEmptyString(*name, path));
                return TrustApiCaller{.name = std::move(text)};
            },
            [](T &settings, TrustApiCaller &&caller, const std::string &where, Context &) -> Result<void> {
                if (caller.tokenSha256.has_value() == caller.entityId.has_value())
                    return fail(ErrorCode::InvalidArgument,
                                where + ": needs exactly one of token_sha256 (a bearer token) and entity_id (spec 8.8 "
                                        "private_key_jwt)");
                for (const TrustApiCaller &seen : settings.callers)
                    if (seen.name == caller.name)
                        return fail(Error(ErrorCode::InvalidArgument,
                                          where + ".name: the caller " + caller.name + " is listed twice")
                                        .withClaim(where + ".name"));
                settings.callers.push_back(std::move(caller));
                return ok();
            })),
        number("max_concurrent_per_caller", "maxConcurrentPerCaller", &T::maxConcurrentPerCaller),
        number("per_caller_rate", "perCallerRate", &T::perCallerRate),
        number("per_caller_burst", "perCallerBurst", &T::perCallerBurst),
        flag("require_trust_chain", "", &T::requireTrustChain),
        number("max_jwt_lifetime_seconds", "maxJwtLifetime", &T::maxJwtLifetime),
        strings("assertion_audiences", "", "endpoint URLs", &T::assertionAudiences),
        number("max_body_bytes", "maxBodyBytes", &T::maxBodyBytes),
    };
    return table;
}

// entities[]: HostedEntitySettings (and the resolver's anchors),
// validateHostedEntitySettings.
const Table<HostedEntityConfig> &entityTable()
{
    using S = entity::HostedEntitySettings;
    constexpr auto settings = &HostedEntityConfig::entity;
    static const Table<HostedEntityConfig> table = {
        readByMake<HostedEntityConfig>("entity_id"),
        required(filePath("keys_dir", "", settings, &S::keysDir)),
        custom<HostedEntityConfig>("key_algorithm", "keys.algorithm", ConfigValueKind::String, readKeyAlgorithm),
        number("retired_key_lifetime_seconds", "keys.retiredKeyLifetime", settings, &S::keys,
               &entity::KeyStoreOptions::retiredKeyLifetime),
        number("configuration_lifetime_seconds", "configurationLifetime", settings, &S::configurationLifetime),
        number("subordinate_lifetime_seconds", "subordinateLifetime", settings, &S::subordinateLifetime),
        custom<HostedEntityConfig>("metadata", "metadata", ConfigValueKind::Object, readMetadata),
        entityIds("authority_hints", &S::authorityHints),
        entityIds("trust_anchor_hints", &S::trustAnchorHints),
        filePath("subordinates_dir", "subordinatesDir", settings, &S::subordinatesDir),
        jsonValue("trust_mark_issuers", ConfigValueKind::Object, &S::trustMarkIssuers),
        jsonValue("trust_mark_owners", ConfigValueKind::Object, &S::trustMarkOwners),
        jsonValue("trust_marks", ConfigValueKind::Array, &S::trustMarks),
        section<HostedEntityConfig>("trust_mark_issuer", "trustMarkIssuer", trustMarkIssuerTable(),
                                    [](HostedEntityConfig &config) -> entity::TrustMarkIssuerSettings & {
                                        return config.entity.trustMarkIssuer.emplace();
                                    }),
        objectArray<HostedEntityConfig, entity::HeldTrustMarkSetting>(
            "trust_mark_sources", trustMarkSourceTable(), false, makeTrustMarkSource, addTrustMarkSource),
        section<HostedEntityConfig>("resolver", "", resolverTable(),
                                    [](HostedEntityConfig &config) -> HostedEntityConfig & {
                                        config.entity.resolver = true;
                                        return config;
                                    }),
        section<HostedEntityConfig>("explicit_registration", "registration", registrationTable(),
                                    [](HostedEntityConfig &config) -> RegistrationSettings & {
                                        return config.registration.emplace();
                                    }),
        section<HostedEntityConfig>("trust_api", "trustApi", trustApiTable(),
                                    [](HostedEntityConfig &config) -> TrustApiSettings & {
                                        return config.trustApi.emplace();
                                    }),
    };
    return table;
}

Result<HostedEntityConfig> makeEntity(const Json &object, const std::string &where, Context &context)
{
    OIDFED_TRY(EntityId id, requiredEntityId(object, "entity_id", where, context));
    return HostedEntityConfig{.entity = entity::HostedEntitySettings{.entityId = std::move(id)}};
}

const std::vector<ConfigMember> &describedMembers()
{
    static const std::vector<ConfigMember> members = describeServerConfig();
    return members;
}

// What explicit_registration needs besides its members: an entity type the
// metadata has (the one it has, when not named), anchors (its own, or the
// resolver's), a body cap within max_request_bytes, and the members of its
// client store's type. Refusals name explicit_registration's member.
Result<void> checkRegistration(HostedEntityConfig &entity, const ServerOptions &options, const std::string &where)
{
    RegistrationSettings &registration = *entity.registration;
    const std::string path = where + ".explicit_registration";
    auto refuse = [&](const std::string &member, const std::string &why) {
        const std::string named = member.empty() ? path : path + "." + member;
        return fail(Error(ErrorCode::InvalidArgument, named + ": " + why).withClaim(named));
    };
    const Json &metadata = entity.entity.metadata;
    const bool typeNamed = !registration.entityType.empty();
    if (!typeNamed)
        registration.entityType = metadata.isObject() && metadata.contains("openid_provider")
                                      ? "openid_provider"
                                      : "oauth_authorization_server";
    if (!metadata.isObject() || !metadata.contains(registration.entityType))
        return refuse(typeNamed ? "entity_type" : std::string(),
                      "the entity's metadata has no " + registration.entityType +
                          " (explicit registration is for an OpenID Provider or OAuth authorization server)");
    if (registration.trustAnchors.empty() && entity.resolverTrustAnchors.empty())
        return refuse("trust_anchors", "required when the entity has no resolver (whose anchors it would use)");
    if (registration.maxBodyBytes > options.maxRequestBytes)
        return refuse("max_body_bytes", "must be at most max_request_bytes (" +
                                            std::to_string(options.maxRequestBytes) +
                                            "), which bounds the whole request");
    const ClientStoreSettings &store = registration.store;
    const bool bridge = store.type == ClientStoreSettings::Type::Rfc7591;
    const bool tokenFile = !store.initialAccessTokenFile.empty();
    const bool tokenEnv = !store.initialAccessTokenEnv.empty();
    if (bridge && store.registrationEndpoint.empty())
        return refuse("client_store.registration_endpoint", "required by an rfc7591 client store");
    if (bridge && tokenFile == tokenEnv)
        return refuse("client_store", "an rfc7591 client store needs exactly one of initial_access_token_file "
                                      "and initial_access_token_env");
    if (!bridge && (!store.registrationEndpoint.empty() || tokenFile || tokenEnv || store.allowHttp ||
                    store.allowLoopback || !store.allowedNetworks.empty()))
        return refuse("client_store", "registration_endpoint, the initial access token and the network "
                                      "allowances belong to an rfc7591 client store, not a directory");
    return ok();
}

// What trust_api needs besides its members: metadata of a role whose
// clients it verifies, a client entity type (the default follows the
// metadata), anchors (its own, or the resolver's), a body cap within
// max_request_bytes, assertion audiences that are URLs.
Result<void> checkTrustApi(HostedEntityConfig &entity, const ServerOptions &options, const std::string &where)
{
    TrustApiSettings &api = *entity.trustApi;
    const std::string path = where + ".trust_api";
    auto refuse = [&](const std::string &member, const std::string &why) {
        const std::string named = member.empty() ? path : path + "." + member;
        return fail(Error(ErrorCode::InvalidArgument, named + ": " + why).withClaim(named));
    };
    const Json &metadata = entity.entity.metadata;
    auto has = [&](const char *type) { return metadata.isObject() && metadata.contains(type); };
    if (!has("openid_provider") && !has("oauth_authorization_server") && !has("openid_credential_issuer"))
        return refuse("", "the entity's metadata has none of openid_provider, oauth_authorization_server and "
                          "openid_credential_issuer (the trust API is for their modules)");
    if (api.clientEntityType.empty())
        api.clientEntityType = has("openid_provider") ? "openid_relying_party" : "oauth_client";
    if (api.trustAnchors.empty() && entity.resolverTrustAnchors.empty())
        return refuse("trust_anchors", "required when the entity has no resolver (whose anchors it would use)");
    if (api.maxBodyBytes > options.maxRequestBytes)
        return refuse("max_body_bytes", "must be at most max_request_bytes (" +
                                            std::to_string(options.maxRequestBytes) +
                                            "), which bounds the whole request");
    for (const std::string &audience : api.assertionAudiences)
        if (!claims::isEndpointUrl(audience, options.allowHttp))
            return refuse("assertion_audiences", "each must be an absolute https URL without a fragment");
    return ok();
}

// What no single member says: the ranges, and a trust mark the entity would
// hold from itself without being an issuer.
Result<void> addEntity(ServerConfig &config, HostedEntityConfig &&entity, const std::string &where, Context &)
{
    const entity::HostedEntitySettings &settings = entity.entity;
    OIDFED_TRY_VOID(config::namedByMember(entity::validateHostedEntitySettings(settings), describedMembers(),
                                          "entities[]", where));
    if (entity.registration) {
        OIDFED_TRY_VOID(config::namedByMember(
            detail::nestedIn("registration", validateRegistrationSettings(*entity.registration)), describedMembers(),
            "entities[]", where));
        OIDFED_TRY_VOID(checkRegistration(entity, config.options, where));
    }
    if (entity.crawl) {
        OIDFED_TRY_VOID(config::namedByMember(detail::nestedIn("crawl", validateCrawlSettings(*entity.crawl)),
                                              describedMembers(), "entities[]", where));
    }
    if (entity.trustApi) {
        OIDFED_TRY_VOID(config::namedByMember(detail::nestedIn("trustApi", validateTrustApiSettings(*entity.trustApi)),
                                              describedMembers(), "entities[]", where));
        OIDFED_TRY_VOID(checkTrustApi(entity, config.options, where));
    }
    for (const entity::HeldTrustMarkSetting &source : settings.trustMarkSources)
        if (source.issuer == settings.entityId && !settings.trustMarkIssuer)
            return fail(Error(ErrorCode::InvalidArgument, where + ".trust_mark_sources: " + source.issuer.str() +
                                                              " is the entity itself, which has no trust_mark_issuer")
                            .withClaim(where + ".trust_mark_sources"));
    config.entities.push_back(std::move(entity));
    return ok();
}

// The top level: ServerOptions (validateServerOptions) and the entities.
const Table<ServerConfig> &serverTable()
{
    constexpr auto options = &ServerConfig::options;
    using O = ServerOptions;
    static const Table<ServerConfig> table = {
        required(custom<ServerConfig>("listen", "", ConfigValueKind::String,
                                      [](const Json &value, const std::string &path, Context &, ServerConfig &config) {
                                          return parseListen(value, path, config.options);
                                      })),
        number("threads", "threads", options, &O::threads),
        number("max_request_bytes", "maxRequestBytes", options, &O::maxRequestBytes),
        number("header_timeout_ms", "headerTimeout", options, &O::headerTimeout),
        number("max_connections", "maxConnections", options, &O::maxConnections),
        number("refresh_interval_seconds", "refreshInterval", options, &O::refreshInterval),
        number("expiry_warning_seconds", "expiryWarning", options, &O::expiryWarning),
        custom<ServerConfig>("allow_http", "allowHttp", ConfigValueKind::Boolean, readAllowHttp),
        section<ServerConfig>("fetch", "fetch", fetchTable(),
                              [](ServerConfig &config) -> FetchOptions & { return config.options.fetch; }),
        section<ServerConfig>("resolver_limits", "", resolverLimitsTable(),
                              [](ServerConfig &config) -> ServerOptions & { return config.options; }),
        redisSection(),
        config::adminSection(),
        config::consoleSection(),
        section<ServerConfig>("log", "log", logTable(),
                              [](ServerConfig &config) -> LogOptions & { return config.options.log; }),
        section<ServerConfig>("trust_mark_verification", "resolver.trustMarks", trustMarkVerificationTable(),
                              [](ServerConfig &config) -> TrustMarkVerificationOptions & {
                                  return config.options.resolver.trustMarks;
                              }),
        ignored<ServerConfig>("comment"),
        // After allow_http, which says how entity identifiers are read.
        required(objectArray<ServerConfig, HostedEntityConfig>("entities", entityTable(), true, makeEntity, addEntity)),
    };
    return table;
}

} // namespace

namespace config {

Result<ListenAddress> parseListenAddress(const Json &value, const std::string &path)
{
    OIDFED_TRY(std::string listen, nonEmptyString(value, path));
    std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        return fail(ErrorCode::InvalidArgument, path + " must be HOST:PORT, e.g. 127.0.0.1:8080");
    std::string port = listen.substr(colon + 1);
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5 ||
        std::stoi(port) < 1 || std::stoi(port) > 65535)
        return fail(ErrorCode::InvalidArgument, path + ": the port must be 1..65535");
    return ListenAddress{.host = listen.substr(0, colon), .port = static_cast<std::uint16_t>(std::stoi(port))};
}

} // namespace config

std::vector<ConfigMember> describeServerConfig()
{
    std::vector<ConfigMember> out;
    config::describeTable(serverTable(), "", "", "", out);
    return out;
}

Result<ServerConfig> parseServerConfig(const Json &json, const fs::path &baseDir)
{
    ServerConfig config;
    Context context{.baseDir = baseDir};
    OIDFED_TRY_VOID(config::readObject(json, "", serverTable(), context, config));
    OIDFED_TRY_VOID(config::namedByMember(validateServerOptions(config.options), describedMembers(), "", ""));
    OIDFED_TRY_VOID(validateConsoleAgainst(config));
    for (const auto &[name, value] : json.asObject())
        if (name != "entities" && name != "comment")
            config.restartMembers.set(name, value);

    std::set<std::string> ids;
    std::map<std::string, std::string> keysDirs;  // canonical keys_dir -> entity id
    for (std::size_t i = 0; i < config.entities.size(); ++i) {
        const HostedEntityConfig &entity = config.entities[i];
        const std::string where = "entities[" + std::to_string(i) + "].";
        const std::string &id = entity.entity.entityId.str();
        if (!ids.insert(id).second)
            return fail(Error(ErrorCode::InvalidArgument, "entities: " + id + " is hosted twice")
                            .withClaim(where + "entity_id"));
        auto [at, added] = keysDirs.emplace(fs::weakly_canonical(entity.entity.keysDir).string(), id);
        if (!added)
            return fail(Error(ErrorCode::InvalidArgument, "entities: " + id + " shares its keys_dir with " + at->second)
                            .withClaim(where + "keys_dir"));
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
    if (!config) {
        Error error = std::move(config).error();  // the member's path stays in claim
        error.message = file.string() + ": " + error.message;
        return fail(std::move(error));
    }
    return config;
}

} // namespace oidfed::server
