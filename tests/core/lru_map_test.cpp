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
