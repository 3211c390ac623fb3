#include "entity/key_store.h"

#include <system_error>
#include <utility>

#include <oidfed/jws.h>

#include "entity/key_files.h"
#include "entity/key_manifest.h"

namespace oidfed::entity {

namespace {

namespace fs = std::filesystem;

constexpr const char *kManifestFile = "keys.json";
constexpr std::size_t kMaxManifestBytes = 1 << 20;
constexpr std::size_t kMaxPemBytes = 64 << 10;
constexpr unsigned kPrivateKeyMode = 0600;
constexpr unsigned kManifestMode = 0644;  // public data; the directory is 0700 anyway
constexpr std::chrono::seconds kMinRetiredKeyLifetime = std::chrono::hours(1);
constexpr std::chrono::seconds kMaxRetiredKeyLifetime = std::chrono::hours(24 * 365);

fs::path manifestPath(const fs::path &dir)
{
    return dir / kManifestFile;
}

/// The kid is a thumbprint (base64url characters only, checked when the
/// manifest is parsed), so it is a safe file name.
fs::path privateKeyPath(const fs::path &dir, const std::string &kid)
{
    return dir / (kid + ".pem");
}

bool manifestExists(const fs::path &dir)
{
    std::error_code ec;
    return fs::exists(fs::symlink_status(manifestPath(dir), ec));
}

/// The private key as it signs: kid = thumbprint, alg and "use": "sig" set.
Result<Jwk> signingKey(const Jwk &key, JwsAlgorithm alg)
{
    Json json = key.toPrivateJson();
    json.set("kid", key.thumbprint());
    json.set("alg", std::string(jwsAlgorithmName(alg)));
    json.set("use", "sig");
    return Jwk::fromPrivateJson(json);
}

/// Loads `<kid>.pem` and checks that it is the key of `record`. NotFound when
/// the file does not exist.
Result<Jwk> loadPrivateKey(const fs::path &dir, const KeyRecord &record)
{
    const fs::path path = privateKeyPath(dir, record.kid);
    OIDFED_TRY(std::string pem, readPrivateFile(path, kMaxPemBytes));
    auto key = Jwk::fromPrivatePem(pem);
    wipe(pem);
    if (!key)
        return fail(Error(key.error().code, "private key file " + path.string() +
                                                " is not a usable private key: " + key.error().message));
    if (key->thumbprint() != record.kid)
        return fail(ErrorCode::Malformed,
                    "private key file " + path.string() + " does not match the public key of its record");
    return signingKey(*key, record.alg);
}

/// Generates a key, writes its private file (exclusively, 0600) and returns
/// its record.
Result<KeyRecord> generateKey(const fs::path &dir, JwsAlgorithm alg, KeyState state, UnixTime now)
{
    OIDFED_TRY(Jwk key, Jwk::generate(alg));
    OIDFED_TRY(Jwk publicKey, publishedPublicKey(key, alg));
    std::string pem = key.toPrivatePem();
    if (pem.empty())
        return fail(ErrorCode::Internal, "cannot encode a generated key as PEM");
    auto written = writeFileExclusive(privateKeyPath(dir, publicKey.kid()), pem, kPrivateKeyMode);
    wipe(pem);
    OIDFED_TRY_VOID(written);
    KeyRecord record{.kid = publicKey.kid(), .alg = alg, .state = state, .publicKey = publicKey};
    record.createdAt = now;
    if (state == KeyState::Active)
        record.activatedAt = now;
    return record;
}

Result<void> writeManifest(const fs::path &dir, const std::vector<KeyRecord> &records)
{
    return replaceFileAtomically(manifestPath(dir), serializeKeyManifest(records), kManifestMode);
}

/// Times are recorded in the manifest, which holds no negative NumericDate.
Result<void> checkTime(UnixTime now)
{
    if (now < 0)
        return fail(ErrorCode::InvalidArgument, "the time must not be before 1970");
    return ok();
}

/// A brand-new store: one Active key. REQUIRES: the exclusive lock.
Result<void> initialize(const fs::path &dir, const KeyStoreOptions &options, UnixTime now)
{
    OIDFED_TRY(KeyRecord record, generateKey(dir, options.algorithm, KeyState::Active, now));
    const fs::path pem = privateKeyPath(dir, record.kid);
    if (auto written = writeManifest(dir, {record}); !written) {
        static_cast<void>(removeFile(pem));
        return written;
    }
    return ok();
}

} // namespace

std::string_view keyStateName(KeyState state) noexcept
{
    switch (state) {
    case KeyState::Next:
        return "next";
    case KeyState::Active:
        return "active";
    case KeyState::Retired:
        return "retired";
    }
    return "unknown";
}

Result<void> validateKeyStoreOptions(const KeyStoreOptions &options)
{
    if (options.retiredKeyLifetime < kMinRetiredKeyLifetime || options.retiredKeyLifetime > kMaxRetiredKeyLifetime)
        return fail(Error(ErrorCode::InvalidArgument,
                          "KeyStoreOptions: retiredKeyLifetime must be between 3600 s (1 h) and 31536000 s "
                          "(365 days), not " +
                              std::to_string(options.retiredKeyLifetime.count()) + " s")
                        .withClaim("retiredKeyLifetime"));
    return ok();
}

bool isPublishedAt(const KeyRecord &record, UnixTime now) noexcept
{
    if (record.revoked)
        return false;
    return record.state != KeyState::Retired || record.expiresAt > now;
}

Result<KeyStore> KeyStore::open(const fs::path &dir, const KeyStoreOptions &options, UnixTime now)
{
    OIDFED_TRY_VOID(validateKeyStoreOptions(options));
    OIDFED_TRY_VOID(checkTime(now));
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (fs::exists(status) && !fs::is_directory(status))
        return fail(ErrorCode::InvalidArgument, "key directory " + dir.string() + " is not a directory");
    if (!manifestExists(dir)) {
        if (!options.createIfMissing)
            return fail(ErrorCode::InvalidArgument,
                        "no key store in " + dir.string() + ": " + kManifestFile + " does not exist");
        OIDFED_TRY_VOID(createPrivateDirectory(dir));
        OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive));
        if (!manifestExists(dir))  // another process may have won the race
            OIDFED_TRY_VOID(initialize(dir, options, now));
        return load(dir, options);
    }
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir, DirectoryLock::Mode::Shared));
    return load(dir, options);
}

Result<KeyStore> KeyStore::load(const fs::path &dir, const KeyStoreOptions &options)
{
    auto text = readRegularFile(manifestPath(dir), kMaxManifestBytes);
    if (!text) {
        if (text.error().code == ErrorCode::NotFound)
            return fail(ErrorCode::InvalidArgument,
                        "no key store in " + dir.string() + ": " + kManifestFile + " does not exist");
        return fail(std::move(text).error());
    }
    OIDFED_TRY(std::vector<KeyRecord> records, parseKeyManifest(*text));

    KeyStore store;
    store.dir_ = dir;
    store.options_ = options;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const KeyRecord &record = records[i];
        const bool signs = !record.revoked && record.state != KeyState::Retired;
        auto key = loadPrivateKey(dir, record);
        if (!key && (key.error().code != ErrorCode::NotFound || signs)) {
            if (key.error().code == ErrorCode::NotFound)
                return fail(ErrorCode::Malformed, "the private key file of the " +
                                                      std::string(keyStateName(record.state)) + " key " + record.kid +
                                                      " is missing from " + dir.string());
            return fail(std::move(key).error());
        }
        store.privateKeys_.push_back(key && !record.revoked ? *key : record.publicKey);
        if (record.state == KeyState::Active)
            store.activeIndex_ = i;
        else if (record.state == KeyState::Next && !record.revoked)
            store.nextIndex_ = i;
    }
    store.records_ = std::move(records);
    return store;
}

const Jwk &KeyStore::activeKey() const noexcept
{
    return privateKeys_[activeIndex_];
}

const Jwk *KeyStore::nextKey() const noexcept
{
    return nextIndex_ ? &privateKeys_[*nextIndex_] : nullptr;
}

JwkSet KeyStore::publishedKeys(UnixTime now) const
{
    std::vector<Jwk> keys;
    for (const KeyRecord &record : records_)
        if (isPublishedAt(record, now))
            keys.push_back(record.publicKey);
    // Kids are unique and non-empty (checked when the manifest was parsed),
    // so this cannot fail.
    auto set = JwkSet::fromKeys(std::move(keys));
    return set ? std::move(set).value() : JwkSet();
}

Json KeyStore::historicalKeys() const
{
    Json keys = Json::array();
    for (const KeyRecord &record : records_) {
        if (record.state != KeyState::Retired && !record.revoked)
            continue;
        Json jwk = record.publicKey.toPublicJson();
        jwk.set("iat", record.createdAt);
        // exp is REQUIRED (8.7.2); a Next key revoked before it ever signed
        // stops being valid when it was revoked.
        jwk.set("exp", record.state == KeyState::Retired ? record.expiresAt : record.revoked->revokedAt);
        if (record.revoked) {
            Json revoked = Json::object();
            revoked.set("revoked_at", record.revoked->revokedAt);
            revoked.set("reason", record.revoked->reason);
            jwk.set("revoked", std::move(revoked));
        }
        keys.push(std::move(jwk));
    }
    Json out = Json::object();
    out.set("keys", std::move(keys));
    return out;
}

Result<std::string> KeyStore::signHistoricalKeys(const EntityId &issuer, UnixTime now) const
{
    Json payload = Json::object();
    payload.set("iss", issuer.str());
    payload.set("iat", now);
    payload.set("keys", *historicalKeys().find("keys"));
    Json header = Json::object();
    header.set("typ", "jwk-set+jwt");
    return signJws(header, payload.dump(), activeKey());
}

Result<KeyStore> KeyStore::rotate(UnixTime now) const
{
    OIDFED_TRY_VOID(checkTime(now));
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir_, DirectoryLock::Mode::Exclusive));
    OIDFED_TRY(KeyStore current, load(dir_, options_));
    if (current.nextIndex_)
        return fail(ErrorCode::InvalidArgument, "a next key already exists (" + current.records_[*current.nextIndex_].kid +
                                                    "): activate or revoke it first");
    OIDFED_TRY(KeyRecord record, generateKey(dir_, options_.algorithm, KeyState::Next, now));
    const fs::path pem = privateKeyPath(dir_, record.kid);
    std::vector<KeyRecord> records = current.records_;
    records.push_back(std::move(record));
    if (auto written = writeManifest(dir_, records); !written) {
        static_cast<void>(removeFile(pem));
        return fail(std::move(written).error());
    }
    return load(dir_, options_);
}

Result<KeyStore> KeyStore::activate(UnixTime now) const
{
    OIDFED_TRY_VOID(checkTime(now));
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir_, DirectoryLock::Mode::Exclusive));
    OIDFED_TRY(KeyStore current, load(dir_, options_));
    if (!current.nextIndex_)
        return fail(ErrorCode::InvalidArgument, "there is no next key to activate: rotate first");
    std::vector<KeyRecord> records = current.records_;
    KeyRecord &retiring = records[current.activeIndex_];
    retiring.state = KeyState::Retired;
    retiring.retiredAt = now;
    retiring.expiresAt = now + options_.retiredKeyLifetime.count();
    KeyRecord &next = records[*current.nextIndex_];
    next.state = KeyState::Active;
    next.activatedAt = now;
    OIDFED_TRY_VOID(writeManifest(dir_, records));
    // Best effort: a Retired key past its exp is never needed to sign again,
    // so its private key goes (the record stays for the historical keys).
    for (const KeyRecord &record : records)
        if (record.state == KeyState::Retired && record.expiresAt <= now)
            static_cast<void>(removeFile(privateKeyPath(dir_, record.kid)));
    return load(dir_, options_);
}

Result<KeyStore> KeyStore::revoke(std::string_view kid, std::string_view reason, UnixTime now) const
{
    OIDFED_TRY_VOID(checkTime(now));
    if (!isKeyRevocationReason(reason))
        return fail(Error(ErrorCode::InvalidArgument, "unknown revocation reason \"" + std::string(reason) +
                                                          "\" (unspecified, compromised or superseded)")
                        .withClaim("reason"));
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir_, DirectoryLock::Mode::Exclusive));
    OIDFED_TRY(KeyStore current, load(dir_, options_));
    std::vector<KeyRecord> records = current.records_;
    KeyRecord *target = nullptr;
    for (KeyRecord &record : records)
        if (record.kid == kid)
            target = &record;
    if (!target)
        return fail(ErrorCode::NotFound, "no key with kid " + std::string(kid) + " in " + dir_.string());
    if (target->state == KeyState::Active)
        return fail(ErrorCode::InvalidArgument,
                    "the active key cannot be revoked: rotate and activate a new key first, then revoke it");
    if (target->revoked)
        return fail(ErrorCode::InvalidArgument, "key " + target->kid + " is already revoked");
    target->revoked = KeyRevocation{.revokedAt = now, .reason = std::string(reason)};
    const fs::path pem = privateKeyPath(dir_, target->kid);
    OIDFED_TRY_VOID(writeManifest(dir_, records));
    if (auto removed = removeFile(pem); !removed)
        return fail(ErrorCode::InvalidArgument, "key " + std::string(kid) +
                                                    " is revoked, but its private key file could not be removed: " +
                                                    removed.error().message);
    return load(dir_, options_);
}

} // namespace oidfed::entity
