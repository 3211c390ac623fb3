#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <oidfed/json.h>

using namespace oidfed;

TEST_CASE("parse and dump round trip keeps member order")
{
    auto r = parseJson(R"({"b":1,"a":[true,null,"x",1.5],"c":{"d":-7}})");
    REQUIRE(r);
    CHECK(r->dump() == R"({"b":1,"a":[true,null,"x",1.5],"c":{"d":-7}})");
    CHECK(r->find("c")->find("d")->asInt() == -7);
    CHECK(r->find("missing") == nullptr);
}

TEST_CASE("duplicate member names are rejected at every depth (D01)")
{
    CHECK(parseJson(R"({"sub":"a","sub":"b"})").error().code == ErrorCode::Malformed);
    CHECK(parseJson(R"({"m":{"x":{"y":1,"y":2}}})").error().code == ErrorCode::Malformed);
    // A large object switches to the hashed duplicate check.
    std::string big = "{";
    for (int i = 0; i < 100; ++i)
        big += "\"k" + std::to_string(i) + "\":1,";
    std::string dup = big + "\"k5\":2}";
    big += "\"last\":1}";
    CHECK(parseJson(big).has_value());
    CHECK_FALSE(parseJson(dup).has_value());
}

TEST_CASE("depth, size and member limits (D02, D07)")
{
    std::string deep(100, '[');
    deep += std::string(100, ']');
    CHECK(parseJson(deep).error().code == ErrorCode::LimitExceeded);

    JsonLimits small;
    small.maxBytes = 10;
    CHECK(parseJson(R"({"a":"0123456789"})", small).error().code == ErrorCode::LimitExceeded);

    JsonLimits few;
    few.maxMembers = 2;
    CHECK(parseJson("[1,2]", few).has_value());
    CHECK(parseJson("[1,2,3]", few).error().code == ErrorCode::LimitExceeded);

    JsonLimits shortStrings;
    shortStrings.maxStringBytes = 3;
    CHECK(parseJson(R"(["abcd"])", shortStrings).error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("encoding problems are rejected (C22, D04)")
{
    CHECK_FALSE(parseJson("\xEF\xBB\xBF{}").has_value());           // BOM
    CHECK_FALSE(parseJson("[\"\xC0\xAF\"]").has_value());           // overlong
    CHECK_FALSE(parseJson("[\"\xFF\"]").has_value());               // invalid byte
    CHECK_FALSE(parseJson(R"(["\ud800"])").has_value());            // lone high surrogate
    CHECK_FALSE(parseJson(R"(["\udc00"])").has_value());            // lone low surrogate
    CHECK(parseJson(R"(["\ud83d\ude00"])").has_value());            // a valid pair
    CHECK_FALSE(parseJson(std::string("{}\0{}", 5)).has_value());   // NUL byte
    CHECK_FALSE(parseJson("{} {}").has_value());                    // trailing value
    CHECK_FALSE(parseJson("[NaN]").has_value());
    CHECK_FALSE(parseJson("").has_value());
    // An escaped NUL is valid JSON and is kept, length-aware.
    auto nul = parseJson(R"(["a\u0000b"])");
    REQUIRE(nul);
    CHECK(nul->asArray()[0].asString().size() == 3);
}

TEST_CASE("numbers (D03)")
{
    CHECK_FALSE(parseJson("[1e400]").has_value());
    auto big = parseJson("[18446744073709551616, 9223372036854775807, -1, 1.5e9]");
    REQUIRE(big);
    const auto &a = big->asArray();
    CHECK(a[0].type() == Json::Type::Double);
    CHECK(a[1].isInt());
    CHECK(a[2].asInt() == -1);
    CHECK(a[3].type() == Json::Type::Double);
}

TEST_CASE("issue #8: numbers parse to the nearest double and survive dump and parse")
{
    // 0.30000000000000007 is nearest to the double 0.1 + 0.2; RapidJSON's
    // default (not full precision) parsing gave the next double up.
    auto near = parseJson("0.30000000000000007");
    REQUIRE(near);
    CHECK(near->asDouble() == 0.1 + 0.2);
    // Found by fuzz/json_fuzz.cpp: parse, dump, parse changed the value.
    for (const char *text : {"[222222222222222222222222222222222222222222222222222]", "[0.30000000000000004]",
                             "[1.7976931348623157e308]", "[4.9e-324]", "[123456789.12345678]"}) {
        CAPTURE(text);
        auto parsed = parseJson(text);
        REQUIRE(parsed);
        auto again = parseJson(parsed->dump());
        REQUIRE(again);
        CHECK(again->asArray()[0].asDouble() == parsed->asArray()[0].asDouble());
    }
    // Range handling is unchanged: beyond the largest double is Malformed,
    // below the smallest one reads as zero, integers stay integers.
    CHECK(parseJson("[1.7976931348623159e308]").error().code == ErrorCode::Malformed);
    CHECK(parseJson("[10e308]").error().code == ErrorCode::Malformed);
    auto tiny = parseJson("[1e-400, -0.000001e-320, 0e-42, 4.9e-324, -0, 9223372036854775808]");
    REQUIRE(tiny);
    const auto &t = tiny->asArray();
    CHECK(t[0].asDouble() == 0.0);
    CHECK(t[1].asDouble() == 0.0);
    CHECK(std::signbit(t[1].asDouble()));
    CHECK(t[2].asDouble() == 0.0);
    CHECK(t[3].asDouble() > 0.0);
    CHECK(t[4].isInt());
    CHECK(t[5].type() == Json::Type::Double);
}

TEST_CASE("equality compares numbers by value and objects without order")
{
    CHECK(Json(1) == Json(1.0));
    CHECK_FALSE(Json(1) == Json(true));
    CHECK(*parseJson(R"({"a":1,"b":[1,2]})") == *parseJson(R"({"b":[1,2],"a":1.0})"));
    CHECK_FALSE(*parseJson(R"({"b":[2,1]})") == *parseJson(R"({"b":[1,2]})"));
}

TEST_CASE("building values")
{
    Json o;
    o.set("iss", "https://ta.example");
    o.set("n", 3);
    o.set("n", 4);
    Json list;
    list.push("x");
    o.set("l", list);
    CHECK(o.dump() == R"({"iss":"https://ta.example","n":4,"l":["x"]})");
    CHECK(o.erase("n"));
    CHECK_FALSE(o.erase("n"));
    CHECK(o.dump(true) == "{\n  \"iss\": \"https://ta.example\",\n  \"l\": [\n    \"x\"\n  ]\n}");
}
