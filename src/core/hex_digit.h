// The value of one hexadecimal digit, for the percent-decoders (Redis URLs,
// request parameters).
#pragma once

namespace oidfed::detail {

/// 0-15 for [0-9a-fA-F], -1 for anything else.
constexpr int hexDigitValue(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace oidfed::detail
