// What a refusal that a test switch lifts says to do: an http:// entity
// identifier or URL, and a loopback destination. Named once, for the entity
// identifier parser and the fetcher, appended to their messages.
#pragma once

#include <string_view>

namespace oidfed {

inline constexpr std::string_view kAllowHttpHint =
    "http:// is for test federations only: oidfed commands accept it with --allow-http, a configuration file "
    "with \"allow_http\": true";

inline constexpr std::string_view kAllowLoopbackHint =
    "loopback is for test federations only: oidfed commands allow it with --allow-loopback, a configuration "
    "file with \"fetch\": {\"allow_loopback\": true}";

} // namespace oidfed
