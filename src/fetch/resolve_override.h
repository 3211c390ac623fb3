/// Checks one FetchOptions::resolve entry (private header).
///
/// An entry is `HOST:PORT:ADDRESS[,ADDRESS...]`, as curl's --resolve:
/// connections to HOST:PORT go to these addresses, in order, instead of the
/// addresses DNS gives. HOST is a name or an IPv4 address (no brackets),
/// PORT 1..65535, each ADDRESS an IPv4 address or a bracketed IPv6 one, at
/// most kMaxResolveAddresses of them. curl's other forms (a leading '+' or
/// '-', a '*' host) are refused, and so is anything but printable ASCII
/// without spaces. The destination guard still checks every address when it
/// is connected to.
#pragma once

#include <cstddef>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed::fetch {

inline constexpr std::size_t kMaxResolveAddresses = 64;

/// InvalidArgument naming the entry and what is wrong with it (claim
/// "resolve", the FetchOptions field).
Result<void> checkResolveOverride(std::string_view entry);

} // namespace oidfed::fetch
