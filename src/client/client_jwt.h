// The JWT an automatically registered client sends (private header): a
// Request Object (12.1.1.1) or a private_key_jwt client assertion
// (12.1.1.2), read and checked without keys, I/O or the replay store.
// Pure; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oidfed/automatic_registration.h>
#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jws.h>
#include <oidfed/result.h>

namespace oidfed::client {

enum class ClientJwtKind { RequestObject, ClientAssertion };

/// InvalidRequestObject or InvalidClient.
ErrorCode refusalCode(ClientJwtKind kind) noexcept;

/// "request_object" or "client_assertion": the replay scope's last part.
std::string_view kindName(ClientJwtKind kind) noexcept;

/// A JWT whose shape and claims passed; not yet its signature or jti.
struct ClientJwt {
    Jws jws;
    Json claims;
    EntityId client;
    std::string jti;
    UnixTime expiresAt = 0;
    std::vector<std::string> trustChain;      ///< the trust_chain header; empty when absent
    std::vector<std::string> peerTrustChain;  ///< the peer_trust_chain header; empty when absent
};

/// What the checks compare against.
struct ClientJwtExpectations {
    const EntityId &op;
    /// More values accepted as aud (client assertions: endpoint URLs).
    const std::vector<std::string> &extraAudiences;
    /// The request's own client_id parameter; empty: not given.
    std::string_view clientIdParameter;
    UnixTime now = 0;
    const EntityIdOptions &entityIds;
};

/// Every check of verifyRequestObject / verifyClientAssertion that needs no
/// key and no I/O (automatic_registration.h lists them). The error names
/// the claim and rule, and the client once its iss was read.
Result<ClientJwt> parseClientJwt(std::string_view jwt, ClientJwtKind kind, const ClientJwtExpectations &expected,
                                 const AutomaticRegistrationOptions &options);

} // namespace oidfed::client
