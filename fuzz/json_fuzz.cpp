// libFuzzer target: JSON parsing and serialization (include/oidfed/json.h).
//
// Invariants: parsing fails only with Malformed or LimitExceeded; an accepted
// document dumps (compact and pretty) to text that parses back to an equal
// value; the compact dump is a fixed point (dump, parse, dump gives the same
// text); and the limits hold on what was accepted.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include <oidfed/json.h>

#include "fuzz_support.h"

using oidfed::Json;
using oidfed::fuzz::check;

namespace {

/// Deepest nesting of arrays and objects in `value` (a scalar is 0).
std::size_t depthOf(const Json &value)
{
    std::size_t deepest = 0;
    if (value.isArray())
        for (const Json &element : value.asArray())
            deepest = std::max(deepest, depthOf(element));
    else if (value.isObject())
        for (const auto &member : value.asObject())
            deepest = std::max(deepest, depthOf(member.second));
    else
        return 0;
    return deepest + 1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const oidfed::JsonLimits limits;
    auto parsed = oidfed::parseJson(oidfed::fuzz::asText(data, size), limits);
    if (!parsed) {
        const auto code = parsed.error().code;
        check(code == oidfed::ErrorCode::Malformed || code == oidfed::ErrorCode::LimitExceeded,
              "parseJson fails with Malformed or LimitExceeded only");
        return 0;
    }
    check(depthOf(*parsed) <= limits.maxDepth, "an accepted document respects maxDepth");

    // A dump may be longer than its source ("1e5" dumps as "100000.0"), so
    // re-parsing lifts the byte limit; every other limit stays.
    oidfed::JsonLimits reparse = limits;
    reparse.maxBytes = std::numeric_limits<std::size_t>::max();

    const std::string compact = parsed->dump();
    auto again = oidfed::parseJson(compact, reparse);
    check(again.has_value(), "the compact dump of an accepted document parses");
    check(*again == *parsed, "parse, dump, parse gives an equal value");
    check(again->dump() == compact, "the compact dump is a fixed point");

    auto pretty = oidfed::parseJson(parsed->dump(true), reparse);
    check(pretty.has_value() && *pretty == *parsed, "the pretty dump parses back to an equal value");
    return 0;
}
