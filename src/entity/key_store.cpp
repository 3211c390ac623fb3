#include "entity/key_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include <oidfed/jws.h>

#include "core/directory_lock.h"
#include "core/file_read.h"
#include "core/file_write.h"
#include "core/range_check.h"
#include "core/secret_wipe.h"
#include "entity/key_manifest.h"
#include "entity/parallel_for.h"

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
Result<KeyRecord> generateKey(const fs::path &dir, JwsAlgorithm alg, KeyState state, UnixTime now,
                              Sync sync = Sync::Now)
{
    OIDFED_TRY(Jwk key, Jwk::generate(alg));
    OIDFED_TRY(Jwk publicKey, publishedPublicKey(key, alg));
    std::string pem = key.toPrivatePem();
    if (pem.empty())
        return fail(ErrorCode::Internal, "cannot encode a generated key as PEM");
    auto written = writeFileExclusive(privateKeyPath(dir, publicKey.kid()), pem, kPrivateKeyMode, sync);
    wipe(pem);
    OIDFED_TRY_VOID(written);
    KeyRecord record{.kid = publicKey.kid(), .alg = alg, .state = state, .publicKey = publicKey};
    record.createdAt = now;
    if (state == KeyState::Active)
        record.activatedAt = now;
    return record;
}

/// Removes the temporary manifests (keys.json.tmp.*) of writers killed
/// between writing one and renaming it: nothing reads them, but they would
/// pile up. REQUIRES: the exclusive lock, so no writer is between those
/// steps now.
void removeStaleManifests(const fs::path &dir)
{
    const std::string prefix = std::string(kManifestFile) + ".tmp.";
    std::error_code ec;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename().string().starts_with(prefix))
            fs::remove(entry.path(), ec);
}

/// REQUIRES: the exclusive lock.
Result<void> writeManifest(const fs::path &dir, const std::vector<KeyRecord> &records)
{
    removeStaleManifests(dir);
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

// Directories whose stores are created together (each holds its lock, one
// file descriptor, until the batch is loaded).
constexpr std::size_t kCreateBatch = 256;

// One store being created by a batch of openAll().
struct Creation {
    std::size_t index;                   ///< into the locations
    DirectoryLock lock;                  ///< exclusive, until the store is loaded
    std::optional<KeyRecord> record{};   ///< set once its files are written
    fs::path temporary{};                ///< its manifest, written, not yet renamed
};

// The barrier of a batch: syncFileSystem() once per file system that holds
// one of `paths`.
Result<void> syncFileSystems(const std::vector<fs::path> &paths)
{
    std::set<dev_t> synced;
    for (const fs::path &path : paths) {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0)
            return fail(ErrorCode::InvalidArgument, "cannot stat " + path.string());
        if (synced.insert(info.st_dev).second)
            OIDFED_TRY_VOID(syncFileSystem(path));
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
    return detail::checkRange("retiredKeyLifetime", options.retiredKeyLifetime, kMinRetiredKeyLifetime,
                              kMaxRetiredKeyLifetime);
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

std::vector<Result<KeyStore>> KeyStore::openAll(const std::vector<KeyStoreLocation> &locations, UnixTime now)
{
    std::vector<std::optional<Result<KeyStore>>> results(locations.size());
    std::vector<std::size_t> existing;  // open() them: nothing to create
    std::vector<std::size_t> missing;   // create them in batches
    std::vector<std::size_t> repeated;  // a directory listed before: open() after the batches
    std::set<std::string> seen;
    for (std::size_t i = 0; i < locations.size(); ++i) {
        const KeyStoreLocation &location = locations[i];
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(location.dir, ec);
        if (!seen.insert(ec ? location.dir.string() : canonical.string()).second)
            repeated.push_back(i);
        else if (!location.options.createIfMissing || manifestExists(location.dir) ||
                 !validateKeyStoreOptions(location.options) || !checkTime(now))
            existing.push_back(i);  // open() also reports the option and time errors
        else
            missing.push_back(i);
    }

    // Loading a store is mostly decoding its PEM, and OpenSSL 3.0's decoders
    // take process-wide locks: on two threads 10,000 loads took as long as
    // on one, with 40 % more CPU. So loads stay on one thread.
    auto openEach = [&](const std::vector<std::size_t> &indexes) {
        for (std::size_t index : indexes)
            results[index] = open(locations[index].dir, locations[index].options, now);
    };
    openEach(existing);
    for (std::size_t first = 0; first < missing.size(); first += kCreateBatch) {
        std::vector<Creation> batch;
        // 1. The directories and their exclusive locks, as open() takes them.
        for (std::size_t k = first; k < std::min(missing.size(), first + kCreateBatch); ++k) {
            const std::size_t index = missing[k];
            const fs::path &dir = locations[index].dir;
            std::error_code ec;
            const fs::file_status status = fs::status(dir, ec);
            if (fs::exists(status) && !fs::is_directory(status)) {
                results[index] = fail(ErrorCode::InvalidArgument, "key directory " + dir.string() + " is not a directory");
                continue;
            }
            if (auto created = createPrivateDirectory(dir); !created) {
                results[index] = fail(std::move(created).error());
                continue;
            }
            auto lock = DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive);
            if (!lock) {
                results[index] = fail(std::move(lock).error());
                continue;
            }
            batch.push_back(Creation{.index = index, .lock = std::move(lock).value()});
        }
        // 2. On all cores: a first Active key, its private key file and a
        //    temporary manifest for each store still without a manifest
        //    (another process may have created one meanwhile); none synced.
        parallelFor(batch.size(), 8, [&](std::size_t begin, std::size_t end) {
            for (std::size_t k = begin; k < end; ++k) {
                Creation &creation = batch[k];
                const KeyStoreLocation &location = locations[creation.index];
                if (manifestExists(location.dir))
                    continue;
                auto record = generateKey(location.dir, location.options.algorithm, KeyState::Active, now, Sync::Deferred);
                if (!record) {
                    results[creation.index] = fail(std::move(record).error());
                    continue;
                }
                auto temporary = writeTemporaryFile(manifestPath(location.dir), serializeKeyManifest({*record}),
                                                    kManifestMode);
                if (!temporary) {
                    static_cast<void>(removeFile(privateKeyPath(location.dir, record->kid)));
                    results[creation.index] = fail(std::move(temporary).error());
                    continue;
                }
                creation.record = std::move(record).value();
                creation.temporary = std::move(temporary).value();
            }
        });
        std::vector<Creation *> written;
        std::vector<fs::path> dirs;
        for (Creation &creation : batch)
            if (creation.record) {
                written.push_back(&creation);
                dirs.push_back(locations[creation.index].dir);
            }
        // 3. Barrier: every private key file (with its directory entry) and
        //    every temporary manifest is durable before any manifest that
        //    refers to a key is renamed into place.
        if (auto synced = syncFileSystems(dirs); !synced) {
            for (Creation *creation : written) {
                const fs::path &dir = locations[creation->index].dir;
                static_cast<void>(removeFile(creation->temporary));
                static_cast<void>(removeFile(privateKeyPath(dir, creation->record->kid)));
                results[creation->index] = fail(synced.error());
            }
            written.clear();
        }
        // 4. The renames, then a barrier that makes them durable before the
        //    stores are used (open() fsyncs the directory after its rename).
        dirs.clear();
        for (Creation *creation : written) {
            const fs::path &dir = locations[creation->index].dir;
            if (auto renamed = renameFile(creation->temporary, manifestPath(dir)); !renamed) {
                static_cast<void>(removeFile(creation->temporary));
                static_cast<void>(removeFile(privateKeyPath(dir, creation->record->kid)));
                results[creation->index] = fail(std::move(renamed).error());
                continue;
            }
            dirs.push_back(dir);
        }
        if (auto synced = syncFileSystems(dirs); !synced)
            for (Creation &creation : batch)
                if (creation.record && !results[creation.index])
                    results[creation.index] = fail(synced.error());
        // 5. Load each store while its exclusive lock is held (one thread:
        //    see openEach).
        for (const Creation &creation : batch)
            if (!results[creation.index])
                results[creation.index] = load(locations[creation.index].dir, locations[creation.index].options);
    }
    openEach(repeated);

    std::vector<Result<KeyStore>> out;
    out.reserve(results.size());
    for (std::optional<Result<KeyStore>> &result : results)
        out.push_back(std::move(*result));
    return out;
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
