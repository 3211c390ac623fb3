/// Strict base64url (RFC 4648 section 5, no padding), as JOSE requires.
///
/// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed {

/// Encodes bytes without padding.
std::string base64urlEncode(std::string_view bytes);

/// Decodes base64url text. Rejects with Malformed: padding ('='), any
/// character outside [A-Za-z0-9_-] (including '+', '/', whitespace), a length
/// of 1 mod 4, and non-canonical encodings whose unused trailing bits are not
/// zero (threat C21). The empty string decodes to empty bytes.
Result<std::string> base64urlDecode(std::string_view text);

} // namespace oidfed
