#include "entity/trust_mark_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <oidfed/cache_key.h>
#include <oidfed/json.h>
#include <oidfed/jws.h>

#include "core/directory_lock.h"
#include "core/file_read.h"
#include "core/file_write.h"
#include "core/io_failure.h"
#include "core/unique_fd.h"

namespace oidfed::entity {

namespace {

namespace fs = std::filesystem;

constexpr UnixTime kPruneInterval = 86400;

fs::path recordPath(const fs::path &dir)
{
    return dir / std::string(kTrustMarkRecordFile);
}

// The file's contents; empty when it does not exist.
Result<std::string> readRecord(const fs::path &dir)
{
    auto text = readRegularFile(recordPath(dir), kMaxTrustMarkRecordBytes);
    if (!text && text.error().code == ErrorCode::NotFound)
        return std::string();
    if (!text)
        return fail(std::move(text).error());
    if (text->size() > kMaxTrustMarkRecordBytes)
        return fail(ErrorCode::InvalidArgument, recordPath(dir).string() + " is larger than " +
                                                    std::to_string(kMaxTrustMarkRecordBytes) + " bytes");
    return text;
}

// Calls `line(entry, text)` for every non-empty line; entry is nullptr when
// the line is not a JSON object with a string "sha256".
template <typename Visit>
void eachLine(std::string_view text, Visit &&line)
{
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view one = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (one.empty())
            continue;
        auto entry = parseJson(one);
        const bool usable = entry && entry->isObject() && entry->findString("sha256");
        line(usable ? &*entry : nullptr, one);
    }
}

// The line recording `jwt`, newline included.
Result<std::string> entryLine(std::string_view jwt)
{
    auto jws = Jws::parse(jwt);
    if (!jws)
        return fail(ErrorCode::InvalidArgument, "cannot record the trust mark: " + jws.error().message);
    OIDFED_TRY(Json claims, jws->payloadJson());
    Json entry = Json::object();
    entry.set("sha256", trustMarkRecordDigest(jwt));
    for (const char *name : {"trust_mark_type", "sub"})
        if (const std::string *value = claims.findString(name))
            entry.set(name, *value);
    for (const char *name : {"iat", "exp"})
        if (const Json *value = claims.find(name); value && value->isInt())
            entry.set(name, value->asInt());
    return entry.dump() + "\n";
}

// True when the file's last byte is not a newline: the last append was cut
// (a write(2) that SIGKILL or a full disk ended between pages, or a power
// loss). Appending right after it would make the next line part of the cut
// one, unreadable.
bool endsMidLine(const fs::path &path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return false;
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0 || info.st_size <= 0)
        return false;
    char last = '\n';
    return ::pread(fd.get(), &last, 1, info.st_size - 1) == 1 && last != '\n';
}

} // namespace

std::string trustMarkRecordDigest(std::string_view jwt)
{
    return cacheKeyDigest(jwt);
}

Result<void> recordIssuedTrustMark(const fs::path &dir, std::string_view jwt)
{
    OIDFED_TRY(std::string line, entryLine(jwt));
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive));
    // After a cut line, a line of its own: the cut one stays unusable (and
    // is dropped by the next prune), this one is read.
    if (endsMidLine(recordPath(dir)))
        line.insert(line.begin(), '\n');
    return appendToFile(recordPath(dir), line, 0644);
}

Result<std::size_t> pruneTrustMarkRecord(const fs::path &dir, UnixTime now)
{
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive));
    OIDFED_TRY(std::string text, readRecord(dir));
    std::string kept;
    std::size_t dropped = 0;
    eachLine(text, [&](const Json *entry, std::string_view line) {
        const Json *exp = entry ? entry->find("exp") : nullptr;
        if (!entry || (exp && exp->isInt() && exp->asInt() + kTrustMarkRecordRetention < now)) {
            ++dropped;
            return;
        }
        kept.append(line).push_back('\n');
    });
    if (dropped > 0)
        OIDFED_TRY_VOID(replaceFileAtomically(recordPath(dir), kept, 0644));
    return dropped;
}

Result<std::shared_ptr<TrustMarkRecord>> TrustMarkRecord::open(const fs::path &dir, UnixTime now)
{
    OIDFED_TRY_VOID(pruneTrustMarkRecord(dir, now));
    std::shared_ptr<TrustMarkRecord> record(new TrustMarkRecord(dir));
    record->lastPruned_ = now;
    std::lock_guard lock(record->mutex_);
    OIDFED_TRY_VOID(record->reload());
    return record;
}

Result<void> TrustMarkRecord::reload() const
{
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir_, DirectoryLock::Mode::Shared));
    FileStamp stamp;
    struct stat info {};
    if (::lstat(recordPath(dir_).c_str(), &info) == 0)
        stamp = FileStamp{.size = static_cast<std::uintmax_t>(info.st_size),
                          .modifiedNs = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 +
                                        info.st_mtim.tv_nsec,
                          .inode = static_cast<std::uintmax_t>(info.st_ino)};
    else if (errno != ENOENT)
        return detail::ioFailure("cannot read", recordPath(dir_), errno);
    if (stamp == stamp_)
        return ok();
    OIDFED_TRY(std::string text, readRecord(dir_));
    std::unordered_set<std::string> digests;
    eachLine(text, [&](const Json *entry, std::string_view) {
        if (entry)
            digests.insert(*entry->findString("sha256"));
    });
    digests_ = std::move(digests);
    stamp_ = stamp;
    return ok();
}

bool TrustMarkRecord::contains(std::string_view jwt) const
{
    const std::string digest = trustMarkRecordDigest(jwt);
    std::lock_guard lock(mutex_);
    if (digests_.count(digest) > 0)
        return true;
    // Unknown here: perhaps another process recorded it since.
    return reload() && digests_.count(digest) > 0;
}

Result<void> TrustMarkRecord::add(std::string_view jwt, UnixTime now)
{
    std::string digest = trustMarkRecordDigest(jwt);
    std::lock_guard lock(mutex_);
    if (digests_.count(digest) > 0)
        return ok();
    if (now - lastPruned_ >= kPruneInterval) {
        OIDFED_TRY_VOID(pruneTrustMarkRecord(dir_, now));
        lastPruned_ = now;
    }
    OIDFED_TRY_VOID(recordIssuedTrustMark(dir_, jwt));
    digests_.insert(std::move(digest));
    return ok();
}

std::size_t TrustMarkRecord::size() const
{
    std::lock_guard lock(mutex_);
    return digests_.size();
}

} // namespace oidfed::entity
