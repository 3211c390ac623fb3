// URL construction (spec 9 and 8.1.1; threats A13, A14): every case of the
// shared vectors (oidfed-vectors/spec/misc.json), then the refusals.
#include <oidfed/federation_urls.h>

#include <string>

#include <doctest/doctest.h>

#include "test_support.h"

using oidfed::entityConfigurationUrl;
using oidfed::ErrorCode;
using oidfed::fetchEndpointUrl;
using oidfed::percentEncode;

TEST_CASE("entityConfigurationUrl: misc.json well_known_url vectors")
{
    const auto vectors = oidfed::test::loadSharedJson("oidfed-vectors/spec/misc.json");
    const auto *cases = vectors.find("well_known_url");
    REQUIRE(cases);
    REQUIRE(cases->isArray());
    REQUIRE(cases->size() >= 4);
    for (const auto &c : cases->asArray()) {
        const std::string &entityId = *c.findString("entity_id");
        CAPTURE(entityId);
        auto url = entityConfigurationUrl(entityId);
        REQUIRE(url);
        CHECK(*url == *c.findString("expected"));
    }
}

TEST_CASE("fetchEndpointUrl: misc.json fetch_request vectors")
{
    const auto vectors = oidfed::test::loadSharedJson("oidfed-vectors/spec/misc.json");
    const auto *cases = vectors.find("fetch_request");
    REQUIRE(cases);
    REQUIRE(cases->isArray());
    REQUIRE(cases->size() >= 2);
    for (const auto &c : cases->asArray()) {
        const std::string &endpoint = *c.findString("fetch_endpoint");
        CAPTURE(endpoint);
        auto url = fetchEndpointUrl(endpoint, *c.findString("sub"));
        REQUIRE(url);
        CHECK(*url == *c.findString("expected_get"));
    }
}

TEST_CASE("entityConfigurationUrl: one trailing slash only, identifiers refused per spec 1.2")
{
    CHECK(*entityConfigurationUrl("https://ta.example/tenant/") == "https://ta.example/tenant/.well-known/openid-federation");
    CHECK(*entityConfigurationUrl("https://ta.example//") == "https://ta.example//.well-known/openid-federation");
    CHECK(*entityConfigurationUrl("http://127.0.0.1:8080") == "http://127.0.0.1:8080/.well-known/openid-federation");
    CHECK(*entityConfigurationUrl("https://[::1]:8443/x") == "https://[::1]:8443/x/.well-known/openid-federation");

    for (const char *bad : {"", "ta.example", "ftp://ta.example", "https://", "https:///path", "https://:443/",
                            "https://ta.example?x=1", "https://ta.example/#f", "https://user:pw@ta.example",
                            "https://ta.example/a b", "https://ta.example/\r\nX: y", "HTTPS://ta.example",
                            "file:///etc/passwd"}) {
        CAPTURE(bad);
        auto url = entityConfigurationUrl(bad);
        REQUIRE_FALSE(url);
        CHECK(url.error().code == ErrorCode::InvalidArgument);
    }
    // A NUL byte inside the identifier must not be silently truncated.
    auto nul = entityConfigurationUrl(std::string("https://ta.example\0.evil", 24));
    REQUIRE_FALSE(nul);
    CHECK(nul.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("fetchEndpointUrl: sub is one encoded parameter; endpoints with a query or a fragment")
{
    // Parameter injection attempts stay inside the value (threat A13).
    CHECK(*fetchEndpointUrl("https://ta.example/fetch", "https://rp.example&sub=https://evil.example") ==
          "https://ta.example/fetch?sub=https%3A%2F%2Frp.example%26sub%3Dhttps%3A%2F%2Fevil.example");
    CHECK(*fetchEndpointUrl("https://ta.example/fetch", "https://rp.example/\r\n#x y") ==
          "https://ta.example/fetch?sub=https%3A%2F%2Frp.example%2F%0D%0A%23x%20y");
    CHECK(*fetchEndpointUrl("https://ta.example/fetch?", "https://rp.example") ==
          "https://ta.example/fetch?sub=https%3A%2F%2Frp.example");
    CHECK(*fetchEndpointUrl("https://ta.example/fetch?a=1&", "https://rp.example") ==
          "https://ta.example/fetch?a=1&sub=https%3A%2F%2Frp.example");

    for (const char *bad : {"https://ta.example/fetch#frag", "ftp://ta.example/fetch", "https:///fetch",
                            "https://u@ta.example/fetch", "https://ta.example/fe tch", ""}) {
        CAPTURE(bad);
        auto url = fetchEndpointUrl(bad, "https://rp.example");
        REQUIRE_FALSE(url);
        CHECK(url.error().code == ErrorCode::InvalidArgument);
    }
    auto emptySub = fetchEndpointUrl("https://ta.example/fetch", "");
    REQUIRE_FALSE(emptySub);
    CHECK(emptySub.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("percentEncode keeps only unreserved characters")
{
    CHECK(percentEncode("AZaz09-._~") == "AZaz09-._~");
    CHECK(percentEncode("a b+c/d?e=f&g#h%") == "a%20b%2Bc%2Fd%3Fe%3Df%26g%23h%25");
    CHECK(percentEncode(std::string("\0\xff", 2)) == "%00%FF");
    CHECK(percentEncode("é") == "%C3%A9");
    CHECK(percentEncode("").empty());
}
