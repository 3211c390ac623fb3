// One subordinate's file in a subordinate directory, as the tools that
// change it see it: found by the entity id it records (whatever the file is
// called), checked exactly as the server loads it before anything is
// written, and written atomically. The CLI (`oidfed subordinate`) and the
// admin API of `oidfed serve` share these, so a change is checked and
// written the same way whoever makes it.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

#include "entity/subordinate.h"

namespace oidfed::entity {

/// The optional members `subordinate set` may change or clear. entity_id
/// and jwks are not among them (the file would not load, or would change
/// whose keys are pinned: `refresh-keys` does that), nor blocked (`block`,
/// `unblock`).
inline constexpr std::array<std::string_view, 8> kSettableSubordinateMembers = {
    "entity_types", "intermediate", "metadata", "metadata_policy", "metadata_policy_crit", "constraints",
    "statement_lifetime", "comment"};

bool isSettableSubordinateMember(std::string_view member) noexcept;

/// One subordinate's file as written on disk.
struct ListedSubordinate {
    std::filesystem::path path;
    Subordinate record;  ///< as parsed
    Json json;           ///< the file's JSON, every member as written
    std::string bytes;   ///< the file's bytes (their SHA-256 names this version)
};

/// Finds `entityId` in `dir`, blocked or not, by the entity id each file
/// records (exact match; the file name comes from the directory, never
/// from the caller). InvalidArgument when the directory is missing;
/// NotFound when no file that loads lists it (a file that does not load is
/// named in the message when it may be the one).
Result<ListedSubordinate> findSubordinate(const std::filesystem::path &dir, std::string_view entityId,
                                          const EntityIdOptions &idOptions);

/// The loader's checks of a subordinate file's new content `next`, to be
/// written at `path`: its parser (parseSubordinate, errors naming the
/// member in Error::claim), then the directory's defaults file merged in
/// (a conflict names both files).
Result<Subordinate> checkSubordinateFile(const Json &next, const std::filesystem::path &path,
                                         const EntityIdOptions &idOptions);

/// The files of a directory load that could not be used, as JSON: [{"file",
/// "entity_id" (null when unknown), "error": the error object}] (the CLI's
/// `subordinate list` and the admin API answer it).
Json subordinateProblemsJson(const std::vector<SubordinateProblem> &problems);

/// What a subordinate file holds for `json`: pretty-printed, with a final
/// newline.
std::string subordinateFileText(const Json &json);

/// Replaces (or creates, when `create`: exclusively, never replacing a
/// file) `path` atomically with subordinateFileText(json). InvalidArgument
/// when it cannot be written; the file is as it was then.
Result<void> writeSubordinateFile(const std::filesystem::path &path, const Json &json, bool create = false);

} // namespace oidfed::entity
