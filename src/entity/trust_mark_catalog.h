// TrustMarkCatalog: what a Trust Mark Issuer hosted by `oidfed serve` issues
// (spec 7), kept as one reviewable JSON file per trust mark type in the
// issuer's directory (like subordinates: operators keep it in git, review
// every change, and SIGHUP the server).
//
// File format (UTF-8 JSON object, `*.json`; unknown members are refused so
// that a typo never passes silently):
//   "trust_mark_type"   REQUIRED  the type (a URL is RECOMMENDED, 7.1)
//   "subjects"          REQUIRED  array (may be empty) of
//        {"entity_id": REQUIRED, "revoked": {"revoked_at": NumericDate,
//         "reason": string?}?, "comment": string?}
//                                 the entities holding the mark; a revoked
//                                 entry keeps the history (status endpoint:
//                                 "revoked") and gets no new mark
//   "lifetime_seconds"  OPTIONAL  exp - iat of the marks, 60..31,536,000;
//                                 default: the issuer's mark_lifetime_seconds
//   "logo_uri", "ref"   OPTIONAL  copied into every mark (7.1), absolute URLs
//   "delegation_file"   OPTIONAL  a file (relative to the directory) holding
//                                 the compact Trust Mark Delegation the owner
//                                 issued to this issuer (`oidfed trust-mark
//                                 delegate`); put into every mark
//   "delegated_by"      OPTIONAL  instead of delegation_file: the Entity
//                                 Identifier of the owner when the owner is
//                                 hosted by the same server, which then signs
//                                 the delegation itself with the owner's
//                                 active key
//   "typ"               OPTIONAL  the JWS typ of the marks, when the trust
//                                 framework defines one more specific than
//                                 trust-mark+jwt (spec 7); default
//                                 trust-mark+jwt
//   "comment"           OPTIONAL  never signed
//
// A catalog is an immutable snapshot of the directory: any number of threads
// may read it; the server loads a new one on SIGHUP.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

namespace oidfed::entity {

struct TrustMarkRevocation {
    UnixTime revokedAt = 0;
    std::string reason{};  ///< empty: none given
};

struct TrustMarkSubject {
    EntityId entityId;
    std::optional<TrustMarkRevocation> revoked{};
    std::string comment{};
};

struct TrustMarkTypeRecord {
    std::string trustMarkType{};
    std::vector<TrustMarkSubject> subjects{};  ///< sorted by entity id
    std::optional<std::int64_t> lifetimeSeconds{};
    std::string logoUri{};
    std::string ref{};
    std::string delegation{};                  ///< from delegation_file (compact JWT), or empty
    std::optional<EntityId> delegatedBy{};     ///< hosted owner that signs the delegation
    std::string typ{};                         ///< the marks' JWS typ; empty: trust-mark+jwt
    std::string sourceFile{};                  ///< file name, for messages

    /// The subject entry, or nullptr.
    const TrustMarkSubject *find(std::string_view entityId) const;
};

/// Largest type file (and delegation file) read, in bytes.
inline constexpr std::size_t kMaxTrustMarkFileBytes = 4 << 20;

/// Parses one type file. `dir` resolves delegation_file. InvalidArgument /
/// Malformed naming the file and member.
Result<TrustMarkTypeRecord> parseTrustMarkTypeFile(const Json &json, const std::string &sourceName,
                                                   const std::filesystem::path &dir,
                                                   const EntityIdOptions &idOptions = {});

/// A type file TrustMarkCatalog::loadEachFile() could not use (or a record
/// the server could not issue, see the server's trust mark issuer role).
struct TrustMarkTypeProblem {
    std::string file{};           ///< its file name
    std::string trustMarkType{};  ///< the type, when known (may be empty)
    Error error{};
    /// Its previous record is used instead; false: the type is left out.
    bool keptPrevious = false;
};

class TrustMarkCatalog;

/// What loadEachFile() read.
struct TrustMarkCatalogLoad {
    std::shared_ptr<const TrustMarkCatalog> catalog{};
    std::vector<TrustMarkTypeProblem> problems{};
};

class TrustMarkCatalog {
public:
    /// Loads every `*.json` of `dir` (names starting with "." ignored), all
    /// or nothing. A missing directory, a bad file, or two files for one type
    /// are InvalidArgument naming the file.
    static Result<std::shared_ptr<const TrustMarkCatalog>> loadDirectory(const std::filesystem::path &dir,
                                                                        const EntityIdOptions &idOptions = {});

    /// The server's load: like loadDirectory(), but a bad file affects only
    /// itself. A file that cannot be read or parsed, or that defines a type
    /// an earlier file (by name) defines, is reported in `problems`; the
    /// record of `previous` read from the same file name is kept instead
    /// (when its type is not taken), otherwise the file is left out. Fails
    /// only when the directory is missing or cannot be listed.
    static Result<TrustMarkCatalogLoad> loadEachFile(const std::filesystem::path &dir,
                                                     const EntityIdOptions &idOptions,
                                                     const TrustMarkCatalog *previous);

    /// A catalog of `records` (sorted by type here). InvalidArgument when
    /// two define the same type.
    static Result<std::shared_ptr<const TrustMarkCatalog>> fromRecords(std::vector<TrustMarkTypeRecord> records);

    /// The record read from file `file`, or nullptr.
    const TrustMarkTypeRecord *findBySourceFile(std::string_view file) const;

    /// The record of a type, or nullptr.
    const TrustMarkTypeRecord *find(std::string_view trustMarkType) const;
    /// Every type, sorted.
    const std::vector<TrustMarkTypeRecord> &all() const noexcept { return types_; }

private:
    std::vector<TrustMarkTypeRecord> types_;
};

/// `oidfed trust-mark revoke`: marks `subject` revoked (revoked_at = now,
/// reason when not empty) in the file of `trustMarkType` in `dir`, which is
/// rewritten atomically under an exclusive lock of the directory; every
/// other member is kept. Returns the file name. NotFound when no file has
/// the type or the subject is not listed; InvalidArgument when it is
/// already revoked or the file is bad.
Result<std::string> revokeTrustMarkSubject(const std::filesystem::path &dir, std::string_view trustMarkType,
                                           std::string_view subject, std::string_view reason, UnixTime now,
                                           const EntityIdOptions &idOptions = {});

} // namespace oidfed::entity
