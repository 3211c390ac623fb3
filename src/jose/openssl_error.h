/// Turning an OpenSSL failure into an oidfed Error (private header).
///
/// OpenSSL records failures in a per-thread error queue. Every failed call we
/// report must also empty that queue, or a later, unrelated OpenSSL call on
/// the same thread would find stale entries. The queue text is not copied
/// into the message: codes are what callers branch on.
#pragma once

#include <string>

#include <openssl/err.h>

#include <oidfed/result.h>

namespace oidfed::jose {

/// Clears this thread's OpenSSL error queue and returns fail(code, message).
inline Unexpected opensslFailure(ErrorCode code, std::string message)
{
    ERR_clear_error();
    return fail(code, std::move(message));
}

} // namespace oidfed::jose
