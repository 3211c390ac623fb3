/// The framing of a value stored in Redis (private header).
///
/// Layout (big-endian integers), 17 bytes of header then the value:
///
///     offset  size  field
///     0       3     magic "OFC"
///     3       1     format version, kValueFormatVersion
///     4       1     flags: bit 0 = negative; every other bit must be 0
///     5       8     expiresAt, int64 seconds since the epoch
///     13      4     value length N, uint32
///     17      N     value bytes; nothing may follow
///
/// Any other byte string fails to decode: garbage, a truncated or padded
/// frame, another format version, unknown flags (threats J07, R9, R13).
/// There is no integrity check beyond that: Redis is not trusted to keep the
/// value genuine, callers re-verify what they read (J06).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <oidfed/cache.h>
#include <oidfed/result.h>

namespace oidfed::cache {

inline constexpr char kValueFormatVersion = 1;
inline constexpr std::size_t kValueHeaderBytes = 17;

/// The frame of `entry` (value, expiresAt, negative; origin is not stored).
/// REQUIRES: entry.value.size() < 2^32.
std::string encodeCacheValue(const CacheEntry &entry);

/// The entry framed in `frame`, with origin Shared. Errors: Malformed (the
/// message says which check failed); LimitExceeded when the value is longer
/// than maxValueBytes.
Result<CacheEntry> decodeCacheValue(std::string_view frame, std::size_t maxValueBytes);

} // namespace oidfed::cache
