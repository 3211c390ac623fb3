// Builds against oidfed_dep only (include/ and nothing else), proving that the
// public headers are self-contained and that no third-party library reaches
// them: each check below names a macro that the library's own header defines.
#include <oidfed/oidfed.h>

#if defined(OPENSSL_VERSION_NUMBER) || defined(HEADER_EVP_H) || defined(OPENSSL_EVP_H)
#error "OpenSSL leaked into the public API"
#endif
#if defined(RAPIDJSON_VERSION_STRING) || defined(RAPIDJSON_RAPIDJSON_H_)
#error "RapidJSON leaked into the public API"
#endif
#if defined(HIREDIS_MAJOR) || defined(__HIREDIS_H)
#error "hiredis leaked into the public API"
#endif
#if defined(LIBCURL_VERSION) || defined(CURLINC_CURL_H)
#error "libcurl leaked into the public API"
#endif
#if defined(BOOST_VERSION) || defined(BOOST_CONFIG_HPP)
#error "Boost leaked into the public API"
#endif
#if defined(CLI11_VERSION)
#error "CLI11 leaked into the public API"
#endif
#if defined(DOCTEST_VERSION)
#error "doctest leaked into the public API"
#endif

#include <cstdio>

int main()
{
    // Use the API so that linking through oidfed_dep is exercised too.
    auto parsed = oidfed::parseJson(R"({"iss":"https://ta.example"})");
    if (!parsed || !parsed->findString("iss")) {
        std::fprintf(stderr, "public API round trip failed\n");
        return 1;
    }
    return 0;
}
