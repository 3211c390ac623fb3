// AdminAudit: the admin API's append-only audit log (admin.audit_log), one
// JSON object per line for each change asked for, done or refused after
// authentication: when, which operator (by name: a token is never
// written), the action, the authority and the subordinate, the SHA-256 of
// the file before and after, and the result. Lines are appended with one
// O_APPEND write each and fsynced; the file is created with mode 0600.
//
// Thread-safe: record() takes a lock of its own.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include <oidfed/clock.h>
#include <oidfed/result.h>

namespace oidfed::server {

struct AuditEntry {
    std::string operatorName{};
    std::string action{};     ///< "subordinate.add", "subordinate.set", ... "reload"
    std::string entity{};     ///< the authority (empty for reload)
    std::string target{};     ///< the subordinate's entity id (empty for reload)
    std::string file{};       ///< the subordinate file's name, when known
    std::string before{};     ///< SHA-256 (hex) of the file before; empty: there was none
    std::string after{};      ///< SHA-256 (hex) of the file after; empty: there is none
    std::string result{};     ///< "applied", "written, reload failed", "refused", "conflict", ...
    std::string detail{};     ///< the error's message, when refused
};

class AdminAudit {
public:
    explicit AdminAudit(std::filesystem::path file) : file_(std::move(file)) {}

    /// Appends `entry` at `now`. InvalidArgument when the file cannot be
    /// written.
    Result<void> record(const AuditEntry &entry, UnixTime now);

    const std::filesystem::path &file() const noexcept { return file_; }

private:
    std::filesystem::path file_;
    std::mutex mutex_;
};

} // namespace oidfed::server
