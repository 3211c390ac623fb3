// oidfed subordinate list --dir DIR
// oidfed subordinate show ENTITY_ID --dir DIR
// oidfed subordinate remove ENTITY_ID --dir DIR [--dry-run]
// oidfed subordinate refresh-keys ENTITY_ID --dir DIR [--force] [--dry-run]
//     [--ca-file PEM] [--allow-http] [--allow-loopback]
// (block and unblock: subordinate_block_command.cpp)
// oidfed subordinate set ENTITY_ID --dir DIR [--metadata FILE]
//     [--metadata-policy FILE] [--constraints FILE] [--entity-type T ...]
//     [--intermediate true|false] [--lifetime SECONDS] [--comment TEXT]
//     [--clear MEMBER ...] [--dry-run]
//
// The rest of a subordinate's life after `subordinate add`, on the
// reviewable files of a subordinate directory (docs/subordinates.md). A
// subordinate is found by the entity id its file records, whatever the file
// is called. Every change is checked by the loader's own parser before it is
// written (atomically), changes only what it names, and says which members
// it changed; nothing is dropped silently. `refresh-keys` takes the keys from
// the subordinate's Entity Configuration (self-signed, valid) and changes
// only `jwks`; when that Entity Configuration is not signed by a key pinned
// for it, the new keys must be confirmed out of band and the command run
// again with --force. Exit codes: 0 done (or nothing to do); 1 the result
// would not load, the Entity Configuration is invalid or not signed by a
// pinned key, or (list) a file does not load; 2 usage (unknown entity,
// missing directory, unreadable input file); 3 unavailable (refresh-keys'
// fetch).

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/federation_urls.h>

#include "subordinate_support.h"

namespace oidfed::cli {

namespace {

std::string kidsOf(const entity::Subordinate &subordinate)
{
    if (!subordinate.jwks)
        return "(hosted: the entity's own keys)";
    std::string out;
    for (const Jwk &key : subordinate.jwks->keys())
        out += (out.empty() ? "" : ", ") + key.kid();
    return out;
}

// ---- list --------------------------------------------------------------

/// Every subordinate of the set, the blocked ones included, by entity id.
std::vector<entity::Subordinate> listedRecords(const entity::SubordinateSet &set)
{
    std::vector<entity::Subordinate> records = set.all();
    records.insert(records.end(), set.blocked().begin(), set.blocked().end());
    std::sort(records.begin(), records.end(), [](const entity::Subordinate &a, const entity::Subordinate &b) {
        return a.entityId.str() < b.entityId.str();
    });
    return records;
}

int runList(const DirArgs &args, Format format)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(args.dir, ec))
        return failWith(Error(ErrorCode::InvalidArgument, "--dir " + args.dir + " is not an existing directory"),
                        format, kExitUsage);
    auto load = entity::SubordinateSet::loadEachFile(args.dir, idOptionsOf(args), nullptr);
    if (!load)
        return failWith(load.error(), format, kExitUsage);

    Json subordinates = Json::array();
    for (const entity::Subordinate &subordinate : listedRecords(*load->set)) {
        Json entry = Json::object();
        entry.set("entity_id", subordinate.entityId.str());
        entry.set("file", subordinate.sourceFile);
        entry.set("intermediate", subordinate.intermediate);
        entry.set("entity_types", stringsJson(subordinate.entityTypes));
        entry.set("keys", subordinate.jwks ? keysJson(*subordinate.jwks) : Json());
        entry.set("has_metadata", !subordinate.metadata.isNull());
        entry.set("has_metadata_policy", !subordinate.metadataPolicy.isNull());
        entry.set("has_constraints", !subordinate.constraints.isNull());
        entry.set("statement_lifetime", subordinate.statementLifetime ? Json(*subordinate.statementLifetime) : Json());
        entry.set("blocked", subordinate.blocked ? *entity::subordinateToJson(subordinate).find("blocked") : Json());
        subordinates.push(std::move(entry));
    }
    Json problems = entity::subordinateProblemsJson(load->problems);

    if (format == Format::Json) {
        Json out = Json::object();
        out.set("dir", args.dir);
        out.set("subordinates", std::move(subordinates));
        out.set("problems", std::move(problems));
        printJson(out);
    } else {
        std::cout << load->set->size() << " subordinate" << (load->set->size() == 1 ? "" : "s") << " in "
                  << args.dir;
        if (!load->set->blocked().empty())
            std::cout << ", and " << load->set->blocked().size() << " blocked";
        std::cout << "\n";
        for (const entity::Subordinate &subordinate : listedRecords(*load->set)) {
            std::cout << "  " << subordinate.entityId.str() << (subordinate.intermediate ? "  [intermediate]" : "")
                      << (subordinate.blocked ? "  [blocked: " + subordinate.blocked->reason + "]" : "")
                      << "\n    file " << subordinate.sourceFile << "; keys " << kidsOf(subordinate);
            if (!subordinate.metadataPolicy.isNull())
                std::cout << "; metadata_policy";
            if (!subordinate.constraints.isNull())
                std::cout << "; constraints";
            if (!subordinate.metadata.isNull())
                std::cout << "; metadata";
            std::cout << "\n";
        }
        for (const entity::SubordinateProblem &problem : load->problems)
            std::cout << "  does not load: " << problem.file << ": " << problem.error.message << "\n";
    }
    return load->problems.empty() ? kExitOk : kExitInvalid;
}

// ---- show --------------------------------------------------------------

int runShow(const DirArgs &args, Format format)
{
    auto listed = findSubordinate(args.dir, args.entityId, idOptionsOf(args));
    if (!listed)
        return failWith(listed.error(), format, kExitUsage);
    const Json keys = listed->record.jwks ? keysJson(*listed->record.jwks) : Json();
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", listed->record.entityId.str());
        out.set("file", listed->path.string());
        out.set("keys", keys);
        out.set("subordinate", listed->json);
        printJson(out);
        return kExitOk;
    }
    std::cout << "entity: " << listed->record.entityId.str() << "\nfile:   " << listed->path.string() << "\n";
    if (keys.isNull())
        std::cout << "keys:   none pinned (hosted: the server fills in the entity's published keys)\n";
    else
        for (const Json &key : keys.asArray())
            std::cout << "key:    kid " << key.find("kid")->asString() << "  thumbprint "
                      << key.find("thumbprint")->asString() << "\n";
    std::cout << listed->json.dump(true) << "\n";
    return kExitOk;
}

// ---- remove ------------------------------------------------------------

int runRemove(const DirArgs &args, Format format)
{
    auto listed = findSubordinate(args.dir, args.entityId, idOptionsOf(args));
    if (!listed)
        return failWith(listed.error(), format, kExitUsage);
    if (!args.dryRun) {
        std::error_code ec;
        if (!std::filesystem::remove(listed->path, ec))
            return failWith(Error(ErrorCode::InvalidArgument,
                                  "cannot remove " + listed->path.string() + ": " + ec.message()),
                            format, kExitUsage);
    }
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", listed->record.entityId.str());
        out.set("file", listed->path.string());
        out.set("removed", !args.dryRun);
        out.set("dry_run", args.dryRun);
        // What was removed, for the record (and to put back).
        out.set("subordinate", listed->json);
        if (!args.dryRun)
            out.set("reload", kReloadNote);
        printJson(out);
        return kExitOk;
    }
    std::cout << (args.dryRun ? "dry run: would remove " : "removed: ") << listed->path.string() << " ("
              << listed->record.entityId.str() << ")\n";
    if (!args.dryRun)
        printReloadNote();
    return kExitOk;
}

// ---- refresh-keys ------------------------------------------------------

struct RefreshArgs {
    DirArgs dir;
    bool allowLoopback = false;
    std::string caFile;
    bool force = false;
};

std::vector<std::string> missingFrom(const std::vector<std::string> &values, const std::vector<std::string> &other)
{
    std::vector<std::string> out;
    for (const std::string &value : values)
        if (std::find(other.begin(), other.end(), value) == other.end())
            out.push_back(value);
    return out;
}

int runRefreshKeys(const RefreshArgs &args, Format format)
{
    const EntityIdOptions idOptions = idOptionsOf(args.dir);
    auto id = EntityId::parse(args.dir.entityId, idOptions);
    if (!id)
        return failWith(Error(ErrorCode::InvalidArgument, "ENTITY_ID " + args.dir.entityId +
                                                              " is not a valid Entity Identifier: " + id.error().message),
                        format, kExitUsage);
    auto listed = findSubordinate(args.dir.dir, id->str(), idOptions);
    if (!listed)
        return failWith(listed.error(), format, kExitUsage);
    if (!listed->record.jwks)
        return failWith(Error(ErrorCode::InvalidArgument,
                              listed->path.string() + " pins no keys: the server fills in the keys of the entity it "
                                                      "hosts, there is nothing to refresh")
                            .withClaim("jwks"),
                        format, kExitUsage);

    auto url = entityConfigurationUrl(id->str());
    if (!url)
        return failWith(url.error(), format, kExitUsage);
    auto token = fetchEntityConfiguration(
        EcFetchSwitches{.allowHttp = args.dir.allowHttp, .allowLoopback = args.allowLoopback, .caFile = args.caFile},
        *url);
    if (!token)
        return failWith(token.error(), format, fetchExitCode(token.error()));
    auto statement = checkEntityConfiguration(*token, *id, *url, idOptions);
    if (!statement)
        return failWith(statement.error(), format, kExitInvalid);

    const JwkSet &pinned = *listed->record.jwks;
    const std::vector<std::string> before = thumbprintsOf(pinned);
    const std::vector<std::string> after = thumbprintsOf(statement->jwks());
    const bool changed = statement->jwks().toJson() != pinned.toJson();
    // Continuity: signed with a key the operator pinned, so the new set comes
    // from whoever holds the old key.
    const bool signedByPinned = static_cast<bool>(statement->verifySignature(pinned));
    if (changed && !signedByPinned && !args.force)
        return failWith(Error(ErrorCode::KeyNotFound,
                              "the Entity Configuration at " + *url + " is not signed by a key pinned for " +
                                  id->str() + " (pinned: " + kidsOf(listed->record) +
                                  "): confirm the new thumbprints with the entity out of band, then run again with "
                                  "--force")
                            .withEntity(id->str())
                            .withClaim("jwks"),
                        format, kExitInvalid);

    Json next = listed->json;
    next.set("jwks", statement->jwks().toJson());
    if (changed) {
        if (std::optional<int> failed = writeChecked(*listed, next, args.dir, format))
            return *failed;
    }

    const bool written = changed && !args.dir.dryRun;
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", id->str());
        out.set("file", listed->path.string());
        out.set("entity_configuration_url", *url);
        out.set("changed", changed);
        out.set("written", written);
        out.set("dry_run", args.dir.dryRun);
        out.set("signed_by_pinned_key", signedByPinned);
        out.set("old_keys", keysJson(pinned));
        out.set("new_keys", keysJson(statement->jwks()));
        out.set("added", stringsJson(missingFrom(after, before)));
        out.set("removed", stringsJson(missingFrom(before, after)));
        if (written)
            out.set("reload", kReloadNote);
        printJson(out);
        return kExitOk;
    }
    std::cout << "entity:  " << id->str() << "\nfetched: " << *url << " (self-signature verified; "
              << (signedByPinned ? "signed with a pinned key" : "NOT signed with a pinned key, --force given")
              << ")\n";
    for (const std::string &thumbprint : missingFrom(before, after))
        std::cout << "removed: thumbprint " << thumbprint << "\n";
    for (const std::string &thumbprint : missingFrom(after, before))
        std::cout << "added:   thumbprint " << thumbprint << " (confirm it with the entity out of band)\n";
    if (!changed)
        std::cout << "unchanged: the pinned keys are the ones it publishes\n";
    else if (args.dir.dryRun)
        std::cout << "dry run: would write " << listed->path.string() << "\n";
    else {
        std::cout << "wrote:   " << listed->path.string() << " (only jwks changed)\n";
        printReloadNote();
    }
    return kExitOk;
}

// ---- set ---------------------------------------------------------------

struct SetArgs {
    DirArgs dir;
    std::string metadataFile;
    std::string metadataPolicyFile;
    std::string constraintsFile;
    std::vector<std::string> entityTypes;
    std::string intermediate;
    std::int64_t lifetime = 0;
    CLI::Option *lifetimeOption = nullptr;
    std::string comment;
    CLI::Option *commentOption = nullptr;
    std::vector<std::string> clear;
};

/// The changes the arguments ask for: member -> new value (null: clear).
Result<std::vector<std::pair<std::string, Json>>> requestedChanges(const SetArgs &args)
{
    std::vector<std::pair<std::string, Json>> changes;
    auto fromFile = [&changes](const std::string &path, const char *member) -> Result<void> {
        if (path.empty())
            return ok();
        OIDFED_TRY(std::string text, readInput(path, member));
        auto value = parseJson(text);
        if (!value)
            return fail(Error(ErrorCode::InvalidArgument, path + " is not JSON: " + value.error().message)
                            .withClaim(member));
        changes.emplace_back(member, std::move(*value));
        return ok();
    };
    OIDFED_TRY_VOID(fromFile(args.metadataFile, "metadata"));
    OIDFED_TRY_VOID(fromFile(args.metadataPolicyFile, "metadata_policy"));
    OIDFED_TRY_VOID(fromFile(args.constraintsFile, "constraints"));
    if (!args.entityTypes.empty())
        changes.emplace_back("entity_types", stringsJson(args.entityTypes));
    if (!args.intermediate.empty()) {
        if (args.intermediate != "true" && args.intermediate != "false")
            return fail(ErrorCode::InvalidArgument, "--intermediate must be true or false");
        changes.emplace_back("intermediate", args.intermediate == "true");
    }
    if (args.lifetimeOption && args.lifetimeOption->count() > 0)
        changes.emplace_back("statement_lifetime", args.lifetime);
    if (args.commentOption && args.commentOption->count() > 0)
        changes.emplace_back("comment", args.comment);
    for (const std::string &member : args.clear) {
        if (!entity::isSettableSubordinateMember(member))
            return fail(Error(ErrorCode::InvalidArgument, "--clear " + member + ": not a member that can be cleared")
                            .withClaim(member));
        for (const auto &change : changes)
            if (change.first == member)
                return fail(Error(ErrorCode::InvalidArgument, member + " is both set and cleared").withClaim(member));
        changes.emplace_back(member, Json());
    }
    if (changes.empty())
        return fail(ErrorCode::InvalidArgument,
                    "nothing to change: give --metadata, --metadata-policy, --constraints, --entity-type, "
                    "--intermediate, --lifetime, --comment or --clear");
    return changes;
}

int runSet(const SetArgs &args, Format format)
{
    auto changes = requestedChanges(args);
    if (!changes)
        return failWith(changes.error(), format, kExitUsage);
    auto listed = findSubordinate(args.dir.dir, args.dir.entityId, idOptionsOf(args.dir));
    if (!listed)
        return failWith(listed.error(), format, kExitUsage);

    Json next = listed->json;
    std::vector<std::string> changed;
    for (const auto &[member, value] : *changes) {
        const Json *current = listed->json.find(member);
        if (value.isNull() ? current == nullptr : (current && *current == value))
            continue;
        if (value.isNull())
            next.erase(member);
        else
            next.set(member, value);
        changed.push_back(member);
    }
    if (!changed.empty()) {
        // The loader's own checks: a policy that cannot be combined, a
        // misspelt constraint, a lifetime out of range is refused here,
        // naming the member, and the file stays as it was.
        if (std::optional<int> failed = writeChecked(*listed, next, args.dir, format))
            return *failed;
    }

    const bool written = !changed.empty() && !args.dir.dryRun;
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", listed->record.entityId.str());
        out.set("file", listed->path.string());
        out.set("changed", stringsJson(changed));
        out.set("written", written);
        out.set("dry_run", args.dir.dryRun);
        out.set("subordinate", next);
        if (written)
            out.set("reload", kReloadNote);
        printJson(out);
        return kExitOk;
    }
    if (changed.empty()) {
        std::cout << "unchanged: " << listed->path.string() << " already says so\n";
        return kExitOk;
    }
    std::string names;
    for (const std::string &member : changed)
        names += (names.empty() ? "" : ", ") + member;
    std::cout << (args.dir.dryRun ? "dry run: would change " : "changed: ") << names << " in "
              << listed->path.string() << "\n";
    if (args.dir.dryRun)
        std::cout << next.dump(true) << "\n";
    else
        printReloadNote();
    return kExitOk;
}

} // namespace

void addSubordinateManageCommands(CLI::App &group, CommandContext &ctx)
{
    auto list = std::make_shared<DirArgs>();
    auto *listCmd = group.add_subcommand("list", "List the subordinates of DIR, and the files that do not load");
    addDirOptions(*listCmd, *list, false);
    listCmd->callback([list, &ctx] { ctx.exitCode = runList(*list, ctx.global.resolved()); });

    auto show = std::make_shared<DirArgs>();
    auto *showCmd = group.add_subcommand("show", "Show a subordinate's file and its pinned keys' thumbprints");
    addDirOptions(*showCmd, *show, true);
    showCmd->callback([show, &ctx] { ctx.exitCode = runShow(*show, ctx.global.resolved()); });

    auto remove = std::make_shared<DirArgs>();
    auto *removeCmd = group.add_subcommand("remove", "Remove a subordinate's file (printed in the JSON output)");
    addDirOptions(*removeCmd, *remove, true);
    removeCmd->add_flag("--dry-run", remove->dryRun, "Say which file would go, remove nothing");
    removeCmd->callback([remove, &ctx] { ctx.exitCode = runRemove(*remove, ctx.global.resolved()); });

    auto refresh = std::make_shared<RefreshArgs>();
    auto *refreshCmd = group.add_subcommand(
        "refresh-keys", "Fetch the subordinate's Entity Configuration and pin its current keys (only jwks changes)");
    addDirOptions(*refreshCmd, refresh->dir, true);
    refreshCmd->add_flag("--allow-loopback", refresh->allowLoopback,
                         "TEST SWITCH: allow fetching from 127.0.0.0/8 and ::1");
    refreshCmd->add_option("--ca-file", refresh->caFile, "Additional trusted CA certificates (PEM)");
    refreshCmd->add_flag("--force", refresh->force,
                         "Pin keys from an Entity Configuration not signed by a pinned key (after confirming "
                         "the thumbprints out of band)");
    refreshCmd->add_flag("--dry-run", refresh->dir.dryRun, "Show the change, write nothing");
    refreshCmd->callback([refresh, &ctx] { ctx.exitCode = runRefreshKeys(*refresh, ctx.global.resolved()); });

    auto set = std::make_shared<SetArgs>();
    auto *setCmd = group.add_subcommand("set", "Change members of a subordinate's file, checked as the server loads it");
    addDirOptions(*setCmd, set->dir, true);
    setCmd->add_option("--metadata", set->metadataFile, "JSON file (- for stdin): the metadata member");
    setCmd->add_option("--metadata-policy", set->metadataPolicyFile, "JSON file (- for stdin): the metadata_policy member");
    setCmd->add_option("--constraints", set->constraintsFile, "JSON file (- for stdin): the constraints member");
    setCmd->add_option("--entity-type", set->entityTypes, "Repeatable: its entity types (replaces the list)");
    setCmd->add_option("--intermediate", set->intermediate, "true or false");
    set->lifetimeOption = setCmd->add_option("--lifetime", set->lifetime,
                                             "Lifetime of the statements about it, in seconds (60..31536000)");
    set->commentOption = setCmd->add_option("--comment", set->comment, "Free text for reviewers");
    setCmd->add_option("--clear", set->clear,
                       "Repeatable: remove a member (entity_types, intermediate, metadata, metadata_policy, "
                       "metadata_policy_crit, constraints, statement_lifetime, comment)");
    setCmd->add_flag("--dry-run", set->dir.dryRun, "Check and print the new file, write nothing");
    setCmd->callback([set, &ctx] { ctx.exitCode = runSet(*set, ctx.global.resolved()); });
}

} // namespace oidfed::cli
