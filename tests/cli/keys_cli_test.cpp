// `oidfed keys init|list|rotate|activate|revoke|pin`, run as an operator
// would: the built binary on a fresh temporary key directory, no shell.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/trust_anchor.h>

#include "entity/key_store.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;

namespace fs = std::filesystem;

using oidfed::test::TempDir;

namespace {

/// `oidfed --format json keys ARGS...`.
test::ProcessResult keys(std::vector<std::string> args)
{
    args.insert(args.begin(), {test::oidfedCli(), "--format", "json", "keys"});
    return test::runProcess(std::move(args));
}

/// Runs a command that must succeed and returns its JSON output.
Json keysOk(std::vector<std::string> args)
{
    auto run = keys(args);
    CAPTURE(run.out);
    REQUIRE(run.exitCode == 0);
    return test::json(run.out);
}

unsigned modeOf(const fs::path &path)
{
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return static_cast<unsigned>(info.st_mode & 07777);
}

const Json &keyEntry(const Json &listing, const std::string &kid)
{
    for (const Json &entry : listing.find("keys")->asArray())
        if (*entry.findString("kid") == kid)
            return entry;
    FAIL("no entry for " << kid);
    throw std::logic_error("unreachable");
}

std::vector<std::string> jwksKids(const Json &listing)
{
    std::vector<std::string> kids;
    for (const Json &key : listing.find("jwks")->find("keys")->asArray())
        kids.push_back(*key.findString("kid"));
    return kids;
}

void checkNoPrivateMaterial(const std::string &out)
{
    CHECK(out.find("\"d\"") == std::string::npos);
    CHECK(out.find("PRIVATE KEY") == std::string::npos);
}

} // namespace

TEST_CASE("keys init creates a private directory with one active key, and list shows it")
{
    TempDir tmp;
    auto init = keys({"init", "--dir", tmp.keys()});
    REQUIRE(init.exitCode == 0);
    checkNoPrivateMaterial(init.out);
    const Json created = test::json(init.out);
    CHECK(*created.findString("action") == "initialized");
    const std::string kid = *created.findString("kid");
    CHECK(modeOf(tmp.keys()) == 0700);
    CHECK(modeOf(fs::path(tmp.keys()) / (kid + ".pem")) == 0600);

    auto list = keys({"list", "--dir", tmp.keys()});
    REQUIRE(list.exitCode == 0);
    checkNoPrivateMaterial(list.out);
    const Json listing = test::json(list.out);
    REQUIRE(listing.find("keys")->size() == 1);
    const Json &entry = keyEntry(listing, kid);
    CHECK(*entry.findString("alg") == "ES256");
    CHECK(*entry.findString("state") == "active");
    CHECK(entry.find("created_at")->isInt());
    CHECK(entry.find("activated_at")->asInt() == entry.find("created_at")->asInt());
    CHECK_FALSE(entry.contains("retired_at"));
    CHECK_FALSE(entry.contains("exp"));
    CHECK_FALSE(entry.contains("revoked"));
    CHECK(entry.find("published")->asBool());
    CHECK(jwksKids(listing) == std::vector<std::string>{kid});
    auto jwks = JwkSet::fromJson(*listing.find("jwks"));
    REQUIRE(jwks.has_value());
    CHECK(jwks->find(kid)->thumbprint() == kid);
    CHECK(jwks->find(kid)->alg() == "ES256");

    // A second init never overwrites a store.
    auto again = keys({"init", "--dir", tmp.keys()});
    CHECK(again.exitCode == 2);
    CHECK(test::json(again.out).contains("error"));
    CHECK(keyEntry(keysOk({"list", "--dir", tmp.keys()}), kid).find("published")->asBool());

    // Text output is a table.
    auto text = test::runProcess({test::oidfedCli(), "--format", "text", "keys", "list", "--dir", tmp.keys()});
    CHECK(text.exitCode == 0);
    CHECK(text.out.find("STATE") != std::string::npos);
    CHECK(text.out.find(kid) != std::string::npos);
    CHECK(text.out.find("active") != std::string::npos);
    checkNoPrivateMaterial(text.out);
}

TEST_CASE("keys rotate, activate and revoke walk a key through its life")
{
    TempDir tmp;
    const std::string first = *keysOk({"init", "--dir", tmp.keys(), "--alg", "ES384"}).findString("kid");

    const Json rotated = keysOk({"rotate", "--dir", tmp.keys()});
    CHECK(*rotated.findString("action") == "rotated");
    const std::string second = *rotated.findString("kid");
    CHECK(*keyEntry(rotated, second).findString("state") == "next");
    CHECK(*keyEntry(rotated, second).findString("alg") == "ES384");  // the active key's algorithm
    CHECK(keyEntry(rotated, second).find("published")->asBool());
    CHECK(jwksKids(rotated) == std::vector<std::string>{first, second});
    CHECK(keys({"rotate", "--dir", tmp.keys()}).exitCode == 2);  // one next key at a time

    CHECK(keys({"activate", "--dir", tmp.keys(), "--retired-lifetime", "10"}).exitCode == 2);  // below 1 h
    const Json activated = keysOk({"activate", "--dir", tmp.keys(), "--retired-lifetime", "3600"});
    CHECK(*activated.findString("action") == "activated");
    CHECK(*activated.findString("kid") == second);
    const Json &old = keyEntry(activated, first);
    CHECK(*old.findString("state") == "retired");
    const std::int64_t retiredAt = old.find("retired_at")->asInt();
    CHECK(old.find("exp")->asInt() == retiredAt + 3600);
    CHECK(old.find("published")->asBool());
    CHECK(*keyEntry(activated, second).findString("state") == "active");
    CHECK(keys({"activate", "--dir", tmp.keys()}).exitCode == 2);  // no next key

    // After its exp the retired key leaves the published set.
    const Json before = keysOk({"list", "--dir", tmp.keys(), "--at", std::to_string(retiredAt + 3599)});
    CHECK(jwksKids(before) == std::vector<std::string>{first, second});
    const Json after = keysOk({"list", "--dir", tmp.keys(), "--at", std::to_string(retiredAt + 3600)});
    CHECK(jwksKids(after) == std::vector<std::string>{second});
    CHECK_FALSE(keyEntry(after, first).find("published")->asBool());
    CHECK(keys({"list", "--dir", tmp.keys(), "--at", "yesterday"}).exitCode == 2);

    // Revocation: never the active key, never an unknown kid, only spec reasons.
    CHECK(keys({"revoke", second, "--dir", tmp.keys()}).exitCode == 2);
    auto unknown = keys({"revoke", "no-such-kid", "--dir", tmp.keys()});
    CHECK(unknown.exitCode == 2);
    CHECK(*test::json(unknown.out).findString("code") == "not_found");
    CHECK(keys({"revoke", first, "--dir", tmp.keys(), "--reason", "lost"}).exitCode == 2);

    const Json revoked = keysOk({"revoke", first, "--dir", tmp.keys(), "--reason", "compromised"});
    CHECK(*revoked.findString("action") == "revoked");
    const Json &entry = keyEntry(revoked, first);
    CHECK(*entry.findString("state") == "retired");
    CHECK(*entry.find("revoked")->findString("reason") == "compromised");
    CHECK(entry.find("revoked")->find("revoked_at")->isInt());
    CHECK_FALSE(entry.find("published")->asBool());
    CHECK(jwksKids(revoked) == std::vector<std::string>{second});
    CHECK_FALSE(fs::exists(fs::path(tmp.keys()) / (first + ".pem")));
    CHECK(keys({"revoke", first, "--dir", tmp.keys()}).exitCode == 2);  // already revoked

    // --alg picks another algorithm for the next key.
    const Json eddsa = keysOk({"rotate", "--dir", tmp.keys(), "--alg", "EdDSA"});
    CHECK(*keyEntry(eddsa, *eddsa.findString("kid")).findString("alg") == "EdDSA");
    CHECK(keys({"rotate", "--dir", tmp.keys(), "--alg", "HS256"}).exitCode == 2);
}

TEST_CASE("keys revoke takes a kid that begins with \"-\" (base64url: one kid in 64)")
{
    TempDir tmp;
    const std::string active = *keysOk({"init", "--dir", tmp.keys()}).findString("kid");
    // Rotate (and revoke again) in process until the next key's kid begins
    // with "-": 64 tries on average.
    entity::KeyStoreOptions options;
    options.createIfMissing = false;
    auto store = entity::KeyStore::open(tmp.keys(), options, std::time(nullptr));
    REQUIRE(store);
    std::string dashed;
    for (int i = 0; i < 5000 && dashed.empty(); ++i) {
        auto rotated = store->rotate(std::time(nullptr));
        REQUIRE(rotated);
        const std::string kid = rotated->nextKey()->kid();
        if (kid.front() == '-')
            dashed = kid;
        else
            REQUIRE(rotated->revoke(kid, "superseded", std::time(nullptr)));
    }
    REQUIRE_FALSE(dashed.empty());
    CAPTURE(dashed);
    const Json revoked = keysOk({"revoke", dashed, "--dir", tmp.keys(), "--reason", "superseded"});
    CHECK(*revoked.findString("kid") == dashed);
    CHECK(*keyEntry(revoked, dashed).find("revoked")->findString("reason") == "superseded");
    CHECK_FALSE(fs::exists(fs::path(tmp.keys()) / (dashed + ".pem")));
    // "-h" begins a kid too, not a request for help.
    auto help = keys({"revoke", "-hAbC", "--dir", tmp.keys()});
    CHECK(help.exitCode == 2);
    CHECK(*test::json(help.out).findString("code") == "not_found");
    // After "--", any kid.
    const std::string next = *keysOk({"rotate", "--dir", tmp.keys()}).findString("kid");
    CHECK(*keysOk({"revoke", "--dir", tmp.keys(), "--", next}).findString("kid") == next);
    // Still usage errors (2): no kid, two kids, an option that is no kid.
    CHECK(keys({"revoke", "--dir", tmp.keys()}).exitCode == 2);
    CHECK(keys({"revoke", active, "--dir", tmp.keys(), dashed}).exitCode == 2);
    CHECK(keys({"revoke", "--dir", tmp.keys(), "--reasn=compromised"}).exitCode == 2);
    CHECK(keysOk({"list", "--dir", tmp.keys()}).find("keys")->asArray().size() >= 2);
}

TEST_CASE("keys pin prints a trust anchor file that parseTrustAnchors reads")
{
    TempDir tmp;
    keysOk({"init", "--dir", tmp.keys()});
    const Json rotated = keysOk({"rotate", "--dir", tmp.keys()});

    auto pin = keys({"pin", "--dir", tmp.keys(), "--entity-id", "https://ta.example.org"});
    REQUIRE(pin.exitCode == 0);
    checkNoPrivateMaterial(pin.out);
    auto anchors = parseTrustAnchors(test::json(pin.out));
    REQUIRE_MESSAGE(anchors.has_value(), anchors.error().describe());
    REQUIRE(anchors->size() == 1);
    CHECK((*anchors)[0].entityId.str() == "https://ta.example.org");
    std::vector<std::string> pinned;
    for (const Jwk &key : (*anchors)[0].jwks.keys())
        pinned.push_back(key.kid());
    CHECK(pinned == jwksKids(rotated));

    // Written to a file, it is what `oidfed resolve --trust-anchor-file` loads.
    const fs::path file = tmp.path() / "ta.json";
    std::ofstream(file) << pin.out;
    auto loaded = loadTrustAnchors(file.string());
    REQUIRE(loaded.has_value());
    CHECK((*loaded)[0].jwks.keys().size() == 2);

    CHECK(keys({"pin", "--dir", tmp.keys(), "--entity-id", "http://127.0.0.1:8080"}).exitCode == 2);
    auto http = keys({"pin", "--dir", tmp.keys(), "--entity-id", "http://127.0.0.1:8080", "--allow-http"});
    REQUIRE(http.exitCode == 0);
    CHECK(parseTrustAnchors(test::json(http.out), EntityIdOptions{.allowHttp = true}).has_value());
    CHECK(keys({"pin", "--dir", tmp.keys()}).exitCode == 2);  // --entity-id is required
}

TEST_CASE("keys exit codes: 2 for usage and configuration, 1 for an invalid key directory")
{
    TempDir tmp;
    CHECK(keys({"list"}).exitCode == 2);                                 // --dir is required
    CHECK(keys({}).exitCode == 2);                                       // a subcommand is required
    CHECK(keys({"list", "--dir", tmp.keys()}).exitCode == 2);            // no store there
    CHECK(keys({"rotate", "--dir", tmp.keys()}).exitCode == 2);          // rotate never creates one
    CHECK_FALSE(fs::exists(tmp.keys()));
    CHECK(keys({"init", "--dir", tmp.keys(), "--alg", "none"}).exitCode == 2);

    const std::string kid = *keysOk({"init", "--dir", tmp.keys()}).findString("kid");
    const fs::path pem = fs::path(tmp.keys()) / (kid + ".pem");

    // A private key file readable by others: a configuration error naming it.
    REQUIRE(::chmod(pem.c_str(), 0644) == 0);
    auto exposed = keys({"list", "--dir", tmp.keys()});
    CHECK(exposed.exitCode == 2);
    CHECK(*test::json(exposed.out).findString("code") == "invalid_argument");
    // The file is named: the operator must find it.
    CHECK(test::json(exposed.out).findString("error_description")->find(kid + ".pem") != std::string::npos);
    checkNoPrivateMaterial(exposed.out);
    REQUIRE(::chmod(pem.c_str(), 0600) == 0);

    // A corrupt manifest: the thing examined is invalid.
    const fs::path manifest = fs::path(tmp.keys()) / "keys.json";
    const std::string saved = test::readFile(manifest.string());
    std::ofstream(manifest, std::ios::trunc) << "{\"version\": 1, \"keys\": []}";
    auto corrupt = keys({"list", "--dir", tmp.keys()});
    CHECK(corrupt.exitCode == 1);
    CHECK(*test::json(corrupt.out).findString("code") == "malformed");
    std::ofstream(manifest, std::ios::trunc) << saved;
    CHECK(keys({"list", "--dir", tmp.keys()}).exitCode == 0);
}
