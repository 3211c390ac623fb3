// oidfed subordinate add ENTITY_ID --dir DIR [--intermediate]
//     [--entity-type T ...] [--lifetime SECONDS] [--issuer ID] [--ca-file PEM]
//     [--allow-http] [--allow-loopback] [--force] [--dry-run]
//
// Onboards an Immediate Subordinate: fetches its Entity Configuration through
// the guarded fetcher, checks that it is self-signed by the keys it
// publishes, shows those keys' thumbprints (for the operator to confirm with
// the entity out of band) and writes the subordinate file that pins them
// (docs/subordinates.md). With --force an existing file of the same entity
// is replaced, keeping what add does not set (metadata, metadata_policy,
// metadata_policy_crit, constraints, statement_lifetime unless --lifetime is
// given, blocked, comment), each kept member named in the output; `subordinate
// refresh-keys` changes only the keys. Exit codes: 0 written (or would be, with
// --dry-run); 1 the Entity Configuration is invalid; 2 usage (bad id,
// missing directory, existing file without --force, entity already listed in
// another file); 3 unavailable (network, timeout, HTTP error).

#include "commands.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/entity_statement.h>
#include <oidfed/federation_urls.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>

#include "core/entity_file_stem.h"
#include "entity/subordinate_file.h"
#include "entity/subordinate.h"
#include "subordinate_support.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

struct SubordinateAddArgs {
    std::string entityId;
    std::string dir;
    bool intermediate = false;
    std::vector<std::string> entityTypes;
    std::int64_t lifetime = 0;
    CLI::Option *lifetimeOption = nullptr;  ///< to tell "not given" from a value
    std::string caFile;
    std::string issuer;  ///< --issuer: this authority, which its authority_hints should name
    bool allowHttp = false;
    bool allowLoopback = false;
    bool force = false;
    bool dryRun = false;
};


std::string joined(const std::vector<std::string> &values)
{
    std::string out;
    for (const std::string &value : values)
        out += (out.empty() ? "" : ", ") + value;
    return out.empty() ? "(none)" : out;
}

std::vector<std::string> idsOf(const std::vector<EntityId> &ids)
{
    std::vector<std::string> out;
    for (const EntityId &id : ids)
        out.push_back(id.str());
    return out;
}

/// What one run found and did, for either output format.
struct AddReport {
    std::string entityId;
    std::string url;
    std::string file;
    Json keys;
    std::vector<std::string> metadataTypes;
    bool looksIntermediate = false;
    std::vector<std::string> warnings;
    Json subordinate;
    bool dryRun = false;
    bool replaced = false;
    /// --force: the members of the file it replaces that were kept.
    std::vector<std::string> kept;
};

void printReport(const AddReport &report, Format format)
{
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", report.entityId);
        out.set("entity_configuration_url", report.url);
        out.set("file", report.file);
        out.set("written", !report.dryRun);
        out.set("dry_run", report.dryRun);
        out.set("replaced", report.replaced);
        out.set("keys", report.keys);
        out.set("metadata_entity_types", stringsJson(report.metadataTypes));
        out.set("looks_like_intermediate", report.looksIntermediate);
        out.set("warnings", stringsJson(report.warnings));
        out.set("kept", stringsJson(report.kept));
        out.set("subordinate", report.subordinate);
        if (!report.dryRun)
            out.set("reload", kReloadNote);
        printJson(out);
        return;
    }
    std::cout << "entity:         " << report.entityId << "\n"
              << "fetched:        " << report.url << " (self-signature verified)\n"
              << "keys (confirm these thumbprints with the entity out of band):\n";
    for (const Json &key : report.keys.asArray()) {
        std::cout << "  kid " << key.find("kid")->asString() << "  " << key.find("kty")->asString();
        if (const std::string *crv = key.findString("crv"))
            std::cout << " " << *crv;
        if (const Json *bits = key.find("bits"))
            std::cout << " " << bits->asInt() << " bits";
        std::cout << "  thumbprint " << key.find("thumbprint")->asString() << "\n";
    }
    std::cout << "metadata types: " << joined(report.metadataTypes) << "\n"
              << "intermediate:   "
              << (report.looksIntermediate ? "looks like one (has a federation_fetch_endpoint)"
                                           : "does not look like one (no federation_fetch_endpoint)")
              << "; recorded as " << (report.subordinate.find("intermediate")->asBool() ? "intermediate" : "leaf")
              << "\n";
    for (const std::string &warning : report.warnings)
        std::cout << "warning:        " << warning << "\n";
    if (!report.kept.empty())
        std::cout << "kept:           " << joined(report.kept) << " (from the file it replaces)\n";
    if (report.dryRun) {
        std::cout << "dry run: would write " << report.file << ":\n" << report.subordinate.dump(true) << "\n";
    } else {
        std::cout << (report.replaced ? "replaced:       " : "wrote:          ") << report.file << "\n";
        printReloadNote();
    }
}

int usage(std::string message, Format format)
{
    return failWith(Error(ErrorCode::InvalidArgument, std::move(message)), format, kExitUsage);
}

/// The entity id recorded in an existing subordinate file, when readable.
std::optional<std::string> recordedEntityId(const std::filesystem::path &path)
{
    auto text = readInput(path.string());
    if (!text)
        return std::nullopt;
    auto json = parseJson(*text);
    if (!json)
        return std::nullopt;
    const std::string *id = json->findString("entity_id");
    return id ? std::optional<std::string>(*id) : std::nullopt;
}

/// The arguments that do not need the file system or the network, checked.
struct AddRequest {
    EntityId id;
    EntityIdOptions idOptions;
    bool lifetimeGiven = false;
};

/// The entity id, --lifetime and --entity-type. InvalidArgument (usage).
Result<AddRequest> checkAddArguments(const SubordinateAddArgs &args)
{
    const EntityIdOptions idOptions{.allowHttp = args.allowHttp};
    auto id = EntityId::parse(args.entityId, idOptions);
    if (!id)
        return fail(ErrorCode::InvalidArgument,
                    "ENTITY_ID " + args.entityId + " is not a valid Entity Identifier: " + id.error().message);
    const bool lifetimeGiven = args.lifetimeOption && args.lifetimeOption->count() > 0;
    if (lifetimeGiven && (args.lifetime < entity::kMinStatementLifetime || args.lifetime > entity::kMaxStatementLifetime))
        return fail(ErrorCode::InvalidArgument, "--lifetime must be " + std::to_string(entity::kMinStatementLifetime) +
                                                    ".." + std::to_string(entity::kMaxStatementLifetime) + " seconds");
    for (const std::string &type : args.entityTypes)
        if (type.empty())
            return fail(ErrorCode::InvalidArgument, "--entity-type must not be empty");
    return AddRequest{std::move(*id), idOptions, lifetimeGiven};
}

/// Where the subordinate file goes, and whether one is there already.
struct SubordinateFile {
    std::filesystem::path dir;
    std::string name;  ///< within dir
    std::filesystem::path path;
    bool exists = false;
    /// The record it holds, when it loads (--force keeps what add does not
    /// set: metadata, policy, constraints, lifetime, comment).
    std::optional<entity::Subordinate> existing;
};

/// The file for `id` in --dir: an existing one only with --force, and only
/// when it holds the same entity. InvalidArgument (usage).
Result<SubordinateFile> locateSubordinateFile(const SubordinateAddArgs &args, const EntityId &id)
{
    std::error_code ec;
    SubordinateFile file;
    file.dir = args.dir;
    file.name = entityFileStem(id) + ".json";
    if (!std::filesystem::is_directory(file.dir, ec))
        return fail(ErrorCode::InvalidArgument, "--dir " + args.dir + " is not an existing directory");
    if (file.name == entity::kSubordinateDefaultsFile)
        return fail(ErrorCode::InvalidArgument, id.str() + " would be written to " + file.name +
                                                    ", the name of the directory's defaults file");
    file.path = file.dir / file.name;
    file.exists = std::filesystem::exists(std::filesystem::symlink_status(file.path, ec));
    if (file.exists && !args.force)
        return fail(ErrorCode::InvalidArgument, file.path.string() + " already exists (use --force to replace it)");
    if (file.exists) {
        auto recorded = recordedEntityId(file.path);
        if (recorded && *recorded != id.str())
            return fail(ErrorCode::InvalidArgument,
                        file.path.string() + " holds another entity (" + *recorded + "); not replacing it");
        // A file that does not load is replaced whole, as before.
        if (auto text = readInput(file.path.string()))
            if (auto json = parseJson(*text))
                if (auto parsed = entity::parseSubordinate(*json, file.name, {.allowHttp = args.allowHttp}))
                    file.existing = std::move(*parsed);
    }
    return file;
}

/// Another file listing the same entity would make the whole directory fail
/// to load: InvalidArgument (usage). A directory that does not load as it is
/// only adds a warning to `report`.
Result<void> checkListedOnce(const SubordinateFile &file, const AddRequest &request, AddReport &report)
{
    auto current = entity::SubordinateSet::loadDirectory(file.dir, request.idOptions);
    if (!current) {
        report.warnings.push_back("the directory does not load as it is (the server would refuse it): " +
                                  current.error().message);
        return ok();
    }
    const entity::Subordinate *listed = (*current)->find(request.id.str());
    if (!listed)
        listed = (*current)->findBlocked(request.id.str());
    if (listed && listed->sourceFile != file.name)
        return fail(ErrorCode::InvalidArgument,
                    request.id.str() + " is already listed in " + (file.dir / listed->sourceFile).string());
    return ok();
}

/// What the verified Entity Configuration says, into `report`: its keys, its
/// entity types, and warnings where the arguments disagree with it.
void describeEntityConfiguration(const EntityStatement &statement, const SubordinateAddArgs &args, AddReport &report)
{
    report.keys = keysJson(statement.jwks());
    report.metadataTypes = statement.entityTypes();
    const Json *metadata = statement.claim("metadata");
    const Json *federation = metadata ? metadata->find("federation_entity") : nullptr;
    report.looksIntermediate = federation && federation->contains("federation_fetch_endpoint");
    if (report.looksIntermediate && !args.intermediate)
        report.warnings.push_back("it publishes a federation_fetch_endpoint but --intermediate was not given");
    if (!report.looksIntermediate && args.intermediate)
        report.warnings.push_back("--intermediate was given but it publishes no federation_fetch_endpoint");
    for (const std::string &type : args.entityTypes)
        if (std::find(report.metadataTypes.begin(), report.metadataTypes.end(), type) == report.metadataTypes.end())
            report.warnings.push_back("--entity-type " + type + " is not in its metadata");
    // Resolvers go up from an entity through its authority_hints (10.1): a
    // statement about it that its hints do not lead to is never found.
    const std::vector<EntityId> &hints = statement.authorityHints();
    if (hints.empty())
        report.warnings.push_back("its Entity Configuration has no authority_hints: resolvers will not find a chain "
                                  "through this authority until it names one");
    else if (!args.issuer.empty() &&
             std::none_of(hints.begin(), hints.end(), [&](const EntityId &hint) { return hint.str() == args.issuer; }))
        report.warnings.push_back("its authority_hints do not name " + args.issuer + " (they name " +
                                  joined(idsOf(hints)) +
                                  "): resolvers will not find a chain through this authority until it does");
}

/// The subordinate file's content: the Entity Configuration's keys, the
/// arguments, a comment saying where it came from; normalised through the
/// loader's own parser, so that what is written always loads.
Result<Json> subordinateFileJson(const EntityStatement &statement, const SubordinateAddArgs &args,
                                 const AddRequest &request, const SubordinateFile &file, AddReport &report)
{
    entity::Subordinate subordinate{.entityId = request.id};
    subordinate.jwks = statement.jwks();
    subordinate.entityTypes = args.entityTypes.empty() ? report.metadataTypes : args.entityTypes;
    subordinate.intermediate = args.intermediate;
    if (request.lifetimeGiven)
        subordinate.statementLifetime = args.lifetime;
    subordinate.comment = "added by oidfed subordinate add on " +
                          formatRfc3339(static_cast<UnixTime>(std::time(nullptr))) + " from " + report.url;
    if (const auto &old = file.existing) {
        // Nothing the operator wrote is dropped silently: what add does not
        // set stays, and the report names it.
        auto keep = [&report](bool present, const char *member, auto &to, const auto &from) {
            if (!present)
                return;
            to = from;
            report.kept.emplace_back(member);
        };
        keep(!old->metadata.isNull(), "metadata", subordinate.metadata, old->metadata);
        keep(!old->metadataPolicy.isNull(), "metadata_policy", subordinate.metadataPolicy, old->metadataPolicy);
        keep(!old->metadataPolicyCrit.empty(), "metadata_policy_crit", subordinate.metadataPolicyCrit,
             old->metadataPolicyCrit);
        keep(!old->constraints.isNull(), "constraints", subordinate.constraints, old->constraints);
        keep(old->statementLifetime && !request.lifetimeGiven, "statement_lifetime", subordinate.statementLifetime,
             old->statementLifetime);
        keep(old->blocked.has_value(), "blocked", subordinate.blocked, old->blocked);
        keep(!old->comment.empty(), "comment", subordinate.comment,
             old->comment + "; keys replaced by oidfed subordinate add --force on " +
                 formatRfc3339(static_cast<UnixTime>(std::time(nullptr))));
    }
    OIDFED_TRY(entity::Subordinate checked,
               entity::parseSubordinate(entity::subordinateToJson(subordinate), file.name, request.idOptions));
    return entity::subordinateToJson(checked);
}

/// Writes the file: created exclusively, or replaced atomically (--force).
Result<void> writeSubordinateFile(const SubordinateFile &file, const Json &subordinate)
{
    return entity::writeSubordinateFile(file.path, subordinate, !file.exists);
}

/// Each step's failure has its exit code: arguments, the directory and the
/// write are usage (2), the fetch is fetchExitCode(), the Entity
/// Configuration and the file built from it are invalid (1).
int runSubordinateAdd(const SubordinateAddArgs &args, Format format)
{
    auto request = checkAddArguments(args);
    if (!request)
        return failWith(request.error(), format, kExitUsage);
    auto file = locateSubordinateFile(args, request->id);
    if (!file)
        return failWith(file.error(), format, kExitUsage);

    AddReport report;
    report.entityId = request->id.str();
    report.file = file->path.string();
    report.dryRun = args.dryRun;
    report.replaced = file->exists && !args.dryRun;
    if (auto listed = checkListedOnce(*file, *request, report); !listed)
        return failWith(listed.error(), format, kExitUsage);

    auto url = entityConfigurationUrl(request->id.str());
    if (!url)
        return usage(url.error().message, format);
    report.url = *url;
    auto token = fetchEntityConfiguration(
        EcFetchSwitches{.allowHttp = args.allowHttp, .allowLoopback = args.allowLoopback, .caFile = args.caFile}, *url);
    if (!token)
        return failWith(token.error(), format, fetchExitCode(token.error()));
    auto statement = checkEntityConfiguration(*token, request->id, *url, request->idOptions);
    if (!statement)
        return failWith(statement.error(), format, kExitInvalid);
    describeEntityConfiguration(*statement, args, report);

    auto subordinate = subordinateFileJson(*statement, args, *request, *file, report);
    if (!subordinate)
        return failWith(subordinate.error(), format, kExitInvalid);
    report.subordinate = std::move(*subordinate);
    if (!args.dryRun) {
        if (auto written = writeSubordinateFile(*file, report.subordinate); !written)
            return failWith(written.error(), format, kExitUsage);
    }
    printReport(report, format);
    return kExitOk;
}

} // namespace

void addSubordinateCommand(CLI::App &app, CommandContext &ctx)
{
    auto *group = app.add_subcommand("subordinate", "Manage the Immediate Subordinates of an authority");
    group->require_subcommand(1);

    auto args = std::make_shared<SubordinateAddArgs>();
    auto *cmd = group->add_subcommand(
        "add", "Fetch an entity's Entity Configuration, check its self-signature and pin its keys in DIR");
    cmd->add_option("entity_id", args->entityId, "Entity Identifier of the new subordinate")->required();
    cmd->add_option("--dir", args->dir, "Subordinate directory (one JSON file per subordinate)")->required();
    cmd->add_flag("--intermediate", args->intermediate, "Mark it as an intermediate (for the list endpoint)");
    cmd->add_option("--entity-type", args->entityTypes,
                    "Repeatable: its entity types (default: the entity types of its metadata)");
    args->lifetimeOption = cmd->add_option("--lifetime", args->lifetime,
                                           "Lifetime of the Subordinate Statements about it, in seconds (60..31536000; "
                                           "default: the server's)");
    cmd->add_option("--ca-file", args->caFile, "Additional trusted CA certificates (PEM)");
    cmd->add_option("--issuer", args->issuer,
                    "This authority's Entity Identifier: warn when the subordinate's authority_hints do not name it");
    cmd->add_flag("--allow-http", args->allowHttp, "TEST SWITCH: accept an http:// entity id");
    cmd->add_flag("--allow-loopback", args->allowLoopback, "TEST SWITCH: allow fetching from 127.0.0.0/8 and ::1");
    cmd->add_flag("--force", args->force, "Replace an existing file for this entity (atomically)");
    cmd->add_flag("--dry-run", args->dryRun, "Check and print the file, write nothing");
    cmd->callback([args, &ctx] { ctx.exitCode = runSubordinateAdd(*args, ctx.global.resolved()); });

    addSubordinateManageCommands(*group, ctx);
    addSubordinateBlockCommands(*group, ctx);
}

} // namespace oidfed::cli
