// LruMap: bounded by entry count, least recently used out first.
#include <doctest/doctest.h>

#include <string>

#include "core/lru_map.h"

using oidfed::detail::LruMap;

TEST_CASE("LruMap keeps the most recently used entries within its bound")
{
    LruMap<std::string, int> map(2);
    map.put("a", 1);
    map.put("b", 2);
    REQUIRE(map.find("a"));  // a is now more recent than b
    map.put("c", 3);         // evicts b
    CHECK(map.size() == 2);
    CHECK(map.find("b") == nullptr);
    REQUIRE(map.find("a"));
    CHECK(*map.find("a") == 1);
    REQUIRE(map.find("c"));
    CHECK(*map.find("c") == 3);
}

TEST_CASE("LruMap: peek reads without counting a use")
{
    LruMap<std::string, int> map(2);
    map.put("a", 1);
    map.put("b", 2);
    REQUIRE(map.peek("a"));
    CHECK(*map.peek("a") == 1);
    CHECK(map.peek("missing") == nullptr);
    map.put("c", 3);  // a was only peeked at: still the least recent, evicted
    CHECK(map.peek("a") == nullptr);
    CHECK(map.peek("b"));
    CHECK(map.peek("c"));
}

TEST_CASE("LruMap replaces in place, erases, and keeps nothing with a bound of 0")
{
    LruMap<std::string, int> map(2);
    map.put("a", 1);
    map.put("b", 2);
    map.put("a", 10);  // replacing makes a the most recent; no eviction
    CHECK(map.size() == 2);
    map.put("c", 3);  // evicts b, the least recent
    CHECK(map.find("b") == nullptr);
    CHECK(*map.find("a") == 10);
    map.erase("a");
    CHECK(map.find("a") == nullptr);
    CHECK(map.size() == 1);
    map.erase("missing");
    CHECK(map.size() == 1);

    LruMap<std::string, int> none(0);
    none.put("a", 1);
    CHECK(none.size() == 0);
    CHECK(none.find("a") == nullptr);
}

TEST_CASE("LruMap: keys put once and never found again do not push out the entries in use (J12)")
{
    LruMap<std::string, int> map(10);
    for (int i = 0; i < 5; ++i) {
        map.put("used-" + std::to_string(i), i);
        REQUIRE(map.find("used-" + std::to_string(i)));
    }
    for (int i = 0; i < 1000; ++i)
        map.put("once-" + std::to_string(i), i);
    CHECK(map.size() == 10);
    for (int i = 0; i < 5; ++i) {
        const int *value = map.find("used-" + std::to_string(i));
        REQUIRE(value);
        CHECK(*value == i);
    }
    CHECK(map.find("once-999"));
    CHECK(map.find("once-0") == nullptr);

    // The hot segment holds at most 8 of 10: with 10 entries in use, the two
    // least recently used go back to the cold segment, and a newcomer evicts
    // the older of them.
    LruMap<std::string, int> busy(10);
    for (int i = 0; i < 10; ++i) {
        busy.put("k" + std::to_string(i), i);
        REQUIRE(busy.find("k" + std::to_string(i)));
    }
    busy.put("new", 0);
    CHECK(busy.size() == 10);
    CHECK(busy.find("k0") == nullptr);
    for (int i = 1; i < 10; ++i)
        CHECK(busy.find("k" + std::to_string(i)));
    CHECK(busy.find("new"));
}
