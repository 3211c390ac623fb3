#include "server/descriptor_budget.h"

#include <sys/resource.h>

namespace oidfed::server {

std::optional<std::string> descriptorBudgetWarning(std::uint64_t maxConnections, std::uint64_t openFileLimit)
{
    const std::uint64_t needed = maxConnections + kReservedDescriptors;
    if (openFileLimit >= needed)
        return std::nullopt;
    return "the open-file limit (" + std::to_string(openFileLimit) + ") is below max_connections (" +
           std::to_string(maxConnections) + ") plus " + std::to_string(kReservedDescriptors) +
           " for the server's own descriptors: under load, connections would wait unanswered once descriptors "
           "run out; raise the limit to at least " + std::to_string(needed) +
           " (ulimit -n, systemd LimitNOFILE=) or lower max_connections";
}

std::optional<std::string> checkDescriptorBudget(std::uint64_t maxConnections)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return std::nullopt;
    return descriptorBudgetWarning(maxConnections, static_cast<std::uint64_t>(limit.rlim_cur));
}

} // namespace oidfed::server
