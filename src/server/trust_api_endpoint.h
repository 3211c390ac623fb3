// TrustApiEndpoint: the trust API of one hosted OpenID Provider, OAuth
// authorization server or credential issuer (docs/trust-api.md is the
// contract): POST {entity_id}/trust-api/client, /request-object and
// /client-assertion, for the entity's own modules, answering with
// verifiedClientJson() or an error object with the library's rule, claim
// and entity.
//
// Each request, cheapest refusal first: the body's size (413) and media
// type (415); the form decoded (400); the caller authenticated
// (trust_api_callers.h: 401, and nothing resolved or fetched before it);
// the caller's own budget (a ClientLimiter keyed by caller name: 429 with
// Retry-After), apart from the anonymous per-address one; the parameters
// (400 invalid_request); when the client is not in the resolver's cache,
// a slot of the server's process-wide gate of resolution on demand (503);
// then the library (automatic_registration.h). A verdict about the client
// is 400 with its spec error code; a fetch or replay store that failed is
// 503 temporarily_unavailable.
//
// Thread-safe: handle() runs on every HTTP worker at once.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/automatic_registration.h>
#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/protocol_keys.h>
#include <oidfed/replay_store.h>
#include <oidfed/resolver.h>

#include "server/client_limiter.h"
#include "server/http_message.h"
#include "server/resolve_endpoint.h"
#include "server/trust_api_callers.h"

namespace oidfed::server {

/// The paths, relative to the entity's.
inline constexpr std::string_view kTrustApiClientPath = "/trust-api/client";
inline constexpr std::string_view kTrustApiRequestObjectPath = "/trust-api/request-object";
inline constexpr std::string_view kTrustApiClientAssertionPath = "/trust-api/client-assertion";

class TrustApiEndpoint {
public:
    enum class Call { Client, RequestObject, ClientAssertion };

    struct Parts {
        std::unique_ptr<Resolver> resolver;  ///< the trust API's anchors
        std::unique_ptr<ProtocolKeyStore> keys;
        /// Kept across reloads (a jti used before a reload stays used).
        std::shared_ptr<ReplayStore> replay;
        /// The per-caller budget (keyed by caller name).
        std::shared_ptr<ClientLimiter> callerLimits;
        std::unique_ptr<TrustApiCallers> callers;
        AutomaticRegistrationOptions options;
        ChainValidationOptions validation;
        std::vector<std::string> assertionAudiences;
        std::size_t maxBodyBytes = 65536;
        /// The process-wide limit of resolutions on demand.
        std::size_t maxConcurrentOnDemand = 4;
    };

    TrustApiEndpoint(EntityId self, Parts parts, ResolveEndpoint::Shared shared);

    /// Answers one request (the dispatcher has checked the method).
    HttpResponse handle(Call call, const HttpRequest &request, UnixTime now);

    /// Spec 8.8 client authentication of a POST to one of this entity's
    /// federation endpoints (fetch, list, resolve; `endpointPath` relative to
    /// the entity's): the form body's parameters and the caller, or the
    /// refusal (413, 415, 400, and 401 for anything but a valid
    /// private_key_jwt of a configured caller: a bearer token is for the
    /// trust API only). Nothing is resolved for a request before its caller
    /// is known.
    struct AuthenticatedPost {
        std::optional<QueryParams> params{};  ///< set when authenticated
        const TrustApiCaller *caller = nullptr;
        HttpResponse refusal{};
    };
    AuthenticatedPost authenticatePost(const HttpRequest &request, std::string_view endpointPath, UnixTime now);

    /// The budget of an authenticated caller (its name is the key).
    ClientLimiter &callerLimiter() noexcept { return *parts_.callerLimits; }

    /// The metrics label of a call: "client", "request_object",
    /// "client_assertion".
    static std::string_view callName(Call call) noexcept;

    const std::shared_ptr<ReplayStore> &replayStore() const noexcept { return parts_.replay; }
    const std::shared_ptr<ClientLimiter> &callerLimits() const noexcept { return parts_.callerLimits; }
    const TrustApiCallers &callers() const noexcept { return *parts_.callers; }

private:
    HttpResponse answer(Call call, const HttpRequest &request, UnixTime now);
    /// Whether the call would resolve its client on demand (not cached).
    bool resolvesOnDemand(const std::string &subject);

    EntityId self_;
    Parts parts_;
    OnDemandGate &gate_;
    Metrics &metrics_;
};

} // namespace oidfed::server
