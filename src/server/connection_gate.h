// ConnectionGate: the cap on open HTTP connections (threat K11,
// ServerOptions::maxConnections). The HTTP adapter asks for a token when a
// connection opens and keeps it with the connection; the slot is free again
// when the token is destroyed, whatever closes the connection (the client, a
// timeout, shutdown). A connection that gets no token is refused.
//
// Thread-safe. Tokens may outlive the gate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "server/metrics.h"

namespace oidfed::server {

class ConnectionGate {
public:
    /// `limit`: connections open at once (REQUIRES: at least 1).
    /// `metrics` (may be null) is kept informed of the open count and the
    /// refusals; REQUIRES: it outlives every token.
    ConnectionGate(std::size_t limit, Metrics *metrics);
    ConnectionGate(const ConnectionGate &) = delete;
    ConnectionGate &operator=(const ConnectionGate &) = delete;

    /// A token holding one slot until it is destroyed; nullptr (and the
    /// refusal counted) when `limit` connections are open.
    std::shared_ptr<void> tryAdmit();

    std::size_t open() const;
    std::uint64_t refused() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

} // namespace oidfed::server
