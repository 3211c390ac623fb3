#include <doctest/doctest.h>

#include <string>

#include <oidfed/base64url.h>

using namespace oidfed;

TEST_CASE("RFC 4648 section 10 vectors, without padding")
{
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},          {"f", "Zg"},           {"fo", "Zm8"},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    // Named references, not a structured binding: clang before 16 cannot
    // capture a binding in CAPTURE's lambda (scripts/sanitize builds with clang).
    for (const auto &vector : vectors) {
        const std::string &bytes = vector.first;
        const std::string &text = vector.second;
        CAPTURE(bytes);
        CHECK(base64urlEncode(bytes) == text);
        auto decoded = base64urlDecode(text);
        REQUIRE(decoded);
        CHECK(*decoded == bytes);
    }
}

TEST_CASE("the URL-safe alphabet: '-' and '_' stand for '+' and '/'")
{
    CHECK(base64urlEncode("\xfb\xff") == "-_8");
    CHECK(base64urlEncode("\xfb\xef\xbe") == "----");
    CHECK(base64urlEncode("\xff\xff\xff") == "____");
    auto decoded = base64urlDecode("-_8");
    REQUIRE(decoded);
    CHECK(*decoded == "\xfb\xff");
}

TEST_CASE("every byte value and every tail length round-trips")
{
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (std::size_t length = 0; length <= all.size(); length += 1) {
        const std::string bytes = all.substr(all.size() - length);
        const std::string text = base64urlEncode(bytes);
        CHECK(text.size() == (length * 4 + 2) / 3);
        auto decoded = base64urlDecode(text);
        REQUIRE(decoded);
        CHECK(*decoded == bytes);
    }
}

TEST_CASE("strict decoding rejects what JOSE forbids (C21)")
{
    const char *rejected[] = {
        "Zg==",     // padding
        "Zg=",      // partial padding
        "Zm9v====", // padding after a full group
        "+/8",      // standard-alphabet characters
        "Zm+v",     //
        "Zm/v",     //
        "Zm9v ",    // trailing space
        " Zm9v",    // leading space
        "Zm 9v",    // inner space
        "Zm9v\n",   // newline
        "Zm9v\r\n", // CRLF
        "Zm9\tv",   // tab
        "Zm9vY",    // length 1 mod 4
        "Z",        //
        "Zh",       // non-zero unused bits (Zg is canonical)
        "Zm9",      // non-zero unused bits (Zm8 is canonical)
        "AB",       // Wycheproof ModifiedUnusedBitsInPayload
        "Zm9v?",    // '?' (Wycheproof InvalidCharacterInserted*)
        "####",     //
        "Zm9v.",    // a dot
        "\xc3\xa9", // non-ASCII
    };
    for (const char *text : rejected) {
        CAPTURE(text);
        auto decoded = base64urlDecode(text);
        REQUIRE_FALSE(decoded);
        CHECK(decoded.error().code == ErrorCode::Malformed);
    }
    // A NUL byte inside the text is not in the alphabet either.
    CHECK_FALSE(base64urlDecode(std::string("Zm\0v", 4)));
}

TEST_CASE("canonical neighbours of the rejected forms are accepted")
{
    CHECK(base64urlDecode("Zg"));
    CHECK(base64urlDecode("Zm8"));
    CHECK(base64urlDecode("AA"));
    CHECK(base64urlDecode("AAA"));
    CHECK(base64urlDecode("AAAA"));
}
