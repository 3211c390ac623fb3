#include <doctest/doctest.h>

#include <string>

#include "cache/value_codec.h"

using namespace oidfed;
using namespace oidfed::cache;

namespace {

CacheEntry sample()
{
    return CacheEntry{std::string("eyJ\0\r\nbinary", 12), 1'700'000'000, true, CacheOrigin::Local};
}

} // namespace

TEST_CASE("value codec: round trip keeps value, expiry and flag; origin becomes Shared")
{
    for (bool negative : {false, true}) {
        CacheEntry in = sample();
        in.negative = negative;
        const std::string frame = encodeCacheValue(in);
        CHECK(frame.size() == kValueHeaderBytes + in.value.size());
        auto out = decodeCacheValue(frame, 1024);
        REQUIRE(out);
        CHECK(out->value == in.value);
        CHECK(out->expiresAt == in.expiresAt);
        CHECK(out->negative == negative);
        CHECK(out->origin == CacheOrigin::Shared);
    }
    CacheEntry empty;
    empty.expiresAt = -5;
    auto out = decodeCacheValue(encodeCacheValue(empty), 1024);
    REQUIRE(out);
    CHECK(out->value.empty());
    CHECK(out->expiresAt == -5);
}

TEST_CASE("value codec: garbage, truncation and foreign versions fail (J07, R9, R13)")
{
    const std::string frame = encodeCacheValue(sample());
    CHECK_FALSE(decodeCacheValue("", 1024));
    CHECK_FALSE(decodeCacheValue("garbage", 1024));
    CHECK_FALSE(decodeCacheValue("garbage that is long enough to hold a header", 1024));
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
        CAPTURE(cut);
        auto r = decodeCacheValue(frame.substr(0, cut), 1024);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::Malformed);
    }
    CHECK_FALSE(decodeCacheValue(frame + "x", 1024));  // padded
    std::string otherVersion = frame;
    otherVersion[3] = 2;
    CHECK_FALSE(decodeCacheValue(otherVersion, 1024));
    std::string oldVersion = frame;
    oldVersion[3] = 0;
    CHECK_FALSE(decodeCacheValue(oldVersion, 1024));
    std::string unknownFlag = frame;
    unknownFlag[4] = 0x02;
    CHECK_FALSE(decodeCacheValue(unknownFlag, 1024));
    std::string badMagic = frame;
    badMagic[0] = 'X';
    CHECK_FALSE(decodeCacheValue(badMagic, 1024));
}

TEST_CASE("value codec: the value size bound applies")
{
    CacheEntry big;
    big.value.assign(2000, 'x');
    big.expiresAt = 10;
    auto r = decodeCacheValue(encodeCacheValue(big), 1999);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::LimitExceeded);
    CHECK(decodeCacheValue(encodeCacheValue(big), 2000));
}
