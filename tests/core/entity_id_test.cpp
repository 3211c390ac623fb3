#include <doctest/doctest.h>

#include <oidfed/entity_id.h>

#include "test_support.h"

using namespace oidfed;

TEST_CASE("entity identifier validity vectors (spec 1.2, misc.json)")
{
    Json vectors = test::loadSharedJson("oidfed-vectors/spec/misc.json");
    const Json &cases = *vectors.find("entity_identifier_validity");
    REQUIRE(cases.size() >= 6);
    for (const Json &c : cases.asArray()) {
        const std::string &id = c.find("entity_id")->asString();
        CAPTURE(id);
        CHECK(EntityId::parse(id).has_value() == c.find("valid")->asBool());
    }
}

TEST_CASE("entity identifier edge cases")
{
    for (const char *good : {"https://a.example", "https://a.example/", "https://a.example:1/x/y", "https://[::1]:8443/p",
                             "https://A.Example", "https://credential_issuer.example.org"}) {
        CAPTURE(good);
        CHECK(EntityId::parse(good).has_value());
    }
    for (const char *bad : {"", "https://", "https://a.example:0", "https://a.example:65536", "https://a.example:08",
                            "https://a.example:", "https://user@a.example", "https://a example", "https://a.example/\x01",
                            "HTTPS://a.example", "https://.a.example", "https://a..example",
                            "ftp://a.example", "https://a.example/p?x", "https://[zz::1]", "https://a*b.example", "https://ex\xc3\xa4mple.org"}) {
        CAPTURE(bad);
        auto r = EntityId::parse(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == ErrorCode::Malformed);
    }
    // An embedded NUL never passes (threat D04).
    CHECK_FALSE(EntityId::parse(std::string_view("https://leaf.example\0.attacker", 30)).has_value());
    // http only under the test switch.
    CHECK_FALSE(EntityId::parse("http://127.0.0.1:8080").has_value());
    CHECK(EntityId::parse("http://127.0.0.1:8080", {.allowHttp = true}).has_value());
}

TEST_CASE("entity identifiers compare code point by code point (D05)")
{
    auto lower = EntityId::parse("https://ta.example");
    auto upper = EntityId::parse("https://TA.example");
    REQUIRE(lower);
    REQUIRE(upper);
    CHECK_FALSE(*lower == *upper);
    CHECK(lower->host() == "ta.example");
    CHECK(EntityId::parse("https://[::1]:8443/p")->host() == "[::1]");
    CHECK(EntityId::parse("https://h.example:8443/p")->host() == "h.example");
}
