/// Media type comparison for Content-Type checks (private header).
///
/// Pure functions; call them from any thread.
#pragma once

#include <string_view>

namespace oidfed::fetch {

/// The media type of a Content-Type header value: the part before any ";"
/// parameter, without surrounding spaces or tabs. "Application/JWT ; q=1"
/// gives "Application/JWT".
std::string_view mediaTypeOf(std::string_view contentType) noexcept;

/// Whether `contentType` (a Content-Type header value) denotes `expected`
/// (a bare media type such as "application/entity-statement+jwt"), compared
/// ASCII case-insensitively and ignoring parameters (RFC 9110 8.3.1).
bool mediaTypeMatches(std::string_view contentType, std::string_view expected) noexcept;

} // namespace oidfed::fetch
