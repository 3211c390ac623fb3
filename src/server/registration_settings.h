// RegistrationSettings: what oidfed.json says about the explicit
// registration (spec 12.2) of one hosted OpenID Provider or OAuth
// authorization server ("explicit_registration"): the trust anchors a
// registration may rest on, the OP's client metadata defaults and limits,
// and the client store the registered clients go to — a directory of
// reviewable client files, or the OP's own RFC 7591 Dynamic Client
// Registration endpoint. Documented member by member in
// docs/configuration.md; the ranges are validateRegistrationSettings()'s.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

#include "server/trust_anchor_setting.h"

namespace oidfed::server {

/// Where registered clients go ("client_store").
struct ClientStoreSettings {
    enum class Type {
        /// One reviewable JSON file per client in `directory`, for an OP
        /// that reads its clients from files (no RFC 7591).
        Directory,
        /// The OP's RFC 7591 registration endpoint; `directory` keeps, per
        /// client, the RFC 7592 management credentials (mode 0600).
        Rfc7591,
    };
    Type type = Type::Directory;
    /// Created (mode 0700) when missing.
    std::filesystem::path directory{};
    /// Rfc7591: the OP's registration endpoint (absolute https URL; http
    /// only with allowHttp).
    std::string registrationEndpoint{};
    /// Rfc7591: the initial access token, from a file of mode 0600 (or
    /// stricter) or from the environment variable of this name; exactly one
    /// of the two. Never the token itself.
    std::filesystem::path initialAccessTokenFile{};
    std::string initialAccessTokenEnv{};
    /// Rfc7591: where the calls to the OP may go besides public https
    /// addresses: http, loopback, and private networks (CIDR blocks). For an
    /// OP on the same host or network as oidfed.
    bool allowHttp = false;
    bool allowLoopback = false;
    std::vector<std::string> allowedNetworks{};
};

/// "explicit_registration" of a hosted entity.
struct RegistrationSettings {
    /// "openid_provider" or "oauth_authorization_server": the metadata the
    /// endpoint is published in and whose clients register. Empty: the one
    /// the entity's metadata has (openid_provider when it has both).
    std::string entityType{};
    /// Anchors a registration may rest on, in order of preference. Empty:
    /// the entity's resolver's anchors.
    std::vector<TrustAnchorSetting> trustAnchors{};
    /// Client metadata the OP fills in when the RP leaves it out (an object).
    Json clientDefaults = Json::object();
    /// Longest registration, besides the chain's expiry (12.2.2 step 9).
    /// Range 1 min..365 days.
    std::chrono::seconds maxLifetime{86400};
    /// Refuse requests that present no trust chain (spec 18.1).
    bool requireTrustChain = false;
    /// Largest request body; more is refused with 413. Range 1 KiB..1 MiB,
    /// and at most the server's max_request_bytes (which bounds the whole
    /// request).
    std::size_t maxBodyBytes = 65536;
    ClientStoreSettings store{};
};

/// Range checks. InvalidArgument naming the field in Error::claim
/// ("maxLifetime"), message "<field>: must be ...".
Result<void> validateRegistrationSettings(const RegistrationSettings &settings);

} // namespace oidfed::server
