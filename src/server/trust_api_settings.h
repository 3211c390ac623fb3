// TrustApiSettings: what oidfed.json says about the trust API of one hosted
// OpenID Provider, OAuth authorization server or credential issuer
// ("trust_api", docs/trust-api.md): the entity type of its clients, the
// anchors they may be trusted under, the callers (the OP's own modules)
// that may ask and how each authenticates, their budget, and the options of
// the verification. Documented member by member in docs/configuration.md;
// the ranges are validateTrustApiSettings()'s.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/result.h>

#include "core/sha256.h"
#include "server/trust_anchor_setting.h"

namespace oidfed::server {

/// One module allowed to call the trust API: exactly one of a bearer
/// token's SHA-256 (the token itself is never configured) and an Entity
/// Identifier whose Federation Entity Keys sign its spec 8.8
/// private_key_jwt client assertions.
struct TrustApiCaller {
    /// Unique among the callers; the per-caller budget and the metrics
    /// know the caller by it.
    std::string name{};
    std::optional<Sha256Digest> tokenSha256{};
    std::optional<EntityId> entityId{};
};

/// "trust_api" of a hosted entity.
struct TrustApiSettings {
    /// The clients' entity type. Empty: openid_relying_party when the
    /// entity's metadata has openid_provider, else oauth_client.
    std::string clientEntityType{};
    /// Anchors a client (and a private_key_jwt caller) may be trusted
    /// under, in order of preference. Empty: the entity's resolver's.
    std::vector<TrustAnchorSetting> trustAnchors{};
    std::vector<TrustApiCaller> callers{};
    /// Calls one caller may have in progress at once. Range 1..1024.
    std::size_t maxConcurrentPerCaller = 16;
    /// Calls one caller may start per second on average (a token bucket);
    /// 0: no rate limit. Range 0..100,000.
    std::size_t perCallerRate = 200;
    /// The bucket's size. Range 1..100,000.
    std::size_t perCallerBurst = 400;
    /// Refuse Request Objects without a trust_chain header (spec 18.1).
    bool requireTrustChain = false;
    /// Longest lifetime of a Request Object or client assertion (its exp
    /// ahead of now; its jti is kept that long). Range 1 s..1 h.
    std::chrono::seconds maxJwtLifetime{600};
    /// Endpoint URLs of the OP also accepted as a client assertion's aud
    /// (RFC 7523 3: the token or PAR endpoint). Empty: the Entity
    /// Identifier only (12.1.1.2).
    std::vector<std::string> assertionAudiences{};
    /// Largest request body; more is refused with 413. Range 1 KiB..1 MiB,
    /// and at most the server's max_request_bytes.
    std::size_t maxBodyBytes = 65536;
};

/// Range checks. InvalidArgument naming the field in Error::claim
/// ("maxJwtLifetime"), message "<field>: must be ...".
Result<void> validateTrustApiSettings(const TrustApiSettings &settings);

} // namespace oidfed::server
