// LruMap: a map bounded by entry count that drops the least recently used
// entry to make room. Not thread-safe: its owner holds the lock. Lookups
// through find() count as a use; peek() does not.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace oidfed::detail {

template <typename Key, typename Value>
class LruMap {
public:
    explicit LruMap(std::size_t maxEntries) : maxEntries_(maxEntries) {}

    /// The value, made the most recently used; nullptr when absent.
    Value *find(const Key &key)
    {
        auto it = index_.find(key);
        if (it == index_.end())
            return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }

    /// Inserts or replaces; evicts least recently used entries beyond the
    /// bound. With a bound of 0 nothing is kept.
    void put(const Key &key, Value value)
    {
        if (maxEntries_ == 0)
            return;
        if (auto it = index_.find(key); it != index_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        while (index_.size() >= maxEntries_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
        order_.emplace_front(key, std::move(value));
        index_.emplace(key, order_.begin());
    }

    void erase(const Key &key)
    {
        if (auto it = index_.find(key); it != index_.end()) {
            order_.erase(it->second);
            index_.erase(it);
        }
    }

    std::size_t size() const noexcept { return index_.size(); }

private:
    using Entry = std::pair<Key, Value>;
    const std::size_t maxEntries_;
    std::list<Entry> order_;  // most recently used first
    std::unordered_map<Key, typename std::list<Entry>::iterator> index_;
};

} // namespace oidfed::detail
