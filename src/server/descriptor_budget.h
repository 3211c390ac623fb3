// Whether the open-file limit leaves room for max_connections (threat P2).
//
// Every HTTP connection holds a descriptor, and so do the listener, the
// Redis pool, outbound fetches and files read at reload. When the process
// runs out, Pistache 0.0.5's listener retries accept() at once, in a busy
// loop, until a descriptor is free (docs/security.md, P2), and connections
// wait unanswered; so `oidfed serve` says at start when the limit is too
// low for its configuration, rather than at the first burst.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace oidfed::server {

/// Descriptors kept for everything but client connections: the listener and
/// its epoll sets, Redis connections, outbound fetches, files and logs.
inline constexpr std::uint64_t kReservedDescriptors = 256;

/// A warning for the log when `openFileLimit` (the soft RLIMIT_NOFILE) is
/// below maxConnections + kReservedDescriptors, naming both figures and what
/// to change; nothing when it is enough.
std::optional<std::string> descriptorBudgetWarning(std::uint64_t maxConnections, std::uint64_t openFileLimit);

/// descriptorBudgetWarning() for this process's soft RLIMIT_NOFILE (nothing
/// when it is unlimited or cannot be read).
std::optional<std::string> checkDescriptorBudget(std::uint64_t maxConnections);

} // namespace oidfed::server
