// The directory client store: one reviewable JSON file per registered
// client (client_store.h), written atomically, for an OP that reads its
// clients from files. The client_id is the RP's Entity Identifier.
//
// A file:
//   {"client_id", "entity_id", "entity_type", "trust_anchor",
//    "authority_hint", "registered_at", "expires_at",
//    "metadata": {the registered client metadata, client_id included},
//    "registration_response": the signed response}

#include "server/client_store_files.h"

#include "core/file_write.h"

namespace oidfed::server {

namespace {

class DirectoryClientStore final : public ClientStore {
public:
    explicit DirectoryClientStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

    Result<SignedResponse> registerClient(const ClientRegistration &registration, UnixTime,
                                          const Respond &respond) override
    {
        std::lock_guard lock(clientLock(directory_, registration.rp));
        const std::filesystem::path file = directory_ / clientFileName(registration.rp);
        OIDFED_TRY_VOID(checkOwner(file, registration.rp, false));
        AssignedClient client{.clientId = registration.rp, .expiresAt = registration.expiresAt};
        OIDFED_TRY(SignedResponse response, respond(client));
        Json metadata = registration.metadata;
        metadata.set("client_id", client.clientId);
        Json record = clientRecord(registration, client.clientId, response);
        record.set("metadata", std::move(metadata));
        if (auto written = replaceFileAtomically(file, record.dump(true) + "\n", 0644); !written)
            return fail(ErrorCode::Internal, "cannot record the client of " + registration.rp + " in " +
                                                 file.string() + ": " + written.error().message);
        return response;
    }

    std::vector<StoredClient> clients(std::vector<Error> &problems) const override
    {
        return readStoredClients(directory_, false, problems);
    }

    Result<void> remove(const StoredClient &client) override
    {
        std::lock_guard lock(clientLock(directory_, client.rp));
        OIDFED_TRY(std::optional<StoredRecord> current, readStoredRecord(client.file, false));
        if (!current || !current->client.sameRegistration(client))
            return ok();  // registered again since
        if (auto removed = removeFile(client.file); !removed)
            return fail(ErrorCode::Internal, removed.error().message);
        return ok();
    }

    std::string_view kind() const noexcept override { return "directory"; }

private:
    std::filesystem::path directory_;
};

} // namespace

std::unique_ptr<ClientStore> makeDirectoryClientStore(std::filesystem::path directory)
{
    return std::make_unique<DirectoryClientStore>(std::move(directory));
}

} // namespace oidfed::server
