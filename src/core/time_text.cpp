#include "core/time_text.h"

#include <cstdio>

namespace oidfed {

namespace {

// "YYYY-MM-DDTHH:MM:SS" of a whole second.
std::string dateTime(std::chrono::sys_seconds tp)
{
    using namespace std::chrono;
    auto day = floor<days>(tp);
    year_month_day ymd{day};
    hh_mm_ss hms{tp - day};
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()));
    return buffer;
}

} // namespace

std::string formatRfc3339(UnixTime t)
{
    return dateTime(std::chrono::sys_seconds{std::chrono::seconds{t}}) + "Z";
}

std::string formatRfc3339Millis(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    auto whole = floor<seconds>(t);
    auto millis = duration_cast<milliseconds>(t - whole).count();
    char fraction[32];
    std::snprintf(fraction, sizeof fraction, ".%03lldZ", static_cast<long long>(millis));
    return dateTime(sys_seconds{whole}) + fraction;
}

std::string relativeTime(UnixTime t, UnixTime now)
{
    if (t == now)
        return "now";
    const UnixTime distance = t < now ? now - t : t - now;
    std::string amount;
    if (distance < 120)
        amount = std::to_string(distance) + " s";
    else if (distance < 2 * 3600)
        amount = std::to_string(distance / 60) + " min";
    else if (distance < 2 * 86400)
        amount = std::to_string(distance / 3600) + " h";
    else
        amount = std::to_string(distance / 86400) + " days";
    return t < now ? amount + " ago" : "in " + amount;
}

std::string describeTime(UnixTime t, UnixTime now)
{
    return formatRfc3339(t) + ", " + relativeTime(t, now);
}

} // namespace oidfed
