// libFuzzer target: strict base64url decoding (RFC 4648 section 5, no
// padding; include/oidfed/base64url.h).
//
// Invariants: the decoder is canonical (accepted text re-encodes to exactly
// the same text, threat C21), rejects only with Malformed, never accepts a
// length of 1 mod 4, and the encoder's output always decodes back to the
// encoded bytes.

#include <cstddef>
#include <cstdint>
#include <string>

#include <oidfed/base64url.h>

#include "fuzz_support.h"

using oidfed::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input = oidfed::fuzz::asText(data, size);

    auto decoded = oidfed::base64urlDecode(input);
    if (decoded) {
        check(input.size() % 4 != 1, "no accepted text has a length of 1 mod 4");
        check(decoded->size() == input.size() * 3 / 4, "decoded length is 3/4 of the text, rounded down");
        check(oidfed::base64urlEncode(*decoded) == input, "accepted text re-encodes to itself");
    } else {
        check(decoded.error().code == oidfed::ErrorCode::Malformed, "decode fails with Malformed only");
    }

    // Any bytes: encode, then decode gives them back.
    const std::string encoded = oidfed::base64urlEncode(input);
    check(encoded.find_first_of("=+/") == std::string::npos, "the encoder writes no padding, '+' or '/'");
    auto roundTrip = oidfed::base64urlDecode(encoded);
    check(roundTrip.has_value() && *roundTrip == input, "encoded bytes decode back to themselves");
    return 0;
}
