// KeyStore on real files in a fresh temporary directory: first-open
// generation (modes 0700 / 0600), reopening, the Next -> Active -> Retired
// rollover with publication windows, revocation rules, the historical keys
// (content and the signed jwk-set+jwt verified with the JOSE layer), refusal
// of tampered directories, and the option ranges.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "core/directory_lock.h"
#include "core/file_write.h"
#include "entity/key_store.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::entity;

namespace fs = std::filesystem;

using oidfed::test::TempDir;

namespace {

constexpr UnixTime kT0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDay = 86400;


unsigned modeOf(const fs::path &path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return static_cast<unsigned>(info.st_mode & 07777);
}

KeyStore openStore(const fs::path &dir, UnixTime now, KeyStoreOptions options = {})
{
    auto store = KeyStore::open(dir, options, now);
    REQUIRE_MESSAGE(store.has_value(), store.error().describe());
    return std::move(store).value();
}

KeyStore must(Result<KeyStore> result)
{
    REQUIRE_MESSAGE(result.has_value(), result.error().describe());
    return std::move(result).value();
}

const KeyRecord &recordOf(const KeyStore &store, const std::string &kid)
{
    for (const KeyRecord &record : store.records())
        if (record.kid == kid)
            return record;
    FAIL("no record for kid " << kid);
    throw std::logic_error("unreachable");
}

std::vector<std::string> kidsOf(const JwkSet &set)
{
    std::vector<std::string> kids;
    for (const Jwk &key : set.keys())
        kids.push_back(key.kid());
    return kids;
}

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    REQUIRE(out.good());
    out << text;
}

Json readManifest(const fs::path &dir)
{
    return test::json(test::readFile((dir / "keys.json").string()));
}

/// The manifest's record for `kid`, to tamper with.
Json &manifestRecord(Json &manifest, const std::string &kid)
{
    for (Json &record : manifest.find("keys")->asArray())
        if (*record.findString("kid") == kid)
            return record;
    FAIL("no manifest record for " << kid);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("first open creates a private directory with one active key; reopening gives the same key")
{
    TempDir tmp;
    const fs::path dir = tmp.keys();
    KeyStore store = openStore(dir, kT0);

    CHECK(modeOf(dir) == 0700);
    REQUIRE(store.records().size() == 1);
    const KeyRecord &record = store.records()[0];
    CHECK(record.state == KeyState::Active);
    CHECK(record.alg == JwsAlgorithm::ES256);
    CHECK(record.createdAt == kT0);
    CHECK(record.activatedAt == kT0);
    CHECK_FALSE(record.revoked.has_value());
    CHECK(record.kid == store.activeKey().thumbprint());
    CHECK(record.kid == record.publicKey.thumbprint());
    CHECK(store.activeKey().hasPrivate());
    CHECK(store.activeKey().kid() == record.kid);
    CHECK(store.activeKey().alg() == "ES256");
    CHECK_FALSE(record.publicKey.hasPrivate());
    CHECK(store.nextKey() == nullptr);
    CHECK(store.directory() == dir);

    const fs::path pem = dir / (record.kid + ".pem");
    REQUIRE(fs::exists(pem));
    CHECK(modeOf(pem) == 0600);
    const std::string manifest = test::readFile((dir / "keys.json").string());
    CHECK(manifest.find(record.kid) != std::string::npos);
    CHECK(manifest.find("\"d\"") == std::string::npos);  // no private member
    CHECK(manifest.find("PRIVATE") == std::string::npos);

    const JwkSet published = store.publishedKeys(kT0);
    REQUIRE(published.keys().size() == 1);
    const Json jwk = published.keys()[0].toPublicJson();
    CHECK(*jwk.findString("kid") == record.kid);
    CHECK(*jwk.findString("alg") == "ES256");
    CHECK(*jwk.findString("use") == "sig");
    CHECK_FALSE(jwk.contains("d"));
    CHECK(store.historicalKeys().find("keys")->size() == 0);

    KeyStore reopened = openStore(dir, kT0 + 1000);
    REQUIRE(reopened.records().size() == 1);
    CHECK(reopened.records()[0].kid == record.kid);
    CHECK(reopened.records()[0].createdAt == kT0);
    CHECK(reopened.activeKey().thumbprint() == record.kid);

    KeyStoreOptions noCreate;
    noCreate.createIfMissing = false;
    CHECK(KeyStore::open(dir, noCreate, kT0).has_value());
}

TEST_CASE("open refuses a missing store without createIfMissing, and a path that is not a directory")
{
    TempDir tmp;
    KeyStoreOptions noCreate;
    noCreate.createIfMissing = false;
    auto missing = KeyStore::open(tmp.keys(), noCreate, kT0);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(fs::exists(tmp.keys()));

    auto empty = KeyStore::open(tmp.path(), noCreate, kT0);  // exists, but holds no manifest
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().code == ErrorCode::InvalidArgument);

    writeText(tmp.path() / "file", "not a directory");
    auto notDir = KeyStore::open(tmp.path() / "file", KeyStoreOptions{}, kT0);
    REQUIRE_FALSE(notDir.has_value());
    CHECK(notDir.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rotate announces a next key: published at once, not signing; only one at a time")
{
    TempDir tmp;
    KeyStore store = openStore(tmp.keys(), kT0);
    const std::string first = store.activeKey().kid();

    KeyStore rotated = must(store.rotate(kT0 + 100));
    REQUIRE(rotated.nextKey() != nullptr);
    const std::string next = rotated.nextKey()->kid();
    CHECK(next != first);
    CHECK(rotated.nextKey()->hasPrivate());
    CHECK(rotated.activeKey().kid() == first);
    CHECK(recordOf(rotated, next).state == KeyState::Next);
    CHECK(recordOf(rotated, next).createdAt == kT0 + 100);
    CHECK(recordOf(rotated, next).activatedAt == 0);
    CHECK(modeOf(tmp.keys() / (next + ".pem")) == 0600);
    CHECK(kidsOf(rotated.publishedKeys(kT0 + 100)) == std::vector<std::string>{first, next});

    // The signing key is still the first one.
    auto signedKeys = rotated.signHistoricalKeys(*EntityId::parse("https://ta.example.org"), kT0 + 100);
    REQUIRE(signedKeys.has_value());
    auto jws = Jws::parse(*signedKeys);
    REQUIRE(jws.has_value());
    CHECK(jws->kid() == first);

    // The snapshot it was called on is unchanged; the directory moved on.
    CHECK(store.nextKey() == nullptr);
    CHECK(openStore(tmp.keys(), kT0 + 200).nextKey()->kid() == next);

    auto again = rotated.rotate(kT0 + 200);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code == ErrorCode::InvalidArgument);
    // Even from the stale snapshot: the directory is reloaded under the lock.
    auto stale = store.rotate(kT0 + 200);
    REQUIRE_FALSE(stale.has_value());
    CHECK(stale.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("activate: the next key signs, the old one is retired and published until its exp")
{
    TempDir tmp;
    KeyStoreOptions options;
    options.retiredKeyLifetime = std::chrono::seconds(kDay);
    KeyStore store = openStore(tmp.keys(), kT0, options);
    const std::string first = store.activeKey().kid();

    auto noNext = store.activate(kT0 + 10);
    REQUIRE_FALSE(noNext.has_value());
    CHECK(noNext.error().code == ErrorCode::InvalidArgument);

    store = must(store.rotate(kT0 + 100));
    const std::string second = store.nextKey()->kid();
    const UnixTime t1 = kT0 + 1000;
    store = must(store.activate(t1));

    CHECK(store.activeKey().kid() == second);
    CHECK(store.activeKey().hasPrivate());
    CHECK(store.nextKey() == nullptr);
    const KeyRecord &old = recordOf(store, first);
    CHECK(old.state == KeyState::Retired);
    CHECK(old.retiredAt == t1);
    CHECK(old.expiresAt == t1 + kDay);
    CHECK(recordOf(store, second).state == KeyState::Active);
    CHECK(recordOf(store, second).activatedAt == t1);

    CHECK(kidsOf(store.publishedKeys(t1)) == std::vector<std::string>{first, second});
    CHECK(kidsOf(store.publishedKeys(t1 + kDay - 1)) == std::vector<std::string>{first, second});
    CHECK(kidsOf(store.publishedKeys(t1 + kDay)) == std::vector<std::string>{second});
    CHECK(isPublishedAt(old, t1 + kDay - 1));
    CHECK_FALSE(isPublishedAt(old, t1 + kDay));

    // Persisted: a reopen sees the same states.
    KeyStore reopened = openStore(tmp.keys(), t1 + 5, options);
    CHECK(reopened.activeKey().kid() == second);
    CHECK(recordOf(reopened, first).state == KeyState::Retired);
    CHECK(recordOf(reopened, first).expiresAt == t1 + kDay);
    CHECK(fs::exists(tmp.keys() / (first + ".pem")));  // still within its overlap

    // A later rollover deletes the private key of a retired key past its exp,
    // and keeps its record.
    const UnixTime t2 = t1 + 2 * kDay;
    store = must(reopened.rotate(t2));
    const std::string third = store.nextKey()->kid();
    store = must(store.activate(t2 + 10));
    CHECK_FALSE(fs::exists(tmp.keys() / (first + ".pem")));
    CHECK(fs::exists(tmp.keys() / (second + ".pem")));
    CHECK(recordOf(store, first).state == KeyState::Retired);
    CHECK(store.activeKey().kid() == third);
    CHECK(kidsOf(store.publishedKeys(t2 + 10)) == std::vector<std::string>{second, third});
    CHECK(openStore(tmp.keys(), t2 + 20).records().size() == 3);
}

TEST_CASE("historical keys: retired and revoked keys with exp, iat and revoked, signed as a jwk-set+jwt")
{
    TempDir tmp;
    KeyStoreOptions options;
    options.retiredKeyLifetime = std::chrono::seconds(7 * kDay);
    KeyStore store = openStore(tmp.keys(), kT0, options);
    const std::string a = store.activeKey().kid();
    store = must(store.rotate(kT0 + 10));
    const std::string b = store.nextKey()->kid();
    store = must(store.activate(kT0 + 20));
    store = must(store.rotate(kT0 + 30));
    const std::string c = store.nextKey()->kid();
    store = must(store.revoke(c, "compromised", kT0 + 40));
    store = must(store.revoke(a, "superseded", kT0 + 50));

    CHECK_FALSE(fs::exists(tmp.keys() / (a + ".pem")));
    CHECK_FALSE(fs::exists(tmp.keys() / (c + ".pem")));
    CHECK(store.nextKey() == nullptr);
    CHECK(kidsOf(store.publishedKeys(kT0 + 50)) == std::vector<std::string>{b});

    const Json historical = store.historicalKeys();
    const Json::Array &keys = historical.find("keys")->asArray();
    REQUIRE(keys.size() == 2);
    const Json &ka = keys[0];
    CHECK(*ka.findString("kid") == a);
    CHECK(*ka.findString("alg") == "ES256");
    CHECK(ka.find("iat")->asInt() == kT0);
    CHECK(ka.find("exp")->asInt() == kT0 + 20 + 7 * kDay);
    CHECK(ka.find("revoked")->find("revoked_at")->asInt() == kT0 + 50);
    CHECK(*ka.find("revoked")->findString("reason") == "superseded");
    CHECK_FALSE(ka.contains("d"));
    const Json &kc = keys[1];
    CHECK(*kc.findString("kid") == c);
    CHECK(kc.find("iat")->asInt() == kT0 + 30);
    CHECK(kc.find("exp")->asInt() == kT0 + 40);  // a revoked next key: exp = revoked_at
    CHECK(kc.find("revoked")->find("revoked_at")->asInt() == kT0 + 40);
    CHECK(*kc.find("revoked")->findString("reason") == "compromised");

    const auto issuer = EntityId::parse("https://ta.example.org");
    REQUIRE(issuer.has_value());
    auto compact = store.signHistoricalKeys(*issuer, kT0 + 60);
    REQUIRE(compact.has_value());
    auto jws = Jws::parse(*compact);
    REQUIRE(jws.has_value());
    CHECK(jws->typ() == "jwk-set+jwt");
    CHECK(jws->kid() == b);
    CHECK(jws->alg() == JwsAlgorithm::ES256);
    CHECK(jws->verifyWith(recordOf(store, b).publicKey).has_value());
    CHECK(jws->verify(store.publishedKeys(kT0 + 60)).has_value());
    CHECK_FALSE(jws->verifyWith(recordOf(store, a).publicKey).has_value());
    auto payload = jws->payloadJson();
    REQUIRE(payload.has_value());
    CHECK(*payload->findString("iss") == "https://ta.example.org");
    CHECK(payload->find("iat")->asInt() == kT0 + 60);
    CHECK(*payload->find("keys") == *historical.find("keys"));

    // The revoked records survive a reopen.
    KeyStore reopened = openStore(tmp.keys(), kT0 + 70, options);
    CHECK(reopened.historicalKeys() == historical);
}

TEST_CASE("revoke: only next or retired keys, known kids and spec reasons, once")
{
    TempDir tmp;
    KeyStore store = openStore(tmp.keys(), kT0);
    const std::string active = store.activeKey().kid();

    auto activeRevoke = store.revoke(active, "compromised", kT0 + 1);
    REQUIRE_FALSE(activeRevoke.has_value());
    CHECK(activeRevoke.error().code == ErrorCode::InvalidArgument);
    CHECK(fs::exists(tmp.keys() / (active + ".pem")));

    auto unknown = store.revoke("no-such-kid", "unspecified", kT0 + 1);
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == ErrorCode::NotFound);

    store = must(store.rotate(kT0 + 2));
    const std::string next = store.nextKey()->kid();
    for (const char *reason : {"", "lost", "Compromised", "keyCompromise"}) {
        CAPTURE(reason);
        auto bad = store.revoke(next, reason, kT0 + 3);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == ErrorCode::InvalidArgument);
    }
    store = must(store.revoke(next, "unspecified", kT0 + 4));
    CHECK(recordOf(store, next).revoked->reason == "unspecified");
    CHECK(recordOf(store, next).state == KeyState::Next);
    CHECK(store.nextKey() == nullptr);

    auto twice = store.revoke(next, "compromised", kT0 + 5);
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().code == ErrorCode::InvalidArgument);

    // A revoked next key no longer blocks a new one.
    store = must(store.rotate(kT0 + 6));
    REQUIRE(store.nextKey() != nullptr);
    CHECK(store.nextKey()->kid() != next);
    CHECK(store.records().size() == 3);
}

TEST_CASE("a private key file readable by group or others is refused, naming the file and not its content")
{
    TempDir tmp;
    KeyStore store = openStore(tmp.keys(), kT0);
    const fs::path pem = tmp.keys() / (store.activeKey().kid() + ".pem");
    const std::string content = test::readFile(pem.string());

    for (unsigned mode : {0640u, 0604u, 0660u, 0644u}) {
        CAPTURE(mode);
        REQUIRE(::chmod(pem.c_str(), mode) == 0);
        auto refused = KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == ErrorCode::InvalidArgument);
        CHECK(refused.error().message.find(pem.filename().string()) != std::string::npos);
        CHECK(refused.error().message.find("PRIVATE KEY") == std::string::npos);
        CHECK(refused.error().message.find(content.substr(40, 20)) == std::string::npos);
    }
    REQUIRE(::chmod(pem.c_str(), 0400) == 0);
    CHECK(KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0).has_value());

    // A symbolic link in place of the file is not followed.
    fs::rename(pem, tmp.path() / "elsewhere.pem");
    fs::create_symlink(tmp.path() / "elsewhere.pem", pem);
    auto linked = KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0);
    REQUIRE_FALSE(linked.has_value());
    CHECK(linked.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("a tampered manifest or private key is refused")
{
    TempDir tmp;
    KeyStore store = openStore(tmp.keys(), kT0);
    store = must(store.rotate(kT0 + 1));
    const std::string active = store.activeKey().kid();
    const std::string next = store.nextKey()->kid();
    const fs::path manifestPath = tmp.keys() / "keys.json";
    const std::string original = test::readFile(manifestPath.string());

    auto expectRefused = [&](ErrorCode code) {
        auto refused = KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0 + 2);
        REQUIRE_FALSE(refused.has_value());
        CHECK(errorCodeName(refused.error().code) == errorCodeName(code));
        writeText(manifestPath, original);
        CHECK(KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0 + 2).has_value());
    };

    SUBCASE("two active keys")
    {
        Json manifest = readManifest(tmp.keys());
        Json &record = manifestRecord(manifest, next);
        record.set("state", "active");
        record.set("activated_at", kT0 + 1);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("no active key")
    {
        Json manifest = readManifest(tmp.keys());
        Json &record = manifestRecord(manifest, active);
        record.set("state", "next");
        record.erase("activated_at");
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("two next keys")
    {
        auto extra = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(extra.has_value());
        Json manifest = readManifest(tmp.keys());
        Json copy = manifestRecord(manifest, next);
        copy.set("kid", extra->kid());
        copy.set("jwk", extra->toPublicJson());
        manifest.find("keys")->push(copy);
        writeText(manifestPath, manifest.dump());
        writeText(tmp.keys() / (extra->kid() + ".pem"), extra->toPrivatePem());
        REQUIRE(::chmod((tmp.keys() / (extra->kid() + ".pem")).c_str(), 0600) == 0);
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("unknown state")
    {
        Json manifest = readManifest(tmp.keys());
        manifestRecord(manifest, next).set("state", "standby");
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("unknown member")
    {
        Json manifest = readManifest(tmp.keys());
        manifestRecord(manifest, next).set("expires", kT0);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("unknown top-level member and wrong version")
    {
        Json manifest = readManifest(tmp.keys());
        manifest.set("comment", "hello");
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
        manifest = readManifest(tmp.keys());
        manifest.set("version", 2);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("unknown revocation reason")
    {
        Json manifest = readManifest(tmp.keys());
        Json revoked = Json::object();
        revoked.set("revoked_at", kT0 + 1);
        revoked.set("reason", "lost");
        manifestRecord(manifest, next).set("revoked", revoked);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("a retired key without its exp")
    {
        Json manifest = readManifest(tmp.keys());
        Json &record = manifestRecord(manifest, next);
        record.set("state", "retired");
        record.set("activated_at", kT0 + 1);
        record.set("retired_at", kT0 + 2);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("a kid that is not the thumbprint of its jwk")
    {
        Json manifest = readManifest(tmp.keys());
        Json &record = manifestRecord(manifest, next);
        Json jwk = *manifestRecord(manifest, active).find("jwk");
        jwk.erase("kid");
        record.set("jwk", jwk);
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("a private member in the manifest")
    {
        Json manifest = readManifest(tmp.keys());
        manifestRecord(manifest, active).set("jwk", store.activeKey().toPrivateJson());
        writeText(manifestPath, manifest.dump());
        expectRefused(ErrorCode::InvalidKey);
    }
    SUBCASE("not JSON")
    {
        writeText(manifestPath, "{\"version\": 1, \"keys\": [");
        expectRefused(ErrorCode::Malformed);
    }
    SUBCASE("a private key file that does not match its kid")
    {
        const fs::path pem = tmp.keys() / (active + ".pem");
        const std::string saved = test::readFile(pem.string());
        auto other = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(other.has_value());
        writeText(pem, other->toPrivatePem());
        auto refused = KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0 + 2);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == ErrorCode::Malformed);
        CHECK(refused.error().message.find(pem.filename().string()) != std::string::npos);
        writeText(pem, saved);
        CHECK(KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0 + 2).has_value());
    }
    SUBCASE("the private key file of the next key is missing")
    {
        const fs::path pem = tmp.keys() / (next + ".pem");
        fs::rename(pem, tmp.path() / "moved.pem");
        auto refused = KeyStore::open(tmp.keys(), KeyStoreOptions{}, kT0 + 2);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == ErrorCode::Malformed);
        fs::rename(tmp.path() / "moved.pem", pem);
    }
}

TEST_CASE("KeyStoreOptions ranges")
{
    KeyStoreOptions options;
    CHECK(validateKeyStoreOptions(options).has_value());
    CHECK(options.algorithm == JwsAlgorithm::ES256);
    CHECK(options.retiredKeyLifetime == std::chrono::seconds(7 * kDay));
    CHECK(options.createIfMissing);

    const std::vector<std::pair<std::int64_t, bool>> lifetimes = {
        {0, false}, {3599, false}, {3600, true}, {365 * kDay, true}, {365 * kDay + 1, false}, {-1, false}};
    for (const auto &lifetime : lifetimes) {
        const std::int64_t seconds = lifetime.first;  // not a structured binding: clang < 16 cannot capture one
        const bool valid = lifetime.second;
        CAPTURE(seconds);
        options.retiredKeyLifetime = std::chrono::seconds(seconds);
        auto checked = validateKeyStoreOptions(options);
        CHECK(checked.has_value() == valid);
        if (!valid) {
            CHECK(checked.error().code == ErrorCode::InvalidArgument);
            CHECK(checked.error().claim == "retiredKeyLifetime");
        }
    }

    TempDir tmp;
    options.retiredKeyLifetime = std::chrono::seconds(10);
    auto refused = KeyStore::open(tmp.keys(), options, kT0);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(fs::exists(tmp.keys()));  // nothing is created with bad options
}

TEST_CASE("any time from the epoch on is recorded; a time before it is refused")
{
    TempDir tmp;
    KeyStore store = openStore(tmp.keys(), 0);
    CHECK(store.records()[0].createdAt == 0);
    store = must(store.rotate(0));
    store = must(store.activate(0));
    KeyStore reopened = openStore(tmp.keys(), 0);
    CHECK(recordOf(reopened, store.activeKey().kid()).activatedAt == 0);
    CHECK(reopened.records()[0].state == KeyState::Retired);

    auto before = reopened.rotate(-1);
    REQUIRE_FALSE(before.has_value());
    CHECK(before.error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(KeyStore::open(tmp.path() / "other", KeyStoreOptions{}, -1).has_value());
}

TEST_CASE("concurrent writers are serialized: two rotations from one snapshot make one next key")
{
    TempDir tmp;
    const KeyStore store = openStore(tmp.keys(), kT0);
    std::atomic<int> succeeded{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> writers;
    for (int i = 0; i < 4; ++i)
        writers.emplace_back([&] {
            auto rotated = store.rotate(kT0 + 1);
            (rotated.has_value() ? succeeded : refused)++;
        });
    for (std::thread &writer : writers)
        writer.join();
    CHECK(succeeded.load() == 1);
    CHECK(refused.load() == 3);
    KeyStore reopened = openStore(tmp.keys(), kT0 + 2);
    CHECK(reopened.records().size() == 2);
    REQUIRE(reopened.nextKey() != nullptr);
    std::size_t pemFiles = 0;
    for (const auto &entry : fs::directory_iterator(tmp.keys()))
        pemFiles += entry.path().extension() == ".pem" ? 1 : 0;
    CHECK(pemFiles == 2);
}

TEST_CASE("a writer killed before its rename: the temporary manifest it left is ignored, then removed")
{
    TempDir tmp;
    const KeyStore store = openStore(tmp.keys(), kT0);
    // What `oidfed keys rotate` killed between writing and renaming leaves.
    const fs::path stale = fs::path(tmp.keys()) / "keys.json.tmp.Ab12Cd";
    writeText(stale, "{\"version\": 1, \"keys\": [");
    const fs::path unrelated = fs::path(tmp.keys()) / "notes.tmp.txt";
    writeText(unrelated, "kept");
    KeyStore reopened = openStore(tmp.keys(), kT0 + 1);  // read by nothing
    CHECK(reopened.activeKey().kid() == store.activeKey().kid());
    CHECK(fs::exists(stale));
    KeyStore rotated = must(store.rotate(kT0 + 2));  // the next writer removes it
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(unrelated));
    REQUIRE(rotated.nextKey() != nullptr);
    CHECK(openStore(tmp.keys(), kT0 + 3).records().size() == 2);
}

TEST_CASE("other algorithms: EdDSA and RS256 stores sign their historical keys")
{
    for (JwsAlgorithm alg : {JwsAlgorithm::EdDSA, JwsAlgorithm::RS256}) {
        CAPTURE(jwsAlgorithmName(alg));
        TempDir tmp;
        KeyStoreOptions options;
        options.algorithm = alg;
        KeyStore store = openStore(tmp.keys(), kT0, options);
        CHECK(store.records()[0].alg == alg);
        store = must(store.rotate(kT0 + 1));
        store = must(store.activate(kT0 + 2));
        KeyStore reopened = openStore(tmp.keys(), kT0 + 3, options);
        CHECK(reopened.activeKey().alg() == jwsAlgorithmName(alg));
        auto compact = reopened.signHistoricalKeys(*EntityId::parse("https://op.example.org"), kT0 + 3);
        REQUIRE(compact.has_value());
        auto jws = Jws::parse(*compact);
        REQUIRE(jws.has_value());
        CHECK(jws->alg() == alg);
        CHECK(jws->verify(reopened.publishedKeys(kT0 + 3)).has_value());
        CHECK(jws->payloadJson()->find("keys")->size() == 1);
    }
}

TEST_CASE("openAll: a first start creates every missing store in batches, as open() would")
{
    TempDir tmp;
    // More stores than one batch (256), an existing one among them, and one
    // with another algorithm.
    const fs::path existingDir = tmp.path() / "existing";
    const KeyStore existing = openStore(existingDir, kT0 - kDay);
    std::vector<KeyStoreLocation> locations;
    for (int i = 0; i < 300; ++i)
        locations.push_back({tmp.path() / "entities" / ("e" + std::to_string(i)), {}});
    locations[150].dir = existingDir;
    locations[7].options.algorithm = JwsAlgorithm::EdDSA;

    std::vector<Result<KeyStore>> opened = KeyStore::openAll(locations, kT0);
    REQUIRE(opened.size() == locations.size());
    std::set<std::string> kids;
    for (std::size_t i = 0; i < opened.size(); ++i) {
        CAPTURE(i);
        REQUIRE_MESSAGE(opened[i].has_value(), opened[i].error().describe());
        const KeyStore &store = *opened[i];
        CHECK(store.directory() == locations[i].dir);
        REQUIRE(store.records().size() == 1);
        const KeyRecord &record = store.records()[0];
        CHECK(record.state == KeyState::Active);
        CHECK(record.createdAt == (i == 150 ? kT0 - kDay : kT0));
        CHECK(record.alg == (i == 7 ? JwsAlgorithm::EdDSA : JwsAlgorithm::ES256));
        CHECK(store.activeKey().hasPrivate());
        CHECK(store.activeKey().kid() == record.kid);
        kids.insert(record.kid);
        // The files as open() leaves them: 0700, 0600, no temporary left.
        CHECK(modeOf(locations[i].dir) == 0700);
        CHECK(modeOf(locations[i].dir / (record.kid + ".pem")) == 0600);
        std::size_t files = 0;
        for (const auto &entry : fs::directory_iterator(locations[i].dir)) {
            CHECK((entry.path().filename() == "keys.json" || entry.path().extension() == ".pem"));
            ++files;
        }
        CHECK(files == 2);
        // And open() reads back the same store.
        KeyStore again = openStore(locations[i].dir, kT0 + 1);
        CHECK(again.records()[0].kid == record.kid);
    }
    CHECK(kids.size() == locations.size());  // a key of its own each
    CHECK((*opened[150]).records()[0].kid == existing.records()[0].kid);
}

TEST_CASE("openAll: errors are per store, with open()'s codes; a directory listed twice is one store")
{
    TempDir tmp;
    writeText(tmp.path() / "plain-file", "not a directory");
    std::vector<KeyStoreLocation> locations = {
        {tmp.path() / "a", {}},
        {tmp.path() / "plain-file", {}},
        {tmp.path() / "b", {.createIfMissing = false}},
        {tmp.path() / "c", {.retiredKeyLifetime = std::chrono::seconds(1)}},
        {tmp.path() / "a", {}},
        {tmp.path() / "sub" / ".." / "a", {}},
    };
    std::vector<Result<KeyStore>> opened = KeyStore::openAll(locations, kT0);
    REQUIRE(opened.size() == locations.size());
    REQUIRE_MESSAGE(opened[0], opened[0].error().describe());
    REQUIRE_FALSE(opened[1]);
    CHECK(opened[1].error().code == ErrorCode::InvalidArgument);
    CHECK(opened[1].error().message.find("plain-file") != std::string::npos);
    REQUIRE_FALSE(opened[2]);
    CHECK(opened[2].error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(fs::exists(tmp.path() / "b"));
    REQUIRE_FALSE(opened[3]);
    CHECK(opened[3].error().code == ErrorCode::InvalidArgument);
    CHECK(opened[3].error().claim == "retiredKeyLifetime");
    CHECK_FALSE(fs::exists(tmp.path() / "c"));
    for (std::size_t i : {4u, 5u}) {
        REQUIRE_MESSAGE(opened[i], opened[i].error().describe());
        CHECK(opened[i]->records().size() == 1);
        CHECK(opened[i]->records()[0].kid == opened[0]->records()[0].kid);
    }

    // A time before the epoch is refused for every store, none created.
    std::vector<Result<KeyStore>> early = KeyStore::openAll({{tmp.path() / "d", {}}}, -1);
    REQUIRE_FALSE(early[0]);
    CHECK(early[0].error().code == ErrorCode::InvalidArgument);
    CHECK_FALSE(fs::exists(tmp.path() / "d"));
    CHECK(KeyStore::openAll({}, kT0).empty());
}

TEST_CASE("openAll waits for another writer's lock and keeps the store that writer created")
{
    TempDir tmp;
    // A complete store made elsewhere, to be copied in by the other writer.
    const fs::path made = tmp.path() / "made";
    const KeyStore original = openStore(made, kT0);
    const std::string kid = original.records()[0].kid;

    // The other writer holds the directory's lock (as open() or `oidfed
    // keys` would) while openAll() starts; it puts its store in place, then
    // releases the lock. openAll() must load that store, not add a key.
    const fs::path dir = tmp.keys();
    REQUIRE(createPrivateDirectory(dir));
    auto lock = DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive);
    REQUIRE(lock);
    std::atomic<bool> done{false};
    std::thread opener([&] {
        std::vector<Result<KeyStore>> opened = KeyStore::openAll({{dir, {}}}, kT0 + 5);
        CHECK(opened[0].has_value());  // no REQUIRE off the test's thread
        if (opened[0]) {
            CHECK(opened[0]->records().size() == 1);
            CHECK(opened[0]->records()[0].kid == kid);
        }
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(done.load());  // waiting for the lock
    fs::copy_file(made / (kid + ".pem"), dir / (kid + ".pem"));
    fs::copy_file(made / "keys.json", dir / "keys.json");
    { auto released = std::move(lock); }
    opener.join();
    CHECK(done.load());
    std::size_t pems = 0;
    for (const auto &entry : fs::directory_iterator(dir))
        pems += entry.path().extension() == ".pem" ? 1 : 0;
    CHECK(pems == 1);
}
