// Content-Type matching used by the fetcher (threat A12).
#include "fetch/media_type.h"

#include <doctest/doctest.h>

using oidfed::fetch::mediaTypeMatches;
using oidfed::fetch::mediaTypeOf;

TEST_CASE("mediaTypeOf strips parameters and surrounding whitespace")
{
    CHECK(mediaTypeOf("application/jwt") == "application/jwt");
    CHECK(mediaTypeOf("  application/jwt ; charset=utf-8") == "application/jwt");
    CHECK(mediaTypeOf("\tapplication/jwt\t") == "application/jwt");
    CHECK(mediaTypeOf(";charset=utf-8").empty());
    CHECK(mediaTypeOf("").empty());
}

TEST_CASE("mediaTypeMatches compares case-insensitively and ignores parameters")
{
    const char *expected = "application/entity-statement+jwt";
    CHECK(mediaTypeMatches("application/entity-statement+jwt", expected));
    CHECK(mediaTypeMatches("Application/Entity-Statement+JWT", expected));
    CHECK(mediaTypeMatches("application/entity-statement+jwt; charset=UTF-8", expected));
    CHECK(mediaTypeMatches(" application/entity-statement+jwt ;q=1", expected));

    CHECK_FALSE(mediaTypeMatches("", expected));
    CHECK_FALSE(mediaTypeMatches("application/jwt", expected));
    CHECK_FALSE(mediaTypeMatches("application/entity-statement+jwt+x", expected));
    CHECK_FALSE(mediaTypeMatches("application/entity-statement", expected));
    CHECK_FALSE(mediaTypeMatches("text/html; a=application/entity-statement+jwt", expected));
    CHECK_FALSE(mediaTypeMatches("application/entity-statement+jwtx", expected));
    CHECK_FALSE(mediaTypeMatches("application/json", expected));
}
