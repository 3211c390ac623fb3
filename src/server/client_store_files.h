// The files of the client stores (private to client_store.cpp and the two
// stores): one JSON file per client in the store's directory, named by
// clientFileName(), with the members both stores write.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

#include "fetch/api_client.h"
#include "server/client_store.h"

namespace oidfed::server {

/// A client file as read: what both stores keep, and the whole object.
struct StoredRecord {
    StoredClient client;
    Json json;
};

/// The common members of a client file: client_id, entity_id, entity_type,
/// trust_anchor, authority_hint, registered_at, expires_at,
/// registration_response.
Json clientRecord(const ClientRegistration &registration, const std::string &clientId, const SignedResponse &response);

/// The client file at `file`: nullopt when there is none. `privateFile`:
/// refused unless its mode grants nothing to group and others. Internal
/// naming the file when it cannot be read or lacks a member.
Result<std::optional<StoredRecord>> readStoredRecord(const std::filesystem::path &file, bool privateFile);

/// Every client file of `directory` (hidden files and others than *.json
/// skipped); a file that cannot be read is listed in `problems`.
std::vector<StoredClient> readStoredClients(const std::filesystem::path &directory, bool privateFiles,
                                            std::vector<Error> &problems);

/// Internal when `file` exists and belongs to another RP than `rp` (never
/// overwritten: two identifiers whose names and digests collide).
Result<void> checkOwner(const std::filesystem::path &file, const std::string &rp, bool privateFile);

std::unique_ptr<ClientStore> makeDirectoryClientStore(std::filesystem::path directory);

/// `token`: the initial access token (wiped when the store is destroyed).
std::unique_ptr<ClientStore> makeRfc7591ClientStore(const ClientStoreSettings &settings, std::string token,
                                                    std::unique_ptr<fetch::ApiClient> client);

} // namespace oidfed::server
