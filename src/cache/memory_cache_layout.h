/// The per-entry layout of the memory cache and what one entry is charged
/// against MemoryCacheOptions::maxBytes (private header; memory_cache.cpp
/// and tests/cache/memory_overhead_test.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <oidfed/cache.h>
#include <oidfed/clock.h>

namespace oidfed::cache {

struct Slot;
/// One map element; the LRU lists link elements directly.
using Item = std::pair<const std::string, Slot>;

/// What the memory cache keeps per key, besides the key itself.
struct Slot {
    std::string value;
    UnixTime expiresAt = 0;
    Item *newer = nullptr;  ///< towards the most recently used; null at the newest
    Item *older = nullptr;  ///< towards the least recently used; null at the oldest
    bool negative = false;
    /// In the hot segment (read again since it was stored), else the cold one.
    bool hot = false;
    CacheOrigin origin = CacheOrigin::Local;
};

/// Transparent, so get(std::string_view) finds a std::string key without
/// building one. Deliberately not noexcept: libstdc++ then caches each hash in
/// its node, and a lookup compares hashes before it compares keys.
struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

using SlotMap = std::unordered_map<std::string, Slot, KeyHash, std::equal_to<>>;

/// Allocator bookkeeping per heap block on glibc (chunk header + rounding to
/// 16 bytes), as an upper bound.
inline constexpr std::size_t kHeapBlockOverhead = 16;

/// Bytes charged per entry on top of its key and value bytes: the hash node
/// (next pointer, element, cached hash), its bucket slot at load factor 1,
/// the strings' terminating NULs, and allocator headers for the node and for
/// the key's and the value's heap buffers.
inline constexpr std::size_t kEntryOverheadBytes =
    sizeof(void *) + sizeof(Item) + sizeof(std::size_t)  // hash node
    + sizeof(void *)                                      // bucket slot
    + 2                                                   // NUL of key and value
    + 3 * kHeapBlockOverhead;                             // node, key buffer, value buffer

} // namespace oidfed::cache
