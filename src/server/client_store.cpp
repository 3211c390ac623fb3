#include "server/client_store.h"

#include <array>
#include <cstdlib>
#include <functional>

#include <oidfed/cache_key.h>

#include "core/entity_file_stem.h"
#include "core/file_read.h"
#include "core/file_write.h"
#include "core/secret_wipe.h"
#include "server/client_store_files.h"

namespace oidfed::server {

namespace {

/// Largest client file read back (metadata, a signed response).
constexpr std::size_t kMaxClientFileBytes = 1 << 20;
/// Largest initial access token file.
constexpr std::size_t kMaxTokenFileBytes = 16 << 10;
/// Characters of the identifier's digest in a file name (96 bits).
constexpr std::size_t kDigestChars = 16;

/// A token as read from a file or the environment: one line, visible ASCII
/// (it goes into an Authorization header).
bool isTokenText(std::string_view token)
{
    return !token.empty() &&
           std::all_of(token.begin(), token.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

Result<std::string> readToken(const ClientStoreSettings &settings)
{
    std::string token;
    std::string source;
    if (!settings.initialAccessTokenFile.empty()) {
        source = "initial_access_token_file " + settings.initialAccessTokenFile.string();
        auto read = readPrivateFile(settings.initialAccessTokenFile, kMaxTokenFileBytes);
        if (!read)
            return fail(Error(ErrorCode::InvalidArgument, source + ": " + read.error().message)
                            .withClaim("initial_access_token_file"));
        token = std::move(read).value();
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
            token.pop_back();
    } else {
        source = "initial_access_token_env " + settings.initialAccessTokenEnv;
        const char *value = std::getenv(settings.initialAccessTokenEnv.c_str());
        if (!value || !*value)
            return fail(Error(ErrorCode::InvalidArgument, source + ": the environment variable is not set")
                            .withClaim("initial_access_token_env"));
        token = value;
    }
    if (!isTokenText(token)) {
        wipe(token);
        return fail(Error(ErrorCode::InvalidArgument,
                          source + ": the token must be one line of visible ASCII characters (it is not shown)")
                        .withClaim(settings.initialAccessTokenFile.empty() ? "initial_access_token_env"
                                                                           : "initial_access_token_file"));
    }
    return token;
}

/// An integer member of a client file, or an error naming it.
Result<UnixTime> timeMember(const Json &json, std::string_view name, const std::filesystem::path &file)
{
    const Json *value = json.find(name);
    if (!value || !value->isInt())
        return fail(ErrorCode::Internal, file.string() + ": " + std::string(name) + " is missing or not an integer");
    return value->asInt();
}

Result<std::string> stringMember(const Json &json, std::string_view name, const std::filesystem::path &file)
{
    const std::string *value = json.findString(name);
    if (!value)
        return fail(ErrorCode::Internal, file.string() + ": " + std::string(name) + " is missing or not a string");
    return *value;
}

} // namespace

std::mutex &clientLock(const std::filesystem::path &directory, std::string_view rp)
{
    // Never destroyed (a request may still hold one at exit).
    static auto *locks = new std::array<std::mutex, 64>();
    const std::size_t hash = std::hash<std::string>()(directory.string()) ^ std::hash<std::string_view>()(rp);
    return (*locks)[hash % locks->size()];
}

std::string clientFileName(const std::string &rp)
{
    auto id = EntityId::parse(rp, EntityIdOptions{.allowHttp = true});
    const std::string stem = id ? entityFileStem(*id) : std::string("_");
    return stem + "-" + cacheKeyDigest(rp).substr(0, kDigestChars) + ".json";
}

Json clientRecord(const ClientRegistration &registration, const std::string &clientId, const SignedResponse &response)
{
    Json record = Json::object();
    record.set("client_id", clientId);
    record.set("entity_id", registration.rp);
    record.set("entity_type", registration.entityType);
    record.set("trust_anchor", registration.trustAnchor);
    record.set("authority_hint", registration.authorityHint);
    record.set("registered_at", response.issuedAt);
    record.set("expires_at", response.expiresAt);
    record.set("registration_response", response.jwt);
    return record;
}

Result<std::optional<StoredRecord>> readStoredRecord(const std::filesystem::path &file, bool privateFile)
{
    auto text = privateFile ? readPrivateFile(file, kMaxClientFileBytes) : readRegularFile(file, kMaxClientFileBytes);
    if (!text) {
        if (text.error().code == ErrorCode::NotFound)
            return std::optional<StoredRecord>();
        return fail(ErrorCode::Internal, text.error().message);
    }
    auto json = parseJson(*text);
    if (privateFile)
        wipe(*text);
    if (!json || !json->isObject())
        return fail(ErrorCode::Internal, file.string() + ": not a JSON object");
    StoredRecord record;
    OIDFED_TRY(record.client.rp, stringMember(*json, "entity_id", file));
    OIDFED_TRY(record.client.clientId, stringMember(*json, "client_id", file));
    OIDFED_TRY(record.client.issuedAt, timeMember(*json, "registered_at", file));
    OIDFED_TRY(record.client.expiresAt, timeMember(*json, "expires_at", file));
    if (const std::string *response = json->findString("registration_response"))
        record.client.response = *response;
    record.client.file = file.string();
    record.json = std::move(json).value();
    return std::optional<StoredRecord>(std::move(record));
}

std::vector<StoredClient> readStoredClients(const std::filesystem::path &directory, bool privateFiles,
                                            std::vector<Error> &problems)
{
    std::vector<StoredClient> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(directory, ec);
    if (ec) {
        problems.push_back(Error(ErrorCode::Internal, "cannot read " + directory.string() + ": " + ec.message()));
        return out;
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(".") || !name.ends_with(".json"))
            continue;
        auto record = readStoredRecord(it->path(), privateFiles);
        if (!record) {
            problems.push_back(std::move(record).error());
            continue;
        }
        if (*record)
            out.push_back(std::move((*record)->client));
    }
    if (ec)
        problems.push_back(Error(ErrorCode::Internal, "cannot read " + directory.string() + ": " + ec.message()));
    return out;
}

Result<void> checkOwner(const std::filesystem::path &file, const std::string &rp, bool privateFile)
{
    OIDFED_TRY(std::optional<StoredRecord> existing, readStoredRecord(file, privateFile));
    if (existing && existing->client.rp != rp)
        return fail(ErrorCode::Internal, file.string() + " holds the client of " + existing->client.rp +
                                             ", not of " + rp + "; not overwritten");
    return ok();
}

Result<std::unique_ptr<ClientStore>> openClientStore(const ClientStoreSettings &settings,
                                                     const ClientStoreContext &context)
{
    if (auto created = createPrivateDirectory(settings.directory); !created)
        return fail(Error(ErrorCode::InvalidArgument,
                          "client_store.directory " + settings.directory.string() + ": " + created.error().message)
                        .withClaim("directory"));
    if (settings.type == ClientStoreSettings::Type::Directory)
        return makeDirectoryClientStore(settings.directory);

    FetchOptions fetch = context.fetch;
    fetch.allowHttp = settings.allowHttp;
    fetch.allowLoopback = settings.allowLoopback;
    fetch.allowedNetworks = settings.allowedNetworks;
    OIDFED_TRY(std::unique_ptr<fetch::ApiClient> client, fetch::ApiClient::create(fetch));
    OIDFED_TRY(std::string token, readToken(settings));
    return makeRfc7591ClientStore(settings, std::move(token), std::move(client));
}

} // namespace oidfed::server
