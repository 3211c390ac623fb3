#include "server/shared_registrations.h"

#include <oidfed/cache_key.h>
#include <oidfed/jws.h>

namespace oidfed::server {

std::string SharedRegistrations::key(const std::string &rp) const
{
    return cacheKey(CacheNamespace::Registration, {op_.str(), rp});
}

void SharedRegistrations::put(const std::string &rp, const std::string &response, UnixTime expiresAt,
                              UnixTime now) const
{
    if (cache_)
        cache_->put(key(rp), CacheEntry{.value = response, .expiresAt = expiresAt}, now);
}

std::optional<SharedRegistration> SharedRegistrations::get(const std::string &rp, const JwkSet &opKeys,
                                                           UnixTime now) const
{
    if (!cache_)
        return std::nullopt;
    std::optional<CacheEntry> entry = cache_->get(key(rp), now);
    if (!entry || entry->negative)
        return std::nullopt;
    return read(entry->value, rp, opKeys, now);
}

std::optional<SharedRegistration> SharedRegistrations::read(std::string_view response, const std::string &rp,
                                                            const JwkSet &opKeys, UnixTime now) const
{
    auto jws = Jws::parse(response);
    if (!jws || !jws->verify(opKeys))
        return std::nullopt;
    const std::string *typ = jws->header().findString("typ");
    auto claims = jws->payloadJson();
    if (!typ || *typ != "explicit-registration-response+jwt" || !claims)
        return std::nullopt;
    const std::string *iss = claims->findString("iss");
    const std::string *sub = claims->findString("sub");
    const Json *iat = claims->find("iat");
    const Json *exp = claims->find("exp");
    const Json *metadata = claims->find("metadata");
    const Json *client = metadata && metadata->isObject() ? metadata->find(clientEntityType_) : nullptr;
    const std::string *clientId = client && client->isObject() ? client->findString("client_id") : nullptr;
    if (!iss || *iss != op_.str() || !sub || *sub != rp || !iat || !iat->isNumber() || !exp || !exp->isNumber() ||
        !clientId)
        return std::nullopt;
    const auto expiresAt = static_cast<UnixTime>(exp->asDouble());
    if (expiresAt <= now)
        return std::nullopt;
    return SharedRegistration{.clientId = *clientId,
                              .issuedAt = static_cast<UnixTime>(iat->asDouble()),
                              .expiresAt = expiresAt};
}

} // namespace oidfed::server
