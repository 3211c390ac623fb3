#include "cache/value_codec.h"

#include <cstdint>

namespace oidfed::cache {

namespace {

constexpr std::string_view kMagic = "OFC";
constexpr unsigned char kFlagNegative = 0x01;

void appendBigEndian(std::string &out, std::uint64_t v, int bytes)
{
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
        out += static_cast<char>((v >> shift) & 0xff);
}

std::uint64_t readBigEndian(std::string_view in, std::size_t offset, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | static_cast<unsigned char>(in[offset + static_cast<std::size_t>(i)]);
    return v;
}

} // namespace

std::string encodeCacheValue(const CacheEntry &entry)
{
    std::string frame;
    frame.reserve(kValueHeaderBytes + entry.value.size());
    frame += kMagic;
    frame += kValueFormatVersion;
    frame += static_cast<char>(entry.negative ? kFlagNegative : 0);
    appendBigEndian(frame, static_cast<std::uint64_t>(entry.expiresAt), 8);
    appendBigEndian(frame, entry.value.size(), 4);
    frame += entry.value;
    return frame;
}

Result<CacheEntry> decodeCacheValue(std::string_view frame, std::size_t maxValueBytes)
{
    if (frame.size() < kValueHeaderBytes)
        return fail(ErrorCode::Malformed, "cached value shorter than its header");
    if (frame.substr(0, kMagic.size()) != kMagic)
        return fail(ErrorCode::Malformed, "cached value has no oidfed frame");
    if (frame[3] != kValueFormatVersion)
        return fail(ErrorCode::Malformed, "cached value has another format version");
    const auto flags = static_cast<unsigned char>(frame[4]);
    if ((flags & ~kFlagNegative) != 0)
        return fail(ErrorCode::Malformed, "cached value has unknown flags");
    const std::uint64_t length = readBigEndian(frame, 13, 4);
    if (length > maxValueBytes)
        return fail(ErrorCode::LimitExceeded, "cached value longer than maxValueBytes");
    if (frame.size() - kValueHeaderBytes != length)
        return fail(ErrorCode::Malformed, "cached value length does not match its frame (truncated or padded)");
    CacheEntry entry;
    entry.expiresAt = static_cast<UnixTime>(readBigEndian(frame, 5, 8));
    entry.negative = (flags & kFlagNegative) != 0;
    entry.origin = CacheOrigin::Shared;
    entry.value.assign(frame.substr(kValueHeaderBytes));
    return entry;
}

} // namespace oidfed::cache
