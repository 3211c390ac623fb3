// AdminSettings: the top-level "admin" member of oidfed.json (off when
// absent): the admin API of `oidfed serve` (docs/admin-api.md) on a listener
// of its own, its operators (each a bearer token's SHA-256 and a role) and
// its append-only audit log. Documented member by member in
// docs/configuration.md; the ranges are validateAdminSettings()'s.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/result.h>

#include "core/sha256.h"

namespace oidfed::server {

/// What an operator may do: read (list, show) or also write (every change,
/// and reload).
enum class AdminRole { Read, Write };

std::string_view adminRoleName(AdminRole role) noexcept;

struct AdminOperator {
    /// Unique among the operators; the audit log names the operator by it.
    std::string name{};
    Sha256Digest tokenSha256{};
    AdminRole role = AdminRole::Read;
};

struct AdminSettings {
    /// The admin listener, from "listen" (HOST:PORT). Keep it on loopback or
    /// a management network: it is not the federation's public address.
    std::string listenHost{};
    std::uint16_t listenPort = 0;
    std::vector<AdminOperator> operators{};
    /// Append-only JSON lines, one per change (audit_log).
    std::filesystem::path auditLog{};
    /// Largest request body; more is refused with 413. Range 1 KiB..1 MiB
    /// (a subordinate file is at most 1 MiB).
    std::size_t maxBodyBytes = 262144;
};

/// Range checks: InvalidArgument naming the field in Error::claim
/// ("maxBodyBytes"), message "<field>: must be ...".
Result<void> validateAdminSettings(const AdminSettings &settings);

} // namespace oidfed::server
