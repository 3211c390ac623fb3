#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include <oidfed/cache_key.h>

using namespace oidfed;

TEST_CASE("cache keys: concatenation ambiguities cannot collide (J03)")
{
    using NS = CacheNamespace;
    CHECK(cacheKey(NS::Statement, {"https://a:1", "x"}) != cacheKey(NS::Statement, {"https:", "//a:1x"}));
    CHECK(cacheKey(NS::Statement, {"a:b", "c"}) != cacheKey(NS::Statement, {"a", "b:c"}));
    CHECK(cacheKey(NS::Statement, {"1:a", ""}) != cacheKey(NS::Statement, {"", "1:a"}));
    CHECK(cacheKey(NS::Statement, {"a", ""}) != cacheKey(NS::Statement, {"a"}));
    CHECK(cacheKey(NS::Statement, {"", "a"}) != cacheKey(NS::Statement, {"a"}));
    CHECK(cacheKey(NS::Statement, {}) != cacheKey(NS::Statement, {""}));
    // A part that looks like an encoded part of its own.
    CHECK(cacheKey(NS::Statement, {"1:a1:b"}) != cacheKey(NS::Statement, {"a", "b"}));
    // Same parts, another namespace.
    CHECK(cacheKey(NS::Statement, {"x"}) != cacheKey(NS::Resolution, {"x"}));
    CHECK(cacheKey(NS::Verification, {"x"}) != cacheKey(NS::TrustMarkStatus, {"x"}));
    // A part that spells another namespace's tag.
    CHECK(cacheKey(NS::Statement, {"res:1:x"}) != cacheKey(NS::Resolution, {"x"}));
}

TEST_CASE("cache keys: many part lists give distinct keys")
{
    const std::vector<std::string> pieces = {"", "a", ":", "1", "1:", "a:", ":a", "https://a:1", "//", std::string(1, '\0')};
    std::set<std::string> keys;
    std::size_t lists = 0;
    for (const auto &p : pieces)
        for (const auto &q : pieces) {
            keys.insert(cacheKey(CacheNamespace::Statement, {p, q}));
            ++lists;
        }
    for (const auto &p : pieces) {
        keys.insert(cacheKey(CacheNamespace::Statement, {p}));
        ++lists;
    }
    CHECK(keys.size() == lists);
}

TEST_CASE("cache keys: format, version and binary parts")
{
    CHECK(cacheKey(CacheNamespace::Statement, {"https://ta.example", "https://leaf.example"}) ==
          "v1:stmt:18:https://ta.example20:https://leaf.example");
    CHECK(cacheKey(CacheNamespace::Resolution, {}).starts_with("v" + std::to_string(kCacheKeySchemaVersion) + ":res:"));
    const std::string binary("a\0b\r\n c", 7);
    const std::string key = cacheKey(CacheNamespace::Verification, {binary});
    CHECK(key == std::string("v1:sig:7:") + binary);
    for (auto ns : {CacheNamespace::Statement, CacheNamespace::Verification, CacheNamespace::Resolution,
                    CacheNamespace::TrustMarkStatus, CacheNamespace::Registration, CacheNamespace::Replay,
                    CacheNamespace::Crawl}) {
        CHECK_FALSE(cacheNamespaceTag(ns).empty());
        CHECK(cacheNamespaceTag(ns).find(':') == std::string_view::npos);
    }
}

TEST_CASE("cache keys: leading parts give a prefix for purging (J10)")
{
    const std::string entity = "https://leaf.example";
    const std::string prefix = cacheKey(CacheNamespace::Resolution, {entity});
    CHECK(cacheKey(CacheNamespace::Resolution, {entity, "https://ta.example", "x"}).starts_with(prefix));
    // Another entity whose id extends this one is not caught by the prefix.
    CHECK_FALSE(cacheKey(CacheNamespace::Resolution, {entity + "x", "https://ta.example"}).starts_with(prefix));
}

TEST_CASE("cache keys: set parts are canonical (J02)")
{
    CHECK(cacheKeySetPart({"b", "a"}) == cacheKeySetPart({"a", "b", "a"}));
    CHECK(cacheKeySetPart({"a", "b"}) != cacheKeySetPart({"a"}));
    CHECK(cacheKeySetPart({"ab"}) != cacheKeySetPart({"a", "b"}));
    CHECK(cacheKeySetPart({}) != cacheKeySetPart({""}));
}

TEST_CASE("cache keys: digest")
{
    // SHA-256("abc"), base64url without padding.
    CHECK(cacheKeyDigest("abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    CHECK(cacheKeyDigest("").size() == 43);
    CHECK(cacheKeyDigest("a") != cacheKeyDigest("b"));
}
