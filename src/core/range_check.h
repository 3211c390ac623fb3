// Range checks of the validate*Options() functions, with one shape for every
// refusal: InvalidArgument, message "<field>: must be <bounds>", and the
// field (as written in C++, e.g. "maxChainDepth" or "trustMarks.statusCacheTtl")
// in Error::claim. A caller that knows where a field came from maps the claim
// to its own name: the configuration file reader names the JSON member
// (server_config.cpp). Bounds are printed in the field's own unit, which is
// also the unit of the configuration file's member ("1..600000 ms").
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>

#include <oidfed/error.h>
#include <oidfed/result.h>

namespace oidfed::detail {

/// " ms", " s" or "" (a count), appended to printed bounds.
template <typename T>
constexpr std::string_view unitOf()
{
    if constexpr (std::is_same_v<T, std::chrono::milliseconds>)
        return " ms";
    else if constexpr (std::is_same_v<T, std::chrono::seconds>)
        return " s";
    else
        return "";
}

/// A bound as printed: the count of a duration, the number itself otherwise.
template <typename T>
std::string boundText(T value)
{
    if constexpr (std::is_arithmetic_v<T>)
        return std::to_string(value);
    else
        return std::to_string(value.count());
}

/// "low..high" in the unit of T, e.g. "1..32" or "0..3600 s".
template <typename T>
std::string rangeText(T low, T high)
{
    return boundText(low) + ".." + boundText(high) + std::string(unitOf<T>());
}

/// InvalidArgument "<field>: must be <bounds>", claim `field`.
inline Error outOfRange(std::string_view field, std::string_view bounds)
{
    return Error(ErrorCode::InvalidArgument, std::string(field) + ": must be " + std::string(bounds)).withClaim(field);
}

/// ok() when low <= value <= high; otherwise outOfRange(field, rangeText(low, high)).
template <typename T>
Result<void> checkRange(std::string_view field, T value, T low, T high)
{
    if (value < low || value > high)
        return fail(outOfRange(field, rangeText(low, high)));
    return ok();
}

/// As checkRange, with the bounds described in words (a bound that is
/// another field, e.g. "0..maxTtl (86400 s)").
template <typename T>
Result<void> checkRange(std::string_view field, T value, T low, T high, std::string_view bounds)
{
    if (value < low || value > high)
        return fail(outOfRange(field, bounds));
    return ok();
}

/// The refusal of a nested struct's field, renamed into its parent: claim
/// "<prefix>.<claim>", and the message's leading "<claim>" likewise.
inline Result<void> nestedIn(std::string_view prefix, Result<void> checked)
{
    if (checked)
        return checked;
    Error error = std::move(checked).error();
    const std::string field = std::string(prefix) + "." + error.claim;
    if (!error.claim.empty() && error.message.compare(0, error.claim.size(), error.claim) == 0)
        error.message = field + error.message.substr(error.claim.size());
    error.claim = field;
    return fail(std::move(error));
}

} // namespace oidfed::detail
