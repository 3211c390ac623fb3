// libFuzzer target: Entity Identifier validation (include/oidfed/entity_id.h,
// spec 1.2; threats D05, F01-F03).
//
// Invariants: parsing fails only with Malformed; an accepted identifier is
// the input itself (no normalisation), is https (or http only when allowed),
// has no query, fragment, user info, space, control or non-ASCII character,
// its host is part of it, and it parses again to an equal identifier.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <oidfed/entity_id.h>

#include "fuzz_support.h"

using oidfed::EntityId;
using oidfed::fuzz::check;

namespace {

void checkParse(std::string_view text, bool allowHttp)
{
    auto id = EntityId::parse(text, {.allowHttp = allowHttp});
    if (!id) {
        check(id.error().code == oidfed::ErrorCode::Malformed, "EntityId::parse fails with Malformed only");
        return;
    }
    const std::string &value = id->str();
    check(value == text, "an accepted identifier is kept exactly as given");
    check(value.starts_with("https://") || (allowHttp && value.starts_with("http://")),
          "the scheme is https, or http when allowed");
    check(value.find_first_of("?# ") == std::string::npos, "no query, fragment or space");
    for (char c : value)
        check(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F,
              "printable ASCII only");
    check(!id->host().empty() && value.find(id->host()) != std::string::npos, "a non-empty host within the text");
    auto again = EntityId::parse(value, {.allowHttp = allowHttp});
    check(again.has_value() && *again == *id, "an accepted identifier parses again to itself");
    if (!allowHttp)
        check(EntityId::parse(value, {.allowHttp = true}).has_value(), "allowing http accepts more, never less");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text = oidfed::fuzz::asText(data, size);
    checkParse(text, false);
    checkParse(text, true);
    return 0;
}
