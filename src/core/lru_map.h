// LruMap: a map bounded by entry count that drops the least recently used
// entry to make room. Not thread-safe: its owner holds the lock. Lookups
// through find() count as a use.
//
// It is a segmented LRU (threat J12: a flood of keys stored once, such as
// unique subjects asked for by one client, must not push out the entries in
// real use). A new entry starts in the cold segment; a find() moves it to the
// hot one, which holds at most four fifths of the bound (its least recently
// used entries move back to the front of the cold segment). Eviction takes
// the cold segment's least recently used entry, and the hot segment's only
// when the cold one is empty.
#pragma once

#include <cstddef>
#include <iterator>
#include <list>
#include <unordered_map>
#include <utility>

namespace oidfed::detail {

template <typename Key, typename Value>
class LruMap {
public:
    explicit LruMap(std::size_t maxEntries)
        : maxEntries_(maxEntries), maxHot_(maxEntries * 4 / 5 > 0 ? maxEntries * 4 / 5 : 1)
    {
    }

    /// The value, made the most recently used of the hot segment; nullptr
    /// when absent.
    Value *find(const Key &key)
    {
        auto it = index_.find(key);
        if (it == index_.end())
            return nullptr;
        Place &place = it->second;
        hot_.splice(hot_.begin(), place.hot ? hot_ : cold_, place.entry);
        place.hot = true;
        coolDown();
        return &place.entry->second;
    }

    /// The value without counting a use (its place is unchanged); nullptr
    /// when absent.
    Value *peek(const Key &key)
    {
        auto it = index_.find(key);
        return it == index_.end() ? nullptr : &it->second.entry->second;
    }

    /// Inserts (into the cold segment) or replaces (in its segment, as the
    /// most recently used); evicts beyond the bound. With a bound of 0 nothing
    /// is kept.
    void put(const Key &key, Value value)
    {
        if (maxEntries_ == 0)
            return;
        if (auto it = index_.find(key); it != index_.end()) {
            Place &place = it->second;
            place.entry->second = std::move(value);
            std::list<Entry> &segment = place.hot ? hot_ : cold_;
            segment.splice(segment.begin(), segment, place.entry);
            return;
        }
        while (index_.size() >= maxEntries_) {
            std::list<Entry> &victims = cold_.empty() ? hot_ : cold_;
            index_.erase(victims.back().first);
            victims.pop_back();
        }
        cold_.emplace_front(key, std::move(value));
        index_.emplace(key, Place{cold_.begin(), false});
    }

    void erase(const Key &key)
    {
        if (auto it = index_.find(key); it != index_.end()) {
            (it->second.hot ? hot_ : cold_).erase(it->second.entry);
            index_.erase(it);
        }
    }

    std::size_t size() const noexcept { return index_.size(); }

private:
    using Entry = std::pair<Key, Value>;
    struct Place {
        typename std::list<Entry>::iterator entry;
        bool hot = false;
    };

    /// Moves the hot segment's least recently used entries to the front of
    /// the cold one until it fits its share.
    void coolDown()
    {
        while (hot_.size() > maxHot_) {
            index_.find(hot_.back().first)->second.hot = false;
            cold_.splice(cold_.begin(), hot_, std::prev(hot_.end()));
        }
    }

    const std::size_t maxEntries_;
    const std::size_t maxHot_;
    std::list<Entry> cold_;  // most recently used first
    std::list<Entry> hot_;   // most recently used first
    std::unordered_map<Key, Place> index_;
};

} // namespace oidfed::detail
