// wipe: clearing a string that held secret bytes (private key material) so
// that the bytes do not linger in freed memory.
#pragma once

#include <string>

namespace oidfed {

/// Overwrites the bytes of `secret` (not optimized away), then clears it.
void wipe(std::string &secret) noexcept;

} // namespace oidfed
