// Helpers shared by the test suites: locating the shared vectors, reading
// files, and parsing JSON fixtures with a hard failure on error.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>

namespace oidfed::test {

/// Path of a file under the shared vectors directory (../shared beside the
/// checkout), taken from $OIDFED_SHARED_DIR, which meson sets for every test.
std::string sharedPath(std::string_view relative);

/// Whole file as bytes; fails the current test (and throws) if unreadable.
std::string readFile(const std::string &path);

/// The .json files directly in `dir`, none when it does not exist (client
/// stores, subordinate directories).
std::vector<std::filesystem::path> jsonFilesIn(const std::filesystem::path &dir);

/// Parses a shared JSON file; fails the current test (and throws) on error.
Json loadSharedJson(std::string_view relative);

/// Parses JSON text that the test itself wrote; throws on error.
Json json(std::string_view text);

/// Parses an Entity Identifier that the test itself wrote (http:// too);
/// throws on error.
EntityId entityId(std::string_view text);

/// The {"keys": [...]} of one ES256 key generated once per test program,
/// for tests that need many valid subordinate files; throws on error.
const Json &generatedPublicJwks();

} // namespace oidfed::test
