/// An oidfed::Error as a JSON object, the one form the CLI's JSON output and
/// the server's trust API (docs/trust-api.md) both answer with:
///   {"error": the spec 8.9 / RFC 6749 code (specErrorCode()),
///    "error_description": the message, "code": the oidfed error code name,
///    "rule"?, "claim"?, "entity_id"?}.
#pragma once

#include <string_view>

#include <oidfed/error.h>
#include <oidfed/json.h>

namespace oidfed {

/// `specCode` replaces the mapped code when the caller knows better (the
/// CLI's policy commands: every invalid policy is "invalid_metadata").
/// Members are copied as they are: a server that answers with it bounds and
/// escapes them itself.
Json errorToJson(const Error &error, std::string_view specCode = {});

} // namespace oidfed
