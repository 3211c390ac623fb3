// ClientStore: where an OP's explicit registration (spec 12.2) puts the
// clients it registers — one interface, two implementations:
//  - a directory of reviewable client files, one JSON file per registered
//    client (directory_client_store.cpp), for an OP that reads its clients
//    from files; the client_id is the RP's Entity Identifier;
//  - the OP's own RFC 7591 Dynamic Client Registration endpoint
//    (rfc7591_client_store.cpp): the client is created there (POST with the
//    initial access token), updated when the RP registers again (RFC 7592
//    PUT) and deleted when its registration ends (DELETE); the client_id is
//    the one the OP assigns, and the RFC 7592 credentials are kept in a
//    private state file per client.
//
// A registration is all or nothing: registerClient() either records the
// client and returns the signed response, or leaves nothing behind (a
// client created at the OP is deleted again). A new registration of an RP
// replaces its earlier client (12.2.2 step 7).
//
// Thread safety: every method may run on many threads at once; calls about
// the same RP are serialized (also across the stores a reload builds for
// the same directory).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/fetch_options.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

#include "server/registration_settings.h"

namespace oidfed::server {

/// What the OP registers: the outcome of the federation checks.
struct ClientRegistration {
    std::string rp;                 ///< the RP's Entity Identifier
    std::string entityType;         ///< "openid_relying_party" or "oauth_client"
    Json metadata = Json::object(); ///< the client metadata to register, without client_id
    std::string trustAnchor;
    std::string authorityHint;      ///< the RP's Immediate Superior in the selected chain
    UnixTime expiresAt = 0;         ///< the registration's end (12.2.2 step 9)
};

/// What the store assigned, for the response.
struct AssignedClient {
    std::string clientId;
    /// Credentials for the response's metadata (client_secret,
    /// client_secret_expires_at), an object; empty for the directory store.
    Json extra = Json::object();
    /// The registration's end: ClientRegistration::expiresAt, or earlier
    /// when the OP's client_secret expires earlier (12.2.2 step 8: a secret
    /// must not expire before the registration).
    UnixTime expiresAt = 0;
};

/// A signed registration response and the times it states.
struct SignedResponse {
    std::string jwt;
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;
};

/// Signs the response once the client is known (called by registerClient).
using Respond = std::function<Result<SignedResponse>(const AssignedClient &client)>;

/// One client a store keeps.
struct StoredClient {
    std::string rp;
    std::string clientId;
    UnixTime issuedAt = 0;   ///< the registration's iat
    UnixTime expiresAt = 0;  ///< the registration's exp; 0: to be removed (an undo that failed)
    std::string file;        ///< where it is kept
    std::string response;    ///< the signed registration response

    /// The same client of the same registration (not a later one).
    bool sameRegistration(const StoredClient &other) const
    {
        return rp == other.rp && clientId == other.clientId && issuedAt == other.issuedAt;
    }
};

class ClientStore {
public:
    virtual ~ClientStore() = default;
    ClientStore(const ClientStore &) = delete;
    ClientStore &operator=(const ClientStore &) = delete;

    /// Registers the client of `registration.rp` (replacing the RP's
    /// earlier one), signs the response with `respond` and records both.
    /// Errors: InvalidClientMetadata / InvalidRedirectUri when the OP
    /// refuses the metadata (its own error code and description);
    /// Unavailable or Timeout when the OP is down or answers otherwise
    /// (the RP gets 503 temporarily_unavailable); Internal when the client
    /// cannot be recorded; respond()'s error. In every case nothing is
    /// recorded and nothing created at the OP is left there.
    virtual Result<SignedResponse> registerClient(const ClientRegistration &registration, UnixTime now,
                                                  const Respond &respond) = 0;

    /// Every client kept now. A file that cannot be read is listed in
    /// `problems` (its error naming the file) and skipped.
    virtual std::vector<StoredClient> clients(std::vector<Error> &problems) const = 0;

    /// Removes `client` (its registration ended or was replaced elsewhere),
    /// unless the RP has registered again since (the file no longer holds
    /// that client and iat). Directory: the file; RFC 7591: DELETE at the
    /// OP, then the state file (a client the OP no longer knows counts as
    /// removed). Errors: Unavailable / Timeout (the OP; kept for the next
    /// sweep), Internal (the file).
    virtual Result<void> remove(const StoredClient &client) = 0;

    /// "directory" or "rfc7591", for logs and /readyz.
    virtual std::string_view kind() const noexcept = 0;

protected:
    ClientStore() = default;
};

/// What a store needs besides its settings.
struct ClientStoreContext {
    /// The server's outbound limits (timeouts, size cap, CA file, user
    /// agent) for the RFC 7591 calls; the destination allowances are the
    /// store's own.
    const FetchOptions &fetch;
};

/// Opens the store of `settings`: creates its directory (mode 0700) when
/// missing; for an rfc7591 store, reads the initial access token (a file of
/// mode 0600 or stricter, or the environment variable) and builds its HTTP
/// client. Errors: InvalidArgument naming the directory, the token's file
/// or variable (never the token) — the registration role is then left out.
Result<std::unique_ptr<ClientStore>> openClientStore(const ClientStoreSettings &settings,
                                                     const ClientStoreContext &context);

/// The lock of one RP's client in the store kept in `directory`: the same
/// mutex for the same pair for the whole process, so that two snapshots (a
/// reload) never work on one client at once.
std::mutex &clientLock(const std::filesystem::path &directory, std::string_view rp);

/// The file name of the RP's client in a store directory: a readable stem
/// of the identifier and a digest of it (so that no two RPs share a file),
/// ".json".
std::string clientFileName(const std::string &rp);

} // namespace oidfed::server
