#include "fetch/media_type.h"

namespace oidfed::fetch {

namespace {

bool isSpace(char c) noexcept
{
    return c == ' ' || c == '\t';
}

char toLowerAscii(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string_view mediaTypeOf(std::string_view contentType) noexcept
{
    std::string_view type = contentType.substr(0, contentType.find(';'));
    while (!type.empty() && isSpace(type.front()))
        type.remove_prefix(1);
    while (!type.empty() && isSpace(type.back()))
        type.remove_suffix(1);
    return type;
}

bool mediaTypeMatches(std::string_view contentType, std::string_view expected) noexcept
{
    const std::string_view type = mediaTypeOf(contentType);
    if (type.empty() || type.size() != expected.size())
        return false;
    for (std::size_t i = 0; i < type.size(); ++i) {
        if (toLowerAscii(type[i]) != toLowerAscii(expected[i]))
            return false;
    }
    return true;
}

} // namespace oidfed::fetch
