#include "server/query_params.h"

#include <algorithm>

#include "core/hex_digit.h"

namespace oidfed::server {

namespace {

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool validUtf8(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > text.size())
            return false;
        std::uint32_t code = length == 1 ? byte : byte & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (next & 0x3F);
        }
        static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

Result<std::string> decodeComponent(std::string_view text, const QueryLimits &limits)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            int high = text.size() - i >= 3 ? detail::hexDigitValue(text[i + 1]) : -1;
            int low = text.size() - i >= 3 ? detail::hexDigitValue(text[i + 2]) : -1;
            if (high < 0 || low < 0)
                return fail(ErrorCode::InvalidArgument, "a parameter has a malformed percent escape");
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += c;
        }
    }
    if (out.size() > limits.maxValueBytes)
        return fail(ErrorCode::InvalidArgument,
                    "a parameter is longer than " + std::to_string(limits.maxValueBytes) + " bytes");
    if (std::any_of(out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
        return fail(ErrorCode::InvalidArgument, "a parameter holds a control character");
    if (!validUtf8(out))
        return fail(ErrorCode::InvalidArgument, "a parameter is not valid UTF-8");
    return out;
}

} // namespace

Result<QueryParams> QueryParams::parse(std::string_view encoded, const QueryLimits &limits)
{
    if (encoded.size() > limits.maxBytes)
        return fail(ErrorCode::InvalidArgument,
                    "the request parameters exceed " + std::to_string(limits.maxBytes) + " bytes");
    QueryParams params;
    std::size_t begin = 0;
    while (begin <= encoded.size() && !encoded.empty()) {
        std::size_t end = encoded.find('&', begin);
        if (end == std::string_view::npos)
            end = encoded.size();
        std::string_view pair = encoded.substr(begin, end - begin);
        if (!pair.empty()) {
            if (params.items_.size() == limits.maxParameters)
                return fail(ErrorCode::InvalidArgument,
                            "more than " + std::to_string(limits.maxParameters) + " request parameters");
            std::size_t equals = pair.find('=');
            std::string_view name = pair.substr(0, equals);
            std::string_view value = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
            OIDFED_TRY(std::string decodedName, decodeComponent(name, limits));
            OIDFED_TRY(std::string decodedValue, decodeComponent(value, limits));
            params.items_.emplace_back(std::move(decodedName), std::move(decodedValue));
        }
        begin = end + 1;
    }
    return params;
}

std::vector<std::string> QueryParams::all(std::string_view name) const
{
    std::vector<std::string> out;
    for (const auto &[key, value] : items_)
        if (key == name)
            out.push_back(value);
    return out;
}

Result<std::optional<std::string>> QueryParams::single(std::string_view name) const
{
    std::optional<std::string> found;
    for (const auto &[key, value] : items_) {
        if (key != name)
            continue;
        if (found)
            return fail(ErrorCode::InvalidArgument, "parameter " + std::string(name) + " is repeated");
        found = value;
    }
    return found;
}

bool QueryParams::has(std::string_view name) const
{
    return std::any_of(items_.begin(), items_.end(), [&](const auto &item) { return item.first == name; });
}

} // namespace oidfed::server
