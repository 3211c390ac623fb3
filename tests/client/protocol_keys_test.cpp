// An entity's protocol keys from its resolved metadata (spec 5.2.1,
// 12.1.1.1.2 step 6): verifySignedJwks() on its own, then ProtocolKeyStore
// against documents served over real HTTP on 127.0.0.1 with the libcurl
// Fetcher (loopback test switches on; everything else it guards stays on).
#include <doctest/doctest.h>

#include <oidfed/protocol_keys.h>
#include <oidfed/signed_jwks.h>

#include "client_fixture.h"
#include "loopback_servers.h"
#include "test_support.h"

using namespace oidfed;
using test::json;
using test::client::checkError;
using test::client::Fixture;

namespace {

std::unique_ptr<ProtocolKeyStore> makeStore(Fixture &f, ProtocolKeyOptions options = {})
{
    auto store = ProtocolKeyStore::create(options, {*f.fetcher, f.clock});
    REQUIRE(store);
    return std::move(store).value();
}

} // namespace

TEST_CASE("TrustChain exposes the subject's Federation Entity Keys from its validated Entity Configuration")
{
    Fixture f;
    TrustChain chain = f.rpChain();
    REQUIRE(chain.subjectKeys().keys().size() == 1);
    CHECK(chain.subjectKeys().keys()[0].thumbprint() == f.fed.entity(f.rp).key.thumbprint());
    CHECK(chain.subjectKeys().find(f.protocolKey.kid()) == nullptr);
}

TEST_CASE("verifySignedJwks: every rule of 5.2.1 refuses with its code and claim")
{
    Fixture f;
    const EntityId rp = test::entityId(f.rp);
    const JwkSet federationKeys = f.rpChain().subjectKeys();
    constexpr std::string_view kRule = "5.2.1 signed_jwks_uri";

    SUBCASE("a valid set gives its keys and times")
    {
        auto set = verifySignedJwks(f.signedJwks(), rp, federationKeys, f.now, std::chrono::seconds(60));
        REQUIRE(set);
        REQUIRE(set->keys.keys().size() == 1);
        CHECK(set->keys.keys()[0].kid() == f.protocolKey.kid());
        CHECK(set->expiresAt == f.now + 600);
        CHECK(set->issuedAt == f.now);
    }

    Jwk stranger = *Jwk::generate(JwsAlgorithm::ES256);
    Jwk sameKidOtherKey = Jwk::generate(JwsAlgorithm::ES256)->withKid(f.fed.entity(f.rp).key.kid());
    Json header = json(R"({"alg":"none","typ":"jwk-set+jwt","kid":"x"})");
    header.set("kid", f.fed.entity(f.rp).key.kid());
    Json payload = Json::object();
    payload.set("iss", f.rp);
    payload.set("sub", f.rp);
    payload.set("exp", f.now + 600);
    payload.set("keys", *f.protocolJwks().find("keys"));
    Json hmacHeader = header;
    hmacHeader.set("alg", "HS256");

    struct Case {
        const char *name;
        std::string jwt;
        ErrorCode code;
        const char *claim;
    };
    Json mixed = f.protocolJwks();
    Json encKey = Jwk::generate(JwsAlgorithm::RS256)->toPublicJson();
    encKey.set("kid", "enc-1");
    encKey.set("use", "enc");
    encKey.erase("alg");
    mixed.find("keys")->push(encKey);
    const Case cases[] = {
        {"alg none", test::client::unsignedJws(header, payload), ErrorCode::UnsupportedAlgorithm, "alg"},
        {"HS256", test::client::unsignedJws(hmacHeader, payload), ErrorCode::UnsupportedAlgorithm, "alg"},
        {"typ JWT", f.signedJwks(Json::object(), nullptr, "JWT"), ErrorCode::BadType, "typ"},
        {"typ entity-statement+jwt", f.signedJwks(Json::object(), nullptr, "entity-statement+jwt"),
         ErrorCode::BadType, "typ"},
        {"signed by a key the RP does not publish as a Federation Entity Key", f.signedJwks(Json::object(), &stranger),
         ErrorCode::KeyNotFound, "kid"},
        {"signed by the protocol key itself", f.signedJwks(Json::object(), &f.protocolKey), ErrorCode::KeyNotFound,
         "kid"},
        {"signed by another key under the federation key's kid", f.signedJwks(Json::object(), &sameKidOtherKey),
         ErrorCode::BadSignature, "kid"},
        {"for another sub", f.signedJwks(json(R"({"sub":"https://other.example"})")), ErrorCode::InvalidClaim, "sub"},
        {"by another iss", f.signedJwks(json(R"({"iss":"https://other.example"})")), ErrorCode::InvalidClaim, "iss"},
        {"no sub", f.signedJwks(json(R"({"sub":null})")), ErrorCode::MissingClaim, "sub"},
        {"no iss", f.signedJwks(json(R"({"iss":null})")), ErrorCode::MissingClaim, "iss"},
        {"no exp", f.signedJwks(json(R"({"exp":null})")), ErrorCode::MissingClaim, "exp"},
        {"expired", f.signedJwks(json("{\"exp\":" + std::to_string(f.now - 120) + "}")), ErrorCode::Expired, "exp"},
        {"issued in the future", f.signedJwks(json("{\"iat\":" + std::to_string(f.now + 300) + "}")),
         ErrorCode::NotYetValid, "iat"},
        {"exp a string", f.signedJwks(json(R"({"exp":"tomorrow"})")), ErrorCode::InvalidClaim, "exp"},
        {"no keys", f.signedJwks(json(R"({"keys":null})")), ErrorCode::MissingClaim, "keys"},
        {"empty keys", f.signedJwks(json(R"({"keys":[]})")), ErrorCode::InvalidClaim, "keys"},
        {"signing and encryption keys without use on each", f.signedJwks(json("{\"keys\":" + mixed.find("keys")->dump() + "}")),
         ErrorCode::InvalidClaim, "use"},
    };
    for (const Case &c : cases) {
        const std::string name = c.name;
        CAPTURE(name);
        auto set = verifySignedJwks(c.jwt, rp, federationKeys, f.now, std::chrono::seconds(60));
        REQUIRE_FALSE(set);
        CHECK(set.error().code == c.code);
        CHECK(set.error().claim == c.claim);
        CHECK(set.error().rule.rfind(kRule, 0) == 0);
        CHECK(set.error().entityId == f.rp);
    }
}

TEST_CASE("ProtocolKeyStore: jwks by value, no fetch, cached until the chain expires")
{
    Fixture f;
    Json rp = Json::object();
    rp.set("jwks", f.protocolJwks());
    // Present too, but never fetched: jwks takes precedence (5.2.1.1).
    rp.set("jwks_uri", f.rp + "/never-fetched");
    rp.set("signed_jwks_uri", f.rp + "/never-fetched-either");
    f.setRpMetadata(rp);
    auto store = makeStore(f);
    TrustChain chain = f.rpChain();
    const int before = f.server.requests();
    auto keys = store->keysFor(chain, "openid_relying_party");
    REQUIRE(keys);
    CHECK((*keys)->source == ProtocolKeySource::Jwks);
    CHECK((*keys)->uri.empty());
    CHECK((*keys)->entity.str() == f.rp);
    CHECK((*keys)->entityType == "openid_relying_party");
    REQUIRE((*keys)->keys.find(f.protocolKey.kid()) != nullptr);
    CHECK((*keys)->expiresAt == chain.expiresAt());
    CHECK(store->fetches() == 0);
    CHECK(f.server.requests() == before);
}

TEST_CASE("ProtocolKeyStore: signed_jwks_uri is fetched, verified with the Federation Entity Keys, cached within exp")
{
    Fixture f;
    const std::string uri = f.publishDocument("signed-jwks", f.signedJwks(), "application/jwk-set+jwt");
    Json rp = Json::object();
    rp.set("signed_jwks_uri", uri);
    rp.set("jwks_uri", f.rp + "/never-fetched");
    f.setRpMetadata(rp);
    ProtocolKeyOptions options;
    options.maxCacheTtl = std::chrono::seconds(3000);
    auto store = makeStore(f, options);
    TrustChain chain = f.rpChain();

    auto keys = store->keysFor(chain, "openid_relying_party");
    REQUIRE(keys);
    CHECK((*keys)->source == ProtocolKeySource::SignedJwksUri);
    CHECK((*keys)->uri == uri);
    CHECK((*keys)->keys.find(f.protocolKey.kid()) != nullptr);
    CHECK((*keys)->expiresAt == f.now + 600);  // the set's exp, before the chain's and the TTL
    CHECK(store->fetches() == 1);

    SUBCASE("a second lookup is a cache hit")
    {
        REQUIRE(store->keysFor(chain, "openid_relying_party"));
        CHECK(store->fetches() == 1);
    }
    SUBCASE("an unknown kid refetches only once minRefetchInterval has passed")
    {
        REQUIRE(store->keysFor(chain, "openid_relying_party", KeyFreshness::Refetch));
        CHECK(store->fetches() == 1);
        f.clock.advance(31);
        REQUIRE(store->keysFor(chain, "openid_relying_party", KeyFreshness::Refetch));
        CHECK(store->fetches() == 2);
    }
    SUBCASE("past the set's exp it is fetched again, and an expired set is refused")
    {
        f.clock.advance(700);  // past exp and its skew
        auto again = store->keysFor(chain, "openid_relying_party");
        checkError(again, ErrorCode::Expired, "5.2.1 signed_jwks_uri", "exp", f.rp);
        CHECK(store->fetches() == 2);
    }
}

TEST_CASE("ProtocolKeyStore: a signed_jwks_uri document that fails verification gives no keys")
{
    Fixture f;
    Jwk stranger = *Jwk::generate(JwsAlgorithm::ES256);
    struct Case {
        const char *name;
        std::string body;
        std::string mediaType;
        ErrorCode code;
        const char *rule;
        const char *claim;
    };
    const Case cases[] = {
        {"signed by the wrong key", f.signedJwks(Json::object(), &stranger), "application/jwk-set+jwt",
         ErrorCode::KeyNotFound, "5.2.1 signed_jwks_uri", "kid"},
        {"signed by the protocol key", f.signedJwks(Json::object(), &f.protocolKey), "application/jwk-set+jwt",
         ErrorCode::KeyNotFound, "5.2.1 signed_jwks_uri", "kid"},
        {"for another sub", f.signedJwks(json(R"({"sub":"https://other.example"})")), "application/jwk-set+jwt",
         ErrorCode::InvalidClaim, "5.2.1 signed_jwks_uri", "sub"},
        {"served as application/json", f.signedJwks(), "application/json", ErrorCode::InvalidMetadata,
         "5.2.1 signed_jwks_uri response", "signed_jwks_uri"},
        {"a plain JWK Set", f.protocolJwks().dump(), "application/jwk-set+jwt", ErrorCode::Malformed,
         "5.2.1 signed_jwks_uri", "signed_jwks_uri"},
    };
    auto store = makeStore(f);
    int n = 0;
    for (const Case &c : cases) {
        const std::string name = c.name;
        CAPTURE(name);
        Json rp = Json::object();
        rp.set("signed_jwks_uri", f.publishDocument("signed-" + std::to_string(n++), c.body, c.mediaType));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), c.code, c.rule, c.claim, f.rp);
    }
}

TEST_CASE("ProtocolKeyStore: jwks_uri is fetched through the guarded Fetcher")
{
    Fixture f;
    Json rp = Json::object();
    auto store = makeStore(f);

    SUBCASE("a JWK Set as application/json, kept maxCacheTtl")
    {
        rp.set("jwks_uri", f.publishDocument("jwks", f.protocolJwks().dump(), "application/json"));
        f.setRpMetadata(rp);
        TrustChain chain = f.rpChain();
        auto keys = store->keysFor(chain, "openid_relying_party");
        REQUIRE(keys);
        CHECK((*keys)->source == ProtocolKeySource::JwksUri);
        CHECK((*keys)->keys.find(f.protocolKey.kid()) != nullptr);
        CHECK((*keys)->expiresAt == f.now + 300);
        f.clock.advance(301);
        REQUIRE(store->keysFor(chain, "openid_relying_party"));
        CHECK(store->fetches() == 2);
    }
    SUBCASE("another media type, or not a JWK Set")
    {
        rp.set("jwks_uri", f.publishDocument("jwks-html", f.protocolJwks().dump(), "text/html"));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri response", "jwks_uri", f.rp);
        rp.set("jwks_uri", f.publishDocument("jwks-empty", R"({"keys":[]})", "application/json"));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata, "5.2.1 jwks_uri",
                   "jwks_uri", f.rp);
    }
    SUBCASE("a 404")
    {
        rp.set("jwks_uri", f.rp + "/missing");
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri response", "jwks_uri", f.rp);
    }
}

TEST_CASE("ProtocolKeyStore: a jwks_uri that redirects, is huge, is slow or points at a private address")
{
    Fixture f;
    test::PistacheServer web;
    auto store = makeStore(f);
    Json rp = Json::object();

    SUBCASE("a redirect is not followed")
    {
        rp.set("jwks_uri", web.url("/redirect"));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::Unavailable,
                   "5.2.1 jwks_uri fetch", "jwks_uri", f.rp);
        CHECK(web.state().hits("/redirect") == 1);
        CHECK(web.state().hits("/ok") == 0);
    }
    SUBCASE("a body over the size cap")
    {
        rp.set("jwks_uri", web.url("/big?bytes=400000"));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri size", "jwks_uri", f.rp);
    }
    SUBCASE("a server slower than the fetch deadline")
    {
        rp.set("jwks_uri", web.url("/slow?ms=2500"));
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::Timeout, "5.2.1 jwks_uri fetch",
                   "jwks_uri", f.rp);
    }
    SUBCASE("a private address, and loopback without the test switch: no connection attempted")
    {
        rp.set("jwks_uri", "http://10.20.30.40/jwks");
        f.setRpMetadata(rp);
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri destination", "jwks_uri", f.rp);

        test::PassiveListener listener;
        FetchOptions guarded;
        guarded.allowHttp = true;  // the scheme is not what is tested here
        auto strict = test::makeFetcher(guarded);
        auto strictStore = ProtocolKeyStore::create({}, {*strict, f.clock});
        REQUIRE(strictStore);
        rp.set("jwks_uri", "http://127.0.0.1:" + std::to_string(listener.port()) + "/jwks");
        f.setRpMetadata(rp);
        checkError((*strictStore)->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri destination", "jwks_uri", f.rp);
        CHECK_FALSE(listener.hasPendingConnection(200));
    }
}

TEST_CASE("ProtocolKeyStore: metadata without usable keys, and entity types")
{
    Fixture f;
    auto store = makeStore(f);

    SUBCASE("no key parameter")
    {
        f.setRpMetadata(json(R"({"client_name":"RP"})"));
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata, "5.2.1 no keys",
                   "jwks", f.rp);
    }
    SUBCASE("the entity type is absent from the resolved metadata")
    {
        checkError(store->keysFor(f.rpChain(), "oauth_client"), ErrorCode::InvalidMetadata, "5.2.1 entity type",
                   "metadata", f.rp);
    }
    SUBCASE("federation_entity never carries protocol keys")
    {
        checkError(store->keysFor(f.rpChain(), "federation_entity"), ErrorCode::InvalidArgument, "5.2.1 entity type",
                   "entity_type", f.rp);
    }
    SUBCASE("a jwks that is not a JWK Set, a jwks_uri that is not a string")
    {
        f.setRpMetadata(json(R"({"jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"s"}]}})"));
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata, "5.2.1 jwks",
                   "jwks", f.rp);
        f.setRpMetadata(json(R"({"jwks_uri":["https://rp.example/jwks"]})"));
        checkError(store->keysFor(f.rpChain(), "openid_relying_party"), ErrorCode::InvalidMetadata,
                   "5.2.1 jwks_uri", "jwks_uri", f.rp);
    }
    SUBCASE("any entity type a caller names: oauth_client")
    {
        Json client = Json::object();
        client.set("jwks", f.protocolJwks());
        Json extra = Json::object();
        extra.set("oauth_client", client);
        f.setRpMetadata(Json::object(), extra);
        auto keys = store->keysFor(f.rpChain(), "oauth_client");
        REQUIRE(keys);
        CHECK((*keys)->entityType == "oauth_client");
        CHECK((*keys)->keys.find(f.protocolKey.kid()) != nullptr);
    }
}

TEST_CASE("ProtocolKeyOptions ranges")
{
    ProtocolKeyOptions options;
    CHECK(validateProtocolKeyOptions(options));
    options.maxCacheTtl = std::chrono::seconds(0);
    auto refused = validateProtocolKeyOptions(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::InvalidArgument);
    CHECK(refused.error().claim == "maxCacheTtl");
    options = {};
    options.cacheMaxEntries = 0;
    refused = validateProtocolKeyOptions(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "cacheMaxEntries");
}
