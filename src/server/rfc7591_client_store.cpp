// The RFC 7591 client store: registered clients are created at the OP's
// Dynamic Client Registration endpoint (POST with the initial access token),
// updated with RFC 7592 PUT when the RP registers again, and deleted with
// DELETE when the registration ends (client_store.h). Per client, a state
// file of mode 0600 in the store's directory keeps the OP's client_id, the
// registration_client_uri and the registration_access_token (the RFC 7592
// credentials, never given to the RP: 12.2.2 step 8), the registered
// metadata (to undo a failed update) and the registration's times.
//
// All or nothing: when a step after the OP's answer fails (the response
// cannot be signed, the state cannot be written), a client created is
// deleted again and an updated one is put back; a deletion that fails is
// left to the sweep (a state file with expires_at 0).

#include <algorithm>

#include "core/file_write.h"
#include "core/secret_wipe.h"
#include "fetch/api_client.h"
#include "server/client_store_files.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

/// Shortest registration worth making: a client_secret that the OP lets
/// expire sooner refuses the registration.
constexpr UnixTime kMinimumLifetime = 60;

/// The OP's management credentials of one client.
struct Management {
    std::string clientId;
    std::string uri;
    std::string token;

    ~Management() { wipe(token); }
};

/// A short printable excerpt of what the OP said.
std::string excerpt(std::string_view text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 200))
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
    return out;
}

/// The OP's answer as an error: its client-metadata refusal passed through
/// with its code, anything else Unavailable (the RP gets 503).
Error opError(const std::string &what, const fetch::ApiResponse &answer)
{
    std::string code;
    std::string description;
    if (auto json = parseJson(answer.body); json && json->isObject()) {
        if (const std::string *error = json->findString("error"))
            code = excerpt(*error);
        if (const std::string *text = json->findString("error_description"))
            description = excerpt(*text);
    }
    const std::string said = "the OP answered " + what + " with HTTP " + std::to_string(answer.status) +
                             (code.empty() ? std::string() : " " + code) +
                             (description.empty() ? std::string() : ": " + description);
    if (answer.status == 400 && code == "invalid_redirect_uri")
        return Error(ErrorCode::InvalidRedirectUri, said).withRule("RFC 7591 3.2.2");
    if (answer.status == 400 && (code == "invalid_client_metadata" || code == "invalid_software_statement" ||
                                 code == "unapproved_software_statement"))
        return Error(ErrorCode::InvalidClientMetadata, said).withRule("RFC 7591 3.2.2");
    return Error(ErrorCode::Unavailable, said);
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

/// The client information of a 200/201 answer, with the credentials that
/// manage it. Unavailable when the OP gave no client_id, or no
/// registration_client_uri / registration_access_token (then the client
/// cannot be managed: `created` names it for the log).
Result<Json> clientInformation(const fetch::ApiResponse &answer, const std::string &what)
{
    auto json = parseJson(answer.body);
    if (!json || !json->isObject() || !json->findString("client_id") || json->findString("client_id")->empty())
        return fail(ErrorCode::Unavailable, "the OP answered " + what + " without a client_id");
    return std::move(json).value();
}

class Rfc7591ClientStore final : public ClientStore {
public:
    Rfc7591ClientStore(const ClientStoreSettings &settings, std::string token,
                       std::unique_ptr<fetch::ApiClient> client)
        : directory_(settings.directory), endpoint_(settings.registrationEndpoint), token_(std::move(token)),
          client_(std::move(client))
    {
    }
    ~Rfc7591ClientStore() override { wipe(token_); }

    Result<SignedResponse> registerClient(const ClientRegistration &registration, UnixTime now,
                                          const Respond &respond) override
    {
        std::lock_guard lock(clientLock(directory_, registration.rp));
        const std::filesystem::path file = directory_ / clientFileName(registration.rp);
        OIDFED_TRY_VOID(checkOwner(file, registration.rp, true));
        OIDFED_TRY(std::optional<StoredRecord> previous, readStoredRecord(file, true));
        if (previous && previous->client.expiresAt == 0) {
            // A client whose deletion failed earlier goes first.
            OIDFED_TRY_VOID(remove(previous->client, file));
            previous.reset();
        }
        std::optional<Management> current;
        if (previous)
            current = management(previous->json);

        // Update the RP's client, or create one (also when the OP no longer
        // knows the previous one).
        Json information;
        bool created = false;
        if (current) {
            OIDFED_TRY(std::optional<Json> updated, update(*current, registration.metadata));
            if (updated)
                information = std::move(*updated);
        }
        if (!information.isObject()) {
            OIDFED_TRY(information, create(registration.metadata));
            created = true;
        }
        Management managed{.clientId = *information.findString("client_id"),
                           .uri = information.findString("registration_client_uri")
                                      ? *information.findString("registration_client_uri")
                                      : (current ? current->uri : std::string()),
                           .token = information.findString("registration_access_token")
                                        ? *information.findString("registration_access_token")
                                        : (current ? current->token : std::string())};
        // Whatever fails from here leaves the OP as it was.
        auto undo = [&](Error error) -> Result<SignedResponse> {
            if (created)
                discard(managed, file, registration.rp);
            else if (previous)
                restore(managed, previous->json, file);
            return fail(std::move(error));
        };
        if (managed.uri.empty() || managed.token.empty())
            return undo(Error(ErrorCode::Unavailable, "the OP gave no registration_client_uri and "
                                                      "registration_access_token: the client could not be managed"));

        AssignedClient client{.clientId = managed.clientId, .expiresAt = registration.expiresAt};
        for (std::string_view name : {"client_secret", "client_secret_expires_at"})
            if (const Json *value = information.find(name))
                client.extra.set(name, *value);
        // A secret that ends sooner than the registration ends the
        // registration with it; one that ends within kMinimumLifetime (or
        // before a shorter registration would) could not be used. The
        // registration's own length is the chain's and the OP's business.
        if (const Json *secretEnd = information.find("client_secret_expires_at");
            secretEnd && secretEnd->isInt() && secretEnd->asInt() != 0) {
            if (secretEnd->asInt() < std::min(client.expiresAt, now + kMinimumLifetime))
                return undo(Error(ErrorCode::Unavailable, "the OP issued a client_secret that expires before the "
                                                          "registration could be used (client_secret_expires_at)")
                                .withRule("12.2.2 step 8"));
            client.expiresAt = std::min(client.expiresAt, secretEnd->asInt());
        }

        Result<SignedResponse> response = respond(client);
        if (!response)
            return undo(std::move(response).error());

        Json state = clientRecord(registration, managed.clientId, *response);
        Json metadata = registration.metadata;
        metadata.set("client_id", managed.clientId);
        state.set("metadata", std::move(metadata));
        state.set("registration_client_uri", managed.uri);
        state.set("registration_access_token", managed.token);
        std::string text = state.dump(true) + "\n";
        auto written = replaceFileAtomically(file, text, 0600);
        wipe(text);
        if (!written)
            return undo(Error(ErrorCode::Internal, "cannot record the client of " + registration.rp + " in " +
                                                       file.string() + ": " + written.error().message));
        return response;
    }

    std::vector<StoredClient> clients(std::vector<Error> &problems) const override
    {
        return readStoredClients(directory_, true, problems);
    }

    Result<void> remove(const StoredClient &client) override
    {
        std::lock_guard lock(clientLock(directory_, client.rp));
        return remove(client, client.file);
    }

    std::string_view kind() const noexcept override { return "rfc7591"; }

private:
    /// remove() with the RP's lock held.
    Result<void> remove(const StoredClient &client, const std::filesystem::path &file) const
    {
        OIDFED_TRY(std::optional<StoredRecord> current, readStoredRecord(file, true));
        if (!current || !current->client.sameRegistration(client))
            return ok();  // registered again since
        std::optional<Management> managed = management(current->json);
        if (managed)
            OIDFED_TRY_VOID(deleteAtOp(*managed));
        if (auto removed = removeFile(file); !removed)
            return fail(ErrorCode::Internal, removed.error().message);
        return ok();
    }

    static std::optional<Management> management(const Json &state)
    {
        const std::string *clientId = state.findString("client_id");
        const std::string *uri = state.findString("registration_client_uri");
        const std::string *token = state.findString("registration_access_token");
        if (!clientId || !uri || !token)
            return std::nullopt;
        return Management{.clientId = *clientId, .uri = *uri, .token = *token};
    }

    std::string bearer(const std::string &token) const { return "Authorization: Bearer " + token; }

    /// POST to the registration endpoint (RFC 7591 3.1).
    Result<Json> create(const Json &metadata) const
    {
        fetch::ApiRequest request{
            .method = "POST", .url = endpoint_, .headers = {bearer(token_)}, .jsonBody = metadata.dump()};
        Result<fetch::ApiResponse> answer = client_->call(request);
        wipe(request.headers.front());
        if (!answer)
            return fail(ErrorCode::Unavailable, "the OP's registration endpoint: " + answer.error().message);
        if (!isSuccess(answer->status))
            return fail(opError("the registration", *answer));
        return clientInformation(*answer, "the registration");
    }

    /// PUT to the client's URI (RFC 7592 2.2): the client information, or
    /// nullopt when the OP no longer knows the client or its token.
    Result<std::optional<Json>> update(const Management &managed, const Json &metadata) const
    {
        Json body = metadata;
        body.set("client_id", managed.clientId);
        fetch::ApiRequest request{
            .method = "PUT", .url = managed.uri, .headers = {bearer(managed.token)}, .jsonBody = body.dump()};
        Result<fetch::ApiResponse> answer = client_->call(request);
        wipe(request.headers.front());
        if (!answer)
            return fail(ErrorCode::Unavailable, "the OP's client configuration endpoint: " + answer.error().message);
        if (answer->status == 401 || answer->status == 403 || answer->status == 404 || answer->status == 410)
            return std::optional<Json>();
        if (!isSuccess(answer->status))
            return fail(opError("the update", *answer));
        OIDFED_TRY(Json information, clientInformation(*answer, "the update"));
        return std::optional<Json>(std::move(information));
    }

    /// DELETE at the client's URI (RFC 7592 2.3); a client the OP no longer
    /// knows is gone.
    Result<void> deleteAtOp(const Management &managed) const
    {
        fetch::ApiRequest request{.method = "DELETE", .url = managed.uri, .headers = {bearer(managed.token)}};
        Result<fetch::ApiResponse> answer = client_->call(request);
        wipe(request.headers.front());
        if (!answer)
            return fail(ErrorCode::Unavailable, "deleting client " + managed.clientId + " at the OP: " +
                                                    answer.error().message);
        if (isSuccess(answer->status) || answer->status == 401 || answer->status == 404 || answer->status == 410)
            return ok();
        return fail(opError("the deletion of client " + managed.clientId, *answer));
    }

    /// Deletes a client just created; when that fails, keeps its
    /// credentials with expires_at 0, so that the sweep (or the RP's next
    /// registration) deletes it.
    void discard(const Management &managed, const std::filesystem::path &file, const std::string &rp) const
    {
        if (deleteAtOp(managed))
            return;
        logLine(LogLevel::Warning, "client " + managed.clientId + " created at the OP for " + rp +
                                       " could not be deleted; the sweep will retry");
        Json state = Json::object();
        state.set("client_id", managed.clientId);
        state.set("entity_id", rp);
        state.set("registered_at", std::int64_t{0});
        state.set("expires_at", std::int64_t{0});
        state.set("registration_client_uri", managed.uri);
        state.set("registration_access_token", managed.token);
        std::string text = state.dump(true) + "\n";
        (void)replaceFileAtomically(file, text, 0600);
        wipe(text);
    }

    /// Puts the previous metadata back after an update whose registration
    /// failed, and keeps the credentials the OP now holds (an update may
    /// rotate the token) with the previous registration (best effort;
    /// logged).
    void restore(const Management &managed, const Json &previous, const std::filesystem::path &file) const
    {
        const Json *metadata = previous.find("metadata");
        Json before = metadata && metadata->isObject() ? *metadata : Json::object();
        before.erase("client_id");
        auto restored = update(managed, before);
        if (!restored || !*restored) {
            logLine(LogLevel::Warning, "client " + managed.clientId +
                                           " was updated at the OP for a registration that failed, and its "
                                           "previous metadata could not be put back");
            return;
        }
        Json state = previous;
        for (std::string_view name : {"registration_client_uri", "registration_access_token"})
            if (const std::string *value = (*restored)->findString(name))
                state.set(name, *value);
        std::string text = state.dump(true) + "\n";
        (void)replaceFileAtomically(file, text, 0600);
        wipe(text);
    }

    std::filesystem::path directory_;
    std::string endpoint_;
    std::string token_;
    std::unique_ptr<fetch::ApiClient> client_;
};

} // namespace

std::unique_ptr<ClientStore> makeRfc7591ClientStore(const ClientStoreSettings &settings, std::string token,
                                                    std::unique_ptr<fetch::ApiClient> client)
{
    return std::make_unique<Rfc7591ClientStore>(settings, std::move(token), std::move(client));
}

} // namespace oidfed::server
