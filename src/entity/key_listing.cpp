#include "entity/key_listing.h"

#include <oidfed/jws_algorithm.h>

namespace oidfed::entity {

std::optional<UnixTime> keyExpOf(const KeyRecord &record)
{
    if (record.state == KeyState::Retired)
        return record.expiresAt;
    if (record.revoked)
        return record.revoked->revokedAt;
    return std::nullopt;
}

Json keyRecordJson(const KeyRecord &record, UnixTime now)
{
    Json out = Json::object();
    out.set("kid", record.kid);
    out.set("alg", std::string(jwsAlgorithmName(record.alg)));
    out.set("state", std::string(keyStateName(record.state)));
    out.set("created_at", record.createdAt);
    if (record.activatedAt != 0)
        out.set("activated_at", record.activatedAt);
    if (record.retiredAt != 0)
        out.set("retired_at", record.retiredAt);
    if (auto exp = keyExpOf(record))
        out.set("exp", *exp);
    if (record.revoked) {
        Json revoked = Json::object();
        revoked.set("revoked_at", record.revoked->revokedAt);
        revoked.set("reason", record.revoked->reason);
        out.set("revoked", std::move(revoked));
    }
    out.set("published", isPublishedAt(record, now));
    return out;
}

Json keyListing(const KeyStore &store, UnixTime now)
{
    Json keys = Json::array();
    for (const KeyRecord &record : store.records())
        keys.push(keyRecordJson(record, now));
    Json out = Json::object();
    out.set("keys", std::move(keys));
    out.set("jwks", store.publishedKeys(now).toJson());
    return out;
}

} // namespace oidfed::entity
