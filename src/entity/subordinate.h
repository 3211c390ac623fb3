// Subordinate and SubordinateSet: what an authority (trust anchor or
// intermediate) says about its Immediate Subordinates, kept as one reviewable
// JSON file per subordinate in a directory (operators keep it in git).
//
// File format (UTF-8 JSON object; unknown members are rejected so that typos
// never pass silently):
//   "entity_id"            REQUIRED  the subordinate's Entity Identifier
//   "jwks"                 REQUIRED  its Federation Entity Keys, pinned by the
//                                    operator ({"keys": [...]}, public only).
//                                    May be omitted only for an entity hosted
//                                    by the same `oidfed serve` (see
//                                    docs/configuration.md): the server then
//                                    fills in that entity's published keys.
//   "entity_types"         OPTIONAL  array of entity types it has (for the
//                                    list endpoint's entity_type filter)
//   "intermediate"         OPTIONAL  bool, default false
//   "metadata"             OPTIONAL  object keyed by entity type
//   "metadata_policy"      OPTIONAL  object keyed by entity type
//   "metadata_policy_crit" OPTIONAL  non-empty array of operator names
//   "constraints"          OPTIONAL  object (spec 6.2)
//   "statement_lifetime"   OPTIONAL  seconds, 60..31,536,000; default: the
//                                    authority's statement lifetime
//   "comment"              OPTIONAL  string, kept but never signed (for reviewers)
//   "blocked"              OPTIONAL  {"reason": non-empty string, "since"?:
//                                    NumericDate}: no statement about it is
//                                    served (fetch 404, absent from list)
//                                    while the file keeps everything else
//
// A file named "_defaults.json" in the directory is not a subordinate: it
// holds the issuer-wide "metadata_policy", "metadata_policy_crit" and
// "constraints" (and a "comment"), merged into every subordinate's own
// (subordinate_defaults.h).
//
// Validation on load (parseSubordinate): entity_types are non-empty strings,
// stored sorted and unique; metadata and metadata_policy are objects keyed by
// entity type whose values are objects; metadata holds no JSON null at any
// depth (spec 5) and its federation_entity no jwks / jwks_uri /
// signed_jwks_uri (5.2.1);
// metadata_policy must combine with an empty policy and with itself under
// the standard operators (6.1.4.1); metadata_policy_crit must satisfy
// parseMetadataPolicyCrit(); constraints must satisfy parseConstraints() and
// have no members beyond max_path_length, naming_constraints (permitted,
// excluded) and allowed_entity_types, so a misspelt constraint is an error.
//
// A SubordinateSet is an immutable snapshot of a directory, so any number of
// threads may read one; the server swaps in a new one on SIGHUP. Lookups are
// by exact entity id (never a path derived from a request, threat K04).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

namespace oidfed::entity {

/// Why, and since when, a subordinate is blocked.
struct SubordinateBlock {
    std::string reason;       ///< non-empty
    std::int64_t since = 0;   ///< NumericDate; 0: not recorded
};

struct Subordinate {
    EntityId entityId;
    std::optional<JwkSet> jwks{};          ///< nullopt: hosted here, filled in by the server
    std::vector<std::string> entityTypes{};  ///< sorted, unique
    bool intermediate = false;
    Json metadata{};                       ///< object or null
    Json metadataPolicy{};                 ///< object or null
    std::vector<std::string> metadataPolicyCrit{};
    Json constraints{};                    ///< object or null
    std::optional<std::int64_t> statementLifetime{};  ///< seconds
    std::string comment{};                 ///< the file's "comment" (empty: none); never signed
    std::optional<SubordinateBlock> blocked{};  ///< set: nothing about it is served
    std::string sourceFile{};              ///< file name it came from (for error messages)
};

/// Bounds of "statement_lifetime", in seconds (one minute .. one year).
inline constexpr std::int64_t kMinStatementLifetime = 60;
inline constexpr std::int64_t kMaxStatementLifetime = 31536000;

/// The file of a subordinate directory that holds the issuer-wide defaults
/// (subordinate_defaults.h), not a subordinate.
inline constexpr std::string_view kSubordinateDefaultsFile = "_defaults.json";

/// Largest subordinate file loadDirectory() reads, in bytes.
inline constexpr std::size_t kMaxSubordinateFileBytes = 1 << 20;

/// Parses one subordinate file's JSON (see the format above). Errors, each
/// with Error::claim = the member and a message starting with `sourceName`
/// and naming the member: Malformed when the document or a member has the
/// wrong JSON type; InvalidArgument for an unknown or missing member or a bad
/// value (entity id, range, null in metadata, a policy that cannot be
/// combined, constraints parseConstraints() refuses or with unknown
/// members); InvalidKey for a bad or empty jwks.
Result<Subordinate> parseSubordinate(const Json &json, const std::string &sourceName,
                                     const EntityIdOptions &idOptions = {});

/// The checks parseSubordinate() makes of these members, for the defaults
/// file: errors "<sourceName>: <member>: <what>" with claim the member.
Result<void> checkMetadataPolicyMember(const Json &policy, const std::string &sourceName);
Result<std::vector<std::string>> parseMetadataPolicyCritMember(const Json &crit, const std::string &sourceName);
Result<void> checkConstraintsMember(const Json &constraints, const std::string &sourceName);

/// The file's JSON for a subordinate (what `oidfed subordinate add` writes):
/// entity_id, jwks (when set), entity_types (when non-empty), intermediate,
/// and each optional member that is set. sourceFile is not written.
/// parseSubordinate(subordinateToJson(s), ...) gives back an equal record.
Json subordinateToJson(const Subordinate &subordinate);

/// The list endpoint's filters (spec 8.2). trust_marked and trust_mark_type
/// are answered by the server (they need verified marks), not here.
struct SubordinateFilter {
    std::vector<std::string> entityTypes{};  ///< every one must be present
    std::optional<bool> intermediate{};
};

/// A subordinate file loadEachFile() could not use.
struct SubordinateProblem {
    std::string file{};      ///< its file name
    std::string entityId{};  ///< the subordinate, when known (may be empty)
    Error error{};           ///< why, naming the file
    /// The file's previous record (from the `previous` set) is served
    /// instead; false: the subordinate is left out.
    bool keptPrevious = false;
};

class SubordinateSet;
struct SubordinateDefaults;

/// What loadEachFile() read: the usable subordinates and the files it could
/// not use.
struct SubordinateLoad {
    std::shared_ptr<const SubordinateSet> set{};
    std::vector<SubordinateProblem> problems{};
};

class SubordinateSet {
public:
    /// Loads every `*.json` file of `dir` (sorted by name; other files and
    /// subdirectories ignored). Any bad file fails the whole load with its
    /// name in the error, so a reload never half-applies; duplicate entity
    /// ids across files are InvalidArgument naming both files. Limits: at
    /// most `maxFiles` files (LimitExceeded), each at most 1 MiB
    /// (LimitExceeded). A missing or unreadable directory is InvalidArgument;
    /// an empty one is a valid empty set. Names starting with "." are
    /// ignored (editor and temporary files), as a shell's `*.json` would.
    /// Each Subordinate's sourceFile is its file name. The defaults file
    /// (kSubordinateDefaultsFile), when present, is merged into every
    /// record (subordinate_defaults.h); a defaults file that does not load,
    /// or a conflict with it, fails the load like any bad file.
    static Result<std::shared_ptr<const SubordinateSet>> loadDirectory(
        const std::filesystem::path &dir, const EntityIdOptions &idOptions = {}, std::size_t maxFiles = 1000000);

    /// The server's load: like loadDirectory(), but a bad file affects only
    /// itself. A file that cannot be read or parsed, or that names an entity
    /// an earlier file (by name) already names, is reported in
    /// `problems`; its record from `previous` (same file name, when
    /// `previous` is given and has one whose entity is not taken) is kept
    /// instead, otherwise it is left out; a conflict with the defaults file
    /// is such a problem of the subordinate's file. Fails only for what
    /// loadDirectory() fails on before reading a subordinate's file (a
    /// missing or unlistable directory, too many files, a defaults file that
    /// does not load: the server then keeps the whole previous set).
    static Result<SubordinateLoad> loadEachFile(const std::filesystem::path &dir, const EntityIdOptions &idOptions,
                                                const SubordinateSet *previous, std::size_t maxFiles = 1000000);

    /// The defaults file of `dir` (kSubordinateDefaultsFile), parsed; nullopt
    /// when there is none. Errors name the file and the member.
    static Result<std::optional<SubordinateDefaults>> loadDefaults(const std::filesystem::path &dir);

    /// Builds a set from parsed subordinates (tests, tools). Duplicate entity
    /// ids (blocked or not) are InvalidArgument naming both sourceFiles.
    static Result<std::shared_ptr<const SubordinateSet>> fromSubordinates(std::vector<Subordinate> subordinates);

    /// The subordinate with exactly this entity id (byte for byte; no
    /// normalisation), or nullptr. The pointer is valid while the set lives.
    const Subordinate *find(std::string_view entityId) const;

    /// The subordinate read from file `file` (Subordinate::sourceFile),
    /// blocked or not, or nullptr. Linear in the size of the set.
    const Subordinate *findBySourceFile(std::string_view file) const;

    /// Every subordinate that is not blocked, sorted by entity id: what the
    /// fetch and list endpoints serve. find() and list() see only these.
    const std::vector<Subordinate> &all() const noexcept { return subordinates_; }

    /// The blocked subordinates, sorted by entity id (their files load; no
    /// statement about them is served).
    const std::vector<Subordinate> &blocked() const noexcept { return blocked_; }

    /// The blocked subordinate with exactly this entity id, or nullptr.
    const Subordinate *findBlocked(std::string_view entityId) const;

    /// Entity ids matching the filter, sorted. No filter: a copy of a
    /// precomputed vector; an entityTypes filter walks only the subordinates
    /// of its rarest type.
    std::vector<std::string> list(const SubordinateFilter &filter) const;

    std::size_t size() const noexcept { return subordinates_.size(); }

private:
    std::vector<Subordinate> subordinates_;  ///< not blocked, sorted by entity id
    std::vector<Subordinate> blocked_;       ///< blocked, sorted by entity id
    std::vector<std::string> ids_;           ///< entity ids of subordinates_, same order
    /// entity type -> indexes into subordinates_ (ascending, so sorted by id).
    std::map<std::string, std::vector<std::size_t>, std::less<>> byType_;
};

} // namespace oidfed::entity
