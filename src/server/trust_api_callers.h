// TrustApiCallers: who may call the trust API of one hosted entity
// (docs/trust-api.md "Authentication"), checked before anything else is done
// for a request, so that an unauthenticated request never costs a
// resolution or a fetch:
//  - `Authorization: Bearer <token>` whose SHA-256 is a caller's
//    token_sha256, the digests compared in constant time (the token is
//    never kept, logged nor echoed);
//  - spec 8.8 private_key_jwt: client_assertion_type
//    urn:ietf:params:oauth:client-assertion-type:jwt-bearer and
//    client_assertion, a JWT with iss = sub = a configured caller's
//    Entity Identifier (checked before any key is looked for), aud this
//    entity's Entity Identifier or the endpoint's URL, exp, a single-use jti
//    (the trust API's replay store, a scope of its own), signed with one of
//    the caller's Federation Entity Keys: its published keys when it is
//    hosted by this server, else those of its chain under the trust API's
//    anchors (TrustChain::subjectKeys()).
// Using both at once is refused (RFC 6749 2.3: one method per request).
//
// Thread-safe: authenticate() runs on every HTTP worker at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/automatic_registration.h>
#include <oidfed/entity_id.h>
#include <oidfed/jwk.h>
#include <oidfed/replay_store.h>
#include <oidfed/resolver.h>

#include "server/query_params.h"
#include "server/trust_api_settings.h"

namespace oidfed::server {

/// The form parameters of spec 8.8 client authentication.
inline constexpr std::string_view kClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

class TrustApiCallers {
public:
    /// `hostedKeys`: the published keys of the callers hosted by this
    /// server (entity id -> keys). `jwt`: the lifetime, skew and size
    /// limits of a caller's assertion.
    TrustApiCallers(EntityId self, std::vector<TrustApiCaller> callers, std::map<std::string, JwkSet> hostedKeys,
                    AutomaticRegistrationOptions jwt, EntityIdOptions ids);

    /// What a request presents.
    struct Presented {
        std::string_view authorization;  ///< the Authorization header, or empty
        const QueryParams &params;       ///< the form body
        std::string_view endpointUrl;    ///< this endpoint's URL (an accepted aud)
    };

    /// The authenticated caller. Errors: InvalidClient (401) for missing,
    /// unknown or bad credentials; Unavailable / Timeout when a
    /// private_key_jwt caller's keys or the replay store could not be
    /// reached.
    Result<const TrustApiCaller *> authenticate(const Presented &presented, UnixTime now, Resolver &resolver,
                                                ReplayStore &replay) const;

    /// Whether the request carries spec 8.8 client authentication (the
    /// parameters, not whether they verify).
    static bool presentsAssertion(const QueryParams &params);

    const std::vector<TrustApiCaller> &callers() const noexcept { return callers_; }

private:
    Result<const TrustApiCaller *> bearer(std::string_view token) const;
    Result<const TrustApiCaller *> assertion(const QueryParams &params, std::string_view endpointUrl, UnixTime now,
                                             Resolver &resolver, ReplayStore &replay) const;

    EntityId self_;
    std::vector<TrustApiCaller> callers_;
    std::map<std::string, JwkSet> hostedKeys_;
    AutomaticRegistrationOptions jwt_;
    EntityIdOptions ids_;
};

} // namespace oidfed::server
