// oidfed keys init|list|rotate|activate|revoke|pin --dir DIR
//
// Manages the key directory of a hosted entity (src/entity/key_store.h): the
// keys.json manifest and one private key file (0600) per key. Key rollover
// (spec 11.2) is `rotate` (announce a Next key), wait until relying parties
// have it, then `activate` (it signs; the old key is Retired and stays
// published for --retired-lifetime). `revoke` withdraws a Next or Retired key
// (spec 8.7.3). `pin` prints a trust anchor pin file for `oidfed resolve
// --trust-anchor-file`. Private key material is never printed.
//
// Exit codes: 0 ok; 1 the key directory is invalid (a corrupt manifest, a
// private key that does not match its record); 2 usage or configuration
// errors, including a missing store, a group-readable private key file, an
// unknown kid and a refused transition (a second Next key, revoking the
// Active key).

#include "commands.h"

#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/jwk.h>

#include "entity/key_listing.h"
#include "entity/key_store.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

using entity::KeyRecord;
using entity::KeyState;
using entity::KeyStore;
using entity::KeyStoreOptions;

struct KeysArgs {
    std::string dir;
    std::string alg;  ///< empty: ES256 for init, the active key's for rotate
    std::string at;
    std::int64_t retiredLifetime = 0;  ///< 0: the KeyStoreOptions default
    std::string kid;
    std::string reason = "unspecified";
    std::string entityId;
    bool allowHttp = false;
};

/// Reports an error; an unknown kid is a usage error (2), not an invalid
/// thing examined.
int reportKeysError(const Error &error, Format format)
{
    const int code = reportError(error, format);
    return error.code == ErrorCode::NotFound ? kExitUsage : code;
}

Result<JwsAlgorithm> algorithmArg(const std::string &name)
{
    auto alg = parseJwsAlgorithm(name);
    if (!alg)
        return fail(ErrorCode::InvalidArgument, "unsupported --alg " + name);
    return *alg;
}

Result<KeyStore> openExisting(const KeysArgs &args, UnixTime now)
{
    KeyStoreOptions options;
    options.createIfMissing = false;
    if (args.retiredLifetime != 0)
        options.retiredKeyLifetime = std::chrono::seconds(args.retiredLifetime);
    if (!args.alg.empty()) {
        OIDFED_TRY(options.algorithm, algorithmArg(args.alg));
    }
    OIDFED_TRY(KeyStore store, KeyStore::open(args.dir, options, now));
    if (!args.alg.empty())
        return store;
    // Without --alg, new keys keep the algorithm of the Active key.
    for (const KeyRecord &record : store.records())
        if (record.state == KeyState::Active)
            options.algorithm = record.alg;
    return KeyStore::open(args.dir, options, now);
}

void printTable(const KeyStore &store, UnixTime now)
{
    std::cout << std::left << std::setw(9) << "STATE" << std::setw(7) << "ALG" << std::setw(11) << "PUBLISHED"
              << std::setw(45) << "KID" << "DATES\n";
    for (const KeyRecord &record : store.records()) {
        std::ostringstream dates;
        dates << "created " << formatRfc3339(record.createdAt);
        if (record.activatedAt != 0)
            dates << ", activated " << formatRfc3339(record.activatedAt);
        if (record.retiredAt != 0)
            dates << ", retired " << formatRfc3339(record.retiredAt);
        if (auto exp = entity::keyExpOf(record))
            dates << ", exp " << formatRfc3339(*exp);
        if (record.revoked)
            dates << ", REVOKED " << formatRfc3339(record.revoked->revokedAt) << " (" << record.revoked->reason
                  << ")";
        std::cout << std::left << std::setw(9) << entity::keyStateName(record.state) << std::setw(7)
                  << jwsAlgorithmName(record.alg) << std::setw(11)
                  << (entity::isPublishedAt(record, now) ? "yes" : "no") << std::setw(45) << record.kid
                  << dates.str() << '\n';
    }
}

/// The outcome of a command that changed the directory: the action, the
/// key concerned, the new listing, and that a running server publishes it
/// after a reload.
int printChange(const KeyStore &store, std::string_view action, const std::string &kid, std::string_view note,
                UnixTime now, Format format)
{
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("action", action);
        out.set("kid", kid);
        Json state = entity::keyListing(store, now);
        for (auto &[name, value] : state.asObject())
            out.set(name, std::move(value));
        out.set("reload", kReloadNote);
        printJson(out);
    } else {
        std::cout << action << ": " << kid << " (" << note << ")\n\n";
        printTable(store, now);
        std::cout << '\n';
        printReloadNote();
    }
    return kExitOk;
}

int runInit(const KeysArgs &args, Format format)
{
    const UnixTime now = makeSystemClock()->now();
    KeyStoreOptions options;
    auto alg = algorithmArg(args.alg.empty() ? "ES256" : args.alg);
    if (!alg)
        return reportKeysError(alg.error(), format);
    options.algorithm = *alg;
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(args.dir) / "keys.json", ec))
        return reportKeysError(Error(ErrorCode::InvalidArgument, args.dir + " already holds a key store (keys.json)"), format);
    auto store = KeyStore::open(args.dir, options, now);
    if (!store)
        return reportKeysError(store.error(), format);
    return printChange(*store, "initialized", store->activeKey().kid(), "the active key", now, format);
}

int runList(const KeysArgs &args, Format format)
{
    UnixTime now = makeSystemClock()->now();
    if (!args.at.empty()) {
        auto at = parseRfc3339(args.at);
        if (!at)
            return reportKeysError(at.error(), format);
        now = *at;
    }
    auto store = openExisting(args, now);
    if (!store)
        return reportKeysError(store.error(), format);
    if (format == Format::Json)
        printJson(entity::keyListing(*store, now));
    else
        printTable(*store, now);
    return kExitOk;
}

int runRotate(const KeysArgs &args, Format format)
{
    const UnixTime now = makeSystemClock()->now();
    auto store = openExisting(args, now);
    if (!store)
        return reportKeysError(store.error(), format);
    auto rotated = store->rotate(now);
    if (!rotated)
        return reportKeysError(rotated.error(), format);
    return printChange(*rotated, "rotated", rotated->nextKey()->kid(),
                       "new next key, published; activate it once relying parties have it", now, format);
}

int runActivate(const KeysArgs &args, Format format)
{
    const UnixTime now = makeSystemClock()->now();
    auto store = openExisting(args, now);
    if (!store)
        return reportKeysError(store.error(), format);
    auto activated = store->activate(now);
    if (!activated)
        return reportKeysError(activated.error(), format);
    return printChange(*activated, "activated", activated->activeKey().kid(),
                       "now signs; the previous key is retired and stays published until its exp", now, format);
}

/// The kid to revoke. A kid is base64url, and one in 64 begins with "-",
/// which the parser takes for an unknown option and leaves over: such a
/// word, alone, is the kid (`-- KID` gives it as the positional too).
Result<std::string> kidArg(const KeysArgs &args, std::vector<std::string> leftOver)
{
    std::erase(leftOver, "--");  // the parser leaves the separator over too
    const bool base64url =
        leftOver.size() == 1 && leftOver.front().find_first_not_of(
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
    if (!leftOver.empty() && (!args.kid.empty() || !base64url))
        return fail(ErrorCode::InvalidArgument, "unexpected argument " + leftOver.front());
    if (!leftOver.empty())
        return leftOver.front();
    if (args.kid.empty())
        return fail(ErrorCode::InvalidArgument, "kid is required");
    return args.kid;
}

int runRevoke(const KeysArgs &args, const std::vector<std::string> &leftOver, Format format)
{
    auto kid = kidArg(args, leftOver);
    if (!kid)
        return reportKeysError(kid.error(), format);
    const UnixTime now = makeSystemClock()->now();
    auto store = openExisting(args, now);
    if (!store)
        return reportKeysError(store.error(), format);
    auto revoked = store->revoke(*kid, args.reason, now);
    if (!revoked)
        return reportKeysError(revoked.error(), format);
    return printChange(*revoked, "revoked", *kid, "withdrawn from jwks; private key file deleted", now, format);
}

int runPin(const KeysArgs &args, Format format)
{
    const UnixTime now = makeSystemClock()->now();
    auto entityId = EntityId::parse(args.entityId, EntityIdOptions{.allowHttp = args.allowHttp});
    if (!entityId)
        return reportKeysError(Error(ErrorCode::InvalidArgument, "--entity-id: " + entityId.error().message), format);
    auto store = openExisting(args, now);
    if (!store)
        return reportKeysError(store.error(), format);
    Json pin = Json::object();
    pin.set("entity_id", entityId->str());
    pin.set("jwks", store->publishedKeys(now).toJson());
    printJson(pin);  // a file format: JSON in both output formats
    return kExitOk;
}

CLI::App *addDirSubcommand(CLI::App &keys, const std::string &name, const std::string &description,
                           const std::shared_ptr<KeysArgs> &args)
{
    auto *cmd = keys.add_subcommand(name, description);
    cmd->add_option("--dir", args->dir, "The key directory (keys.json and <kid>.pem files)")->required();
    return cmd;
}

std::vector<std::string> generatedAlgorithms()
{
    return {"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"};
}

} // namespace

void addKeysCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<KeysArgs>();
    auto *keys = app.add_subcommand("keys", "Manage the Federation Entity Keys of a hosted entity (rollover, revocation)");
    keys->require_subcommand(1);

    auto *init = addDirSubcommand(*keys, "init", "Create a key directory with one active key", args);
    init->add_option("--alg", args->alg, "ES256 (default), ES384, ES512, RS256, PS256 or EdDSA")
        ->check(CLI::IsMember(generatedAlgorithms()));
    init->callback([args, &ctx] { ctx.exitCode = runInit(*args, ctx.global.resolved()); });

    auto *list = addDirSubcommand(*keys, "list", "List the keys, their states and the published JWK Set", args);
    list->add_option("--at", args->at, "Evaluate publication as of this time (RFC 3339 or NumericDate)");
    list->callback([args, &ctx] { ctx.exitCode = runList(*args, ctx.global.resolved()); });

    auto *rotate = addDirSubcommand(*keys, "rotate", "Generate and announce a next key (published, not signing)", args);
    rotate->add_option("--alg", args->alg, "Algorithm of the new key (default: the active key's)")
        ->check(CLI::IsMember(generatedAlgorithms()));
    rotate->callback([args, &ctx] { ctx.exitCode = runRotate(*args, ctx.global.resolved()); });

    auto *activate =
        addDirSubcommand(*keys, "activate", "Make the next key the signing key; retire the active one", args);
    activate->add_option("--retired-lifetime", args->retiredLifetime,
                         "Seconds the retired key stays published (3600..31536000, default 604800)");
    activate->callback([args, &ctx] { ctx.exitCode = runActivate(*args, ctx.global.resolved()); });

    auto *revoke = addDirSubcommand(*keys, "revoke", "Revoke a next or retired key (spec 8.7.3)", args);
    revoke->add_option("kid", args->kid, "The kid of the key to revoke (required)");
    revoke->add_option("--reason", args->reason, "unspecified (default), compromised or superseded");
    revoke->allow_extras();  // a kid that begins with "-": kidArg()
    revoke->set_help_flag("--help", "Print this help message and exit");  // "-h..." may begin a kid
    revoke->callback(
        [args, revoke, &ctx] { ctx.exitCode = runRevoke(*args, revoke->remaining(), ctx.global.resolved()); });

    auto *pin = addDirSubcommand(*keys, "pin", "Print a trust anchor pin file {\"entity_id\", \"jwks\"}", args);
    pin->add_option("--entity-id", args->entityId, "The Entity Identifier these keys belong to")->required();
    pin->add_flag("--allow-http", args->allowHttp, "Accept an http:// entity id (tests on loopback only)");
    pin->callback([args, &ctx] { ctx.exitCode = runPin(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
