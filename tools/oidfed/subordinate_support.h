// What the `oidfed subordinate` commands share: fetching and checking a
// subordinate's Entity Configuration (add, refresh-keys), describing keys
// for the operator to confirm, and finding a subordinate's file in a
// subordinate directory (show, remove, set, refresh-keys).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

#include "commands.h"
#include "entity/subordinate.h"
#include "entity/subordinate_file.h"

namespace oidfed::cli {

/// The network switches of the commands that fetch an Entity Configuration.
struct EcFetchSwitches {
    bool allowHttp = false;
    bool allowLoopback = false;
    std::string caFile;
};

/// Reports `error` (reportError) and returns `exitCode`, the code the
/// command chose for the step that failed.
int failWith(const Error &error, Format format, int exitCode);

/// Each key as {"kid", "kty", "crv"?, "bits"?, "thumbprint"} (RFC 7638), for
/// the operator to confirm out of band.
Json keysJson(const JwkSet &jwks);

/// The RFC 7638 thumbprints of a key set, in its order.
std::vector<std::string> thumbprintsOf(const JwkSet &jwks);

Json stringsJson(const std::vector<std::string> &values);

/// A fetch failure's exit code: a refused URL is usage, an answer that is not
/// an Entity Configuration (wrong media type, too large) is invalid, and
/// everything else (network, timeout, 404, 5xx) is unavailable.
int fetchExitCode(const Error &error);

/// GETs the Entity Configuration at `url` through the guarded fetcher;
/// errors map through fetchExitCode().
Result<std::string> fetchEntityConfiguration(const EcFetchSwitches &switches, const std::string &url);

/// Spec 3.2 structure, iss = sub = `id`, self-signature and validity period
/// (60 s of clock skew). Every error means the Entity Configuration is
/// invalid (exit 1).
Result<EntityStatement> checkEntityConfiguration(const std::string &token, const EntityId &id,
                                                 const std::string &url, const EntityIdOptions &idOptions);

/// The arguments of the commands on one subordinate directory.
struct DirArgs {
    std::string entityId;  ///< ENTITY_ID, for the commands on one subordinate
    std::string dir;
    bool allowHttp = false;
    bool dryRun = false;
};

inline EntityIdOptions idOptionsOf(const DirArgs &args) { return {.allowHttp = args.allowHttp}; }

/// Declares ENTITY_ID (when `entity`), --dir and --allow-http.
void addDirOptions(CLI::App &cmd, DirArgs &args, bool entity);

using entity::ListedSubordinate;

/// entity::findSubordinate(), with an entity that is not listed a usage
/// error (InvalidArgument) like a missing directory.
Result<ListedSubordinate> findSubordinate(const std::filesystem::path &dir, const std::string &entityId,
                                          const EntityIdOptions &idOptions);

/// Writes a subordinate file's new content once the loader accepts it (its
/// parser, and the directory's defaults file merged in): exit 1 with its
/// error (naming the member) when it does not, 2 when the file cannot be
/// written; the file stays as it was either way. Nothing is written with
/// args.dryRun. nullopt: done.
std::optional<int> writeChecked(const ListedSubordinate &listed, const Json &next, const DirArgs &args,
                                Format format);

/// `subordinate list | show | remove | refresh-keys | set`
/// (subordinate_manage_command.cpp), on the `subordinate` group.
void addSubordinateManageCommands(CLI::App &group, CommandContext &ctx);

/// `subordinate block | unblock` (subordinate_block_command.cpp).
void addSubordinateBlockCommands(CLI::App &group, CommandContext &ctx);

} // namespace oidfed::cli
