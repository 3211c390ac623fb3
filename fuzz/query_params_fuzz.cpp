// libFuzzer target: the server's request parameter decoding
// (application/x-www-form-urlencoded; src/server/query_params.h).
//
// Invariants: errors are InvalidArgument only; an accepted query respects the
// limits, holds no control character in any name or value, and survives a
// round trip through the library's percentEncode(); all(), single() and
// has() agree with items().

#include <cstddef>
#include <cstdint>
#include <string>

#include <oidfed/federation_urls.h>

#include "fuzz_support.h"
#include "server/query_params.h"

using oidfed::fuzz::check;
using oidfed::server::QueryLimits;
using oidfed::server::QueryParams;

namespace {

bool hasControlCharacter(const std::string &text)
{
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return true;
    return false;
}

void checkAccepted(const QueryParams &params, const QueryLimits &limits)
{
    check(params.items().size() <= limits.maxParameters, "at most maxParameters parameters");
    std::string reencoded;
    for (const auto &[name, value] : params.items()) {
        check(name.size() <= limits.maxValueBytes && value.size() <= limits.maxValueBytes,
              "names and values are at most maxValueBytes");
        check(!hasControlCharacter(name) && !hasControlCharacter(value), "no control character is decoded");
        if (!reencoded.empty())
            reencoded += '&';
        reencoded += oidfed::percentEncode(name) + "=" + oidfed::percentEncode(value);

        const auto all = params.all(name);
        check(params.has(name) && !all.empty(), "has() and all() find every item's name");
        auto single = params.single(name);
        check(single.has_value() == (all.size() == 1), "single() succeeds exactly when the name is not repeated");
        if (single)
            check(**single == value, "single() returns the only value");
        else
            check(single.error().code == oidfed::ErrorCode::InvalidArgument, "a repeated name is InvalidArgument");
    }

    // Percent-encoding at most triples each byte, and a pair without '='
    // gains one; the other limits still hold.
    QueryLimits roomy = limits;
    roomy.maxBytes = limits.maxBytes * 3 + limits.maxParameters;
    auto again = QueryParams::parse(reencoded, roomy);
    check(again.has_value(), "percent-encoded parameters parse");
    check(again->items() == params.items(), "decode, percentEncode, decode gives the same parameters");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QueryLimits limits;
    auto params = QueryParams::parse(oidfed::fuzz::asText(data, size), limits);
    if (params)
        checkAccepted(*params, limits);
    else
        check(params.error().code == oidfed::ErrorCode::InvalidArgument, "parse fails with InvalidArgument only");
    return 0;
}
