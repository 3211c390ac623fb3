// TrustMarkRecord: a Trust Mark Issuer's record of the marks it issued, so
// that its status endpoint answers 404 for a mark it has no record of and
// "revoked" only for marks it knows (spec 8.4.2).
//
// One file beside the trust mark type files: `issued.jsonl` in the issuer's
// trust mark directory (TrustMarkCatalog ignores it: it is not `*.json`).
// One JSON object a line, appended by `oidfed serve` when it hands a mark
// out (trust mark endpoint, or a holder hosted by the same server) and by
// `oidfed trust-mark issue --dir`:
//   {"sha256": base64url SHA-256 of the compact JWT, "trust_mark_type": ...,
//    "sub": ..., "iat": ..., "exp": ... (absent: the mark does not expire)}
// Writers append under the directory's exclusive lock (DirectoryLock, as
// `trust-mark revoke` takes it); readers read under the shared one. A line
// that does not parse (a write cut short by a crash) is skipped.
//
// Bounded: an entry is dropped kTrustMarkRecordRetention after its exp
// (when the server appends and the last pruning is a day old, and at every
// start and reload); after that the status endpoint answers 404 for the
// mark instead of "expired". Marks without exp are kept.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include <oidfed/clock.h>
#include <oidfed/result.h>

namespace oidfed::entity {

/// The record's file name in the trust mark directory.
inline constexpr std::string_view kTrustMarkRecordFile = "issued.jsonl";
/// How long an entry is kept after the mark's exp: 30 days.
inline constexpr UnixTime kTrustMarkRecordRetention = 30 * 86400;
/// Largest record file read, in bytes.
inline constexpr std::size_t kMaxTrustMarkRecordBytes = std::size_t{256} << 20;

/// The key of a mark in the record: base64url SHA-256 of the compact JWT.
std::string trustMarkRecordDigest(std::string_view jwt);

/// `oidfed trust-mark issue --dir`: appends the entry of `jwt` (a mark this
/// process signed) to the record of `dir`. InvalidArgument when `jwt` is
/// not a JWS with a JSON payload or the file cannot be written.
Result<void> recordIssuedTrustMark(const std::filesystem::path &dir, std::string_view jwt);

/// Drops the entries of `dir`'s record whose exp is more than
/// kTrustMarkRecordRetention before `now`, and lines that do not parse
/// (rewritten atomically under the exclusive lock, only when any go).
/// Returns how many went.
Result<std::size_t> pruneTrustMarkRecord(const std::filesystem::path &dir, UnixTime now);

class TrustMarkRecord {
public:
    /// Prunes the record of `dir` (the file need not exist) at `now` and
    /// reads it. InvalidArgument when it cannot be read or rewritten.
    static Result<std::shared_ptr<TrustMarkRecord>> open(const std::filesystem::path &dir, UnixTime now);

    /// Whether `jwt` is recorded. On a miss the file is read again when it
    /// changed since (`oidfed trust-mark issue` or a replica appended).
    bool contains(std::string_view jwt) const;

    /// Records `jwt` unless it is already (appending to the file first: a
    /// mark that cannot be recorded must not be handed out), pruning when
    /// the last pruning is a day old. InvalidArgument when the file cannot
    /// be written.
    Result<void> add(std::string_view jwt, UnixTime now);

    std::size_t size() const;

private:
    struct FileStamp {
        std::uintmax_t size = 0;
        std::int64_t modifiedNs = -1;
        std::uintmax_t inode = 0;
        bool operator==(const FileStamp &) const = default;
    };

    explicit TrustMarkRecord(std::filesystem::path dir) : dir_(std::move(dir)) {}
    /// Reads the file into digests_ when its stamp changed. Caller holds mutex_.
    Result<void> reload() const;

    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    mutable std::unordered_set<std::string> digests_;
    mutable FileStamp stamp_{};
    UnixTime lastPruned_ = 0;
};

} // namespace oidfed::entity
