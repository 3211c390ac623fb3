#include "time_format.h"

#include <charconv>

namespace oidfed::cli {

namespace {

bool number(std::string_view text, std::size_t pos, std::size_t length, int &out)
{
    if (pos + length > text.size())
        return false;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + length, out);
    return ec == std::errc() && end == text.data() + pos + length;
}

} // namespace

Result<UnixTime> parseRfc3339(std::string_view text)
{
    auto bad = [&] { return fail(ErrorCode::InvalidArgument, "not an RFC 3339 time: " + std::string(text)); };
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
        UnixTime value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size())
            return bad();
        return value;
    }
    int y, mo, d, h, mi, s;
    if (text.size() < 20 || !number(text, 0, 4, y) || text[4] != '-' || !number(text, 5, 2, mo) || text[7] != '-' ||
        !number(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !number(text, 11, 2, h) ||
        text[13] != ':' || !number(text, 14, 2, mi) || text[16] != ':' || !number(text, 17, 2, s))
        return bad();
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
            ++pos;
    }
    int offset = 0;
    std::string_view zone = text.substr(pos);
    if (zone == "Z" || zone == "z") {
        offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh, om;
        if (!number(zone, 1, 2, oh) || !number(zone, 4, 2, om) || oh > 23 || om > 59)
            return bad();
        offset = (oh * 60 + om) * 60 * (zone[0] == '-' ? -1 : 1);
    } else {
        return bad();
    }
    using namespace std::chrono;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60)
        return bad();
    auto t = sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{s};
    return static_cast<UnixTime>(duration_cast<seconds>(t).count()) - offset;
}

Result<std::chrono::seconds> parseDuration(std::string_view text, std::string_view option)
{
    auto bad = [&] {
        return fail(Error(ErrorCode::InvalidArgument, std::string(option) + ": " + std::string(text) +
                                                          " is not a duration (30d, 12h, 15m, 90s or seconds)")
                        .withClaim(option));
    };
    if (text.empty())
        return bad();
    std::int64_t unit = 1;
    std::string_view digits = text;
    if (const char last = text.back(); last == 'd' || last == 'h' || last == 'm' || last == 's') {
        unit = last == 'd' ? 86400 : last == 'h' ? 3600 : last == 'm' ? 60 : 1;
        digits.remove_suffix(1);
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || value < 0 ||
        value > 100LL * 365 * 86400 / unit)
        return bad();
    return std::chrono::seconds(value * unit);
}

} // namespace oidfed::cli
