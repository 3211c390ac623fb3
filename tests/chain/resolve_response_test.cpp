// verifyResolveResponse (spec 8.3.2): a resolve response is trusted only when
// its typ, signature, iss, sub and validity period are those expected. The
// responses here are signed directly, so that each one differs from a good
// one in exactly one respect.
#include <doctest/doctest.h>

#include <string>

#include <oidfed/jws.h>
#include <oidfed/resolve_response.h>

#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;

namespace {

constexpr UnixTime kNow = 1767800000;
constexpr std::chrono::seconds kSkew{60};
const char *const kResolver = "https://resolver.example";
const char *const kSubject = "https://leaf.example";

Json goodPayload()
{
    return test::json(R"({"iss": "https://resolver.example", "sub": "https://leaf.example",
        "iat": 1767800000, "exp": 1767803600,
        "metadata": {"openid_relying_party": {"client_name": "leaf"}},
        "trust_chain": ["a.b.c", "d.e.f"]})");
}

std::string sign(const Json &payload, const Jwk &key, std::string_view typ = kResolveResponseType)
{
    Json header = Json::object();
    header.set("typ", std::string(typ));
    auto jwt = signJws(header, payload.dump(), key);
    REQUIRE(jwt);
    return *jwt;
}

Result<ResolveResponse> verify(const std::string &jwt, const JwkSet &keys, UnixTime now = kNow)
{
    return verifyResolveResponse(jwt, keys, *EntityId::parse(kResolver), kSubject, now, kSkew, StatementOptions{});
}

} // namespace

TEST_CASE("a resolve response as the resolver signed it is accepted")
{
    test::TestFederation fed;
    const test::TestEntity &resolver = fed.add(kResolver, Json::object());
    auto response = verify(sign(goodPayload(), resolver.key), resolver.jwks);
    REQUIRE_MESSAGE(response, response.error().describe());
    CHECK(response->issuer.str() == kResolver);
    CHECK(response->subject.str() == kSubject);
    CHECK(response->expiresAt == kNow + 3600);
    CHECK(response->trustChain.size() == 2);
    CHECK(response->metadata.find("openid_relying_party") != nullptr);
}

TEST_CASE("a resolve response is refused when one thing is wrong")
{
    test::TestFederation fed;
    const test::TestEntity &resolver = fed.add(kResolver, Json::object());

    SUBCASE("typ")
    {
        for (std::string_view typ : {"entity-statement+jwt", "jwt", "JWT", "resolve-response+JWT"}) {
            CAPTURE(typ);
            auto response = verify(sign(goodPayload(), resolver.key, typ), resolver.jwks);
            REQUIRE_FALSE(response);
            CHECK(response.error().code == ErrorCode::BadType);
        }
    }
    SUBCASE("iss: another resolver; sub: another subject than the one asked for")
    {
        for (const char *claim : {"iss", "sub"}) {
            CAPTURE(claim);
            Json payload = goodPayload();
            payload.set(claim, "https://someone-else.example");
            auto response = verify(sign(payload, resolver.key), resolver.jwks);
            REQUIRE_FALSE(response);
            CHECK(response.error().code == ErrorCode::InvalidClaim);
            CHECK(response.error().claim == claim);
            CHECK(response.error().rule == "8.3.2");
        }
    }
    SUBCASE("exp: expired beyond the skew, and just within it")
    {
        const std::string jwt = sign(goodPayload(), resolver.key);
        auto expired = verify(jwt, resolver.jwks, kNow + 3600 + kSkew.count() + 1);
        REQUIRE_FALSE(expired);
        CHECK(expired.error().code == ErrorCode::Expired);
        CHECK(verify(jwt, resolver.jwks, kNow + 3600 + kSkew.count() - 1));
    }
    SUBCASE("iat in the future")
    {
        auto early = verify(sign(goodPayload(), resolver.key), resolver.jwks, kNow - kSkew.count() - 1);
        REQUIRE_FALSE(early);
        CHECK(early.error().code == ErrorCode::NotYetValid);
    }
    SUBCASE("signature: by another key under the resolver's kid")
    {
        const Jwk sameKid = fed.add("https://impostor.example", Json::object()).key.withKid(resolver.key.kid());
        auto response = verify(sign(goodPayload(), sameKid), resolver.jwks);
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ErrorCode::BadSignature);
    }
    SUBCASE("signature: a key the resolver does not have")
    {
        const Jwk &other = fed.add("https://other.example", Json::object()).key;
        auto response = verify(sign(goodPayload(), other), resolver.jwks);
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ErrorCode::KeyNotFound);
    }
    SUBCASE("signature: the payload changed after signing")
    {
        const std::string good = sign(goodPayload(), resolver.key);
        Json payload = goodPayload();
        payload.set("sub", "https://leaf.example/");
        const std::string other = sign(payload, resolver.key);
        // The header and signature of one, the payload of the other.
        const std::string spliced = good.substr(0, good.find('.')) +
                                    other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                                    good.substr(good.rfind('.'));
        auto response = verify(spliced, resolver.jwks);
        REQUIRE_FALSE(response);
        CHECK(response.error().code == ErrorCode::BadSignature);
    }
    SUBCASE("a required claim is missing")
    {
        for (const char *claim : {"iss", "sub", "iat", "exp", "metadata", "trust_chain"}) {
            CAPTURE(claim);
            Json payload = goodPayload();
            payload.erase(claim);
            auto response = verify(sign(payload, resolver.key), resolver.jwks);
            REQUIRE_FALSE(response);
            CHECK(response.error().code == ErrorCode::MissingClaim);
            CHECK(response.error().claim == claim);
        }
    }
}
