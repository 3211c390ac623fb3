// ProtocolKeyStore: an entity's protocol keys from its resolved metadata
// (5.2.1). The only I/O is the Fetcher's GET of a signed_jwks_uri or
// jwks_uri; the cache is in process (a set read back from a store other
// replicas write would need verifying again, and a jwks_uri set cannot be).

#include <oidfed/protocol_keys.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include <oidfed/cache_key.h>

#include "core/lru_map.h"
#include "core/range_check.h"
#include "fetch/media_type.h"

namespace oidfed {

std::string_view protocolKeySourceName(ProtocolKeySource source) noexcept
{
    switch (source) {
    case ProtocolKeySource::Jwks: return "jwks";
    case ProtocolKeySource::SignedJwksUri: return "signed_jwks_uri";
    case ProtocolKeySource::JwksUri: return "jwks_uri";
    }
    return "jwks";
}

Result<void> validateProtocolKeyOptions(const ProtocolKeyOptions &o)
{
    using namespace std::chrono;
    using detail::checkRange;
    OIDFED_TRY_VOID(checkRange<seconds>("clockSkew", o.clockSkew, seconds(0), minutes(10)));
    OIDFED_TRY_VOID(checkRange<seconds>("maxCacheTtl", o.maxCacheTtl, seconds(1), hours(24)));
    OIDFED_TRY_VOID(checkRange<seconds>("minRefetchInterval", o.minRefetchInterval, seconds(0), hours(1)));
    OIDFED_TRY_VOID(checkRange<std::size_t>("cacheMaxEntries", o.cacheMaxEntries, 1, 10000000));
    return ok();
}

namespace {

using KeysPtr = std::shared_ptr<const ProtocolKeys>;

Unexpected refuse(ErrorCode code, std::string message, std::string rule, std::string_view claim,
                  const EntityId &entity)
{
    return fail(Error(code, std::move(message)).withRule(rule).withClaim(claim).withEntity(entity.str()));
}

// A Fetcher error about a key URI, as the verifier's caller must answer it:
// transient failures stay temporarily_unavailable; everything the entity's
// own publication decides (a URI that may not be fetched, a body too big,
// another media type or status) is invalid_metadata.
Error fetchError(Error error, std::string_view parameter, const std::string &uri, const EntityId &entity)
{
    std::string rule = "5.2.1 " + std::string(parameter);
    switch (error.code) {
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
        rule += " fetch";
        break;
    case ErrorCode::InvalidArgument:
        error.code = ErrorCode::InvalidMetadata;
        rule += " destination";
        break;
    case ErrorCode::LimitExceeded:
        error.code = ErrorCode::InvalidMetadata;
        rule += " size";
        break;
    default:
        error.code = ErrorCode::InvalidMetadata;
        rule += " response";
        break;
    }
    error.message = std::string(parameter) + " " + uri + ": " + error.message;
    return std::move(error).withRule(rule).withClaim(parameter).withEntity(entity.str());
}

struct Source {
    ProtocolKeySource kind;
    const Json *value;
};

// A key set as read, before it is dated and named.
struct ReadKeys {
    JwkSet keys;
    UnixTime expiresAt = 0;  // the signed set's exp; 0: none of its own
};

// 5.2.1.1: the first present of jwks, signed_jwks_uri, jwks_uri.
std::optional<Source> pickSource(const Json &metadata)
{
    for (ProtocolKeySource kind : {ProtocolKeySource::Jwks, ProtocolKeySource::SignedJwksUri,
                                   ProtocolKeySource::JwksUri})
        if (const Json *value = metadata.find(protocolKeySourceName(kind)))
            return Source{kind, value};
    return std::nullopt;
}

} // namespace

struct ProtocolKeyStore::Impl {
    ProtocolKeyOptions options;
    Fetcher &fetcher;
    const Clock &clock;
    mutable std::mutex mutex;
    detail::LruMap<std::string, KeysPtr> cache;  // guarded by mutex
    std::size_t fetches = 0;                     // guarded by mutex

    Impl(const ProtocolKeyOptions &o, Dependencies d)
        : options(o), fetcher(d.fetcher), clock(d.clock), cache(o.cacheMaxEntries)
    {
    }

    KeysPtr cached(const std::string &key, UnixTime now)
    {
        std::lock_guard lock(mutex);
        KeysPtr *found = cache.find(key);
        if (!found)
            return nullptr;
        if ((*found)->expiresAt <= now) {
            cache.erase(key);
            return nullptr;
        }
        return *found;
    }

    void store(const std::string &key, const KeysPtr &keys)
    {
        std::lock_guard lock(mutex);
        cache.put(key, keys);
    }

    Result<FetchResponse> get(const std::string &uri, std::string_view mediaType)
    {
        {
            std::lock_guard lock(mutex);
            ++fetches;
        }
        return fetcher.fetch(FetchRequest{.url = uri, .expectedMediaType = std::string(mediaType)});
    }

    Result<ReadKeys> readInline(const TrustChain &chain, const Json &jwks)
    {
        auto keys = protocolKeySet(jwks, options.limits.keys);
        if (!keys)
            return refuse(ErrorCode::InvalidMetadata,
                          "the resolved jwks is not a usable JWK Set: " + keys.error().message, "5.2.1 jwks", "jwks",
                          chain.subject());
        return ReadKeys{std::move(keys).value()};
    }

    Result<ReadKeys> readSigned(const TrustChain &chain, const std::string &uri, UnixTime now)
    {
        auto response = get(uri, kJwkSetJwtMediaType);
        if (!response)
            return fail(fetchError(std::move(response).error(), "signed_jwks_uri", uri, chain.subject()));
        OIDFED_TRY(SignedJwks set, verifySignedJwks(response->body, chain.subject(), chain.subjectKeys(), now,
                                                    options.clockSkew, options.limits));
        return ReadKeys{std::move(set.keys), set.expiresAt};
    }

    Result<ReadKeys> readUri(const TrustChain &chain, const std::string &uri)
    {
        auto response = get(uri, "");
        if (!response)
            return fail(fetchError(std::move(response).error(), "jwks_uri", uri, chain.subject()));
        if (!fetch::mediaTypeMatches(response->contentType, "application/json") &&
            !fetch::mediaTypeMatches(response->contentType, "application/jwk-set+json"))
            return refuse(ErrorCode::InvalidMetadata,
                          "jwks_uri " + uri + " answered with Content-Type '" + response->contentType +
                              "', not application/json or application/jwk-set+json",
                          "5.2.1 jwks_uri response", "jwks_uri", chain.subject());
        auto document = parseJson(response->body, options.limits.jws.json);
        if (!document)
            return refuse(ErrorCode::InvalidMetadata, "jwks_uri " + uri + " is not JSON: " + document.error().message,
                          "5.2.1 jwks_uri", "jwks_uri", chain.subject());
        auto keys = protocolKeySet(*document, options.limits.keys);
        if (!keys)
            return refuse(ErrorCode::InvalidMetadata,
                          "jwks_uri " + uri + " is not a usable JWK Set: " + keys.error().message, "5.2.1 jwks_uri",
                          "jwks_uri", chain.subject());
        return ReadKeys{std::move(keys).value()};
    }
};

ProtocolKeyStore::ProtocolKeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProtocolKeyStore::~ProtocolKeyStore() = default;

Result<std::unique_ptr<ProtocolKeyStore>> ProtocolKeyStore::create(const ProtocolKeyOptions &options,
                                                                   Dependencies dependencies)
{
    OIDFED_TRY_VOID(validateProtocolKeyOptions(options));
    return std::unique_ptr<ProtocolKeyStore>(new ProtocolKeyStore(std::make_unique<Impl>(options, dependencies)));
}

std::size_t ProtocolKeyStore::fetches() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->fetches;
}

Result<std::shared_ptr<const ProtocolKeys>> ProtocolKeyStore::keysFor(const TrustChain &chain,
                                                                       std::string_view entityType,
                                                                       KeyFreshness freshness)
{
    const EntityId &subject = chain.subject();
    if (entityType.empty() || entityType == "federation_entity")
        return refuse(ErrorCode::InvalidArgument,
                      "protocol keys belong to an entity type other than federation_entity, which carries none",
                      "5.2.1 entity type", "entity_type", subject);
    const Json *metadata = chain.metadata().find(entityType);
    if (!metadata || !metadata->isObject())
        return refuse(ErrorCode::InvalidMetadata,
                      "the resolved metadata of " + subject.str() + " has no " + std::string(entityType),
                      "5.2.1 entity type", "metadata", subject);
    std::optional<Source> source = pickSource(*metadata);
    if (!source)
        return refuse(ErrorCode::InvalidMetadata,
                      "the resolved " + std::string(entityType) +
                          " metadata has none of jwks, signed_jwks_uri, jwks_uri: no protocol keys",
                      "5.2.1 no keys", "jwks", subject);
    const std::string_view parameter = protocolKeySourceName(source->kind);
    std::string uri;
    if (source->kind != ProtocolKeySource::Jwks) {
        if (!source->value->isString() || source->value->asString().empty())
            return refuse(ErrorCode::InvalidMetadata, std::string(parameter) + " must be a URL string",
                          "5.2.1 " + std::string(parameter), parameter, subject);
        uri = source->value->asString();
    }

    // What the set depends on: the entity, the type, where it is read from,
    // and the keys that vouch for it (the inline set itself; the Federation
    // Entity Keys that sign a signed set).
    std::string basis = source->kind == ProtocolKeySource::Jwks ? cacheKeyDigest(source->value->dump())
                                                                  : uri;
    if (source->kind == ProtocolKeySource::SignedJwksUri)
        basis += "|" + cacheKeyDigest(chain.subjectKeys().toJson().dump());
    const std::string key = cacheKey(CacheNamespace::Verification,
                                     {"protocol-keys", subject.str(), entityType, parameter, basis});
    const UnixTime now = impl_->clock.now();
    if (KeysPtr hit = impl_->cached(key, now)) {
        const bool mayRefetch = source->kind != ProtocolKeySource::Jwks && freshness == KeyFreshness::Refetch &&
                                now - hit->obtainedAt >= impl_->options.minRefetchInterval.count();
        if (!mayRefetch)
            return hit;
    }

    Result<ReadKeys> read = source->kind == ProtocolKeySource::Jwks ? impl_->readInline(chain, *source->value)
                            : source->kind == ProtocolKeySource::SignedJwksUri ? impl_->readSigned(chain, uri, now)
                                                                                 : impl_->readUri(chain, uri);
    if (!read)
        return fail(std::move(read).error());
    UnixTime expiresAt = chain.expiresAt();
    if (source->kind != ProtocolKeySource::Jwks)
        expiresAt = std::min<UnixTime>(expiresAt, now + impl_->options.maxCacheTtl.count());
    if (read->expiresAt > 0)
        expiresAt = std::min(expiresAt, read->expiresAt);
    ProtocolKeys keys{.entity = subject, .entityType = std::string(entityType), .source = source->kind, .uri = uri,
                      .keys = std::move(read->keys), .obtainedAt = now, .expiresAt = expiresAt};
    auto shared = std::make_shared<const ProtocolKeys>(std::move(keys));
    impl_->store(key, shared);
    return shared;
}

} // namespace oidfed
