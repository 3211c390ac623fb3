// Automatic Registration, the OP's side (spec 12.1): Request Objects
// (12.1.1.1) and private_key_jwt client assertions (12.1.1.2) verified
// against an RP resolved over real HTTP on 127.0.0.1 (the libcurl Fetcher,
// the Resolver, ProtocolKeyStore, a ReplayStore), with keys generated at run
// time. Every bad input of issue 17 gets its code, rule, claim and entity.
#include <doctest/doctest.h>

#include <oidfed/automatic_registration.h>
#include <oidfed/cache.h>

#include "client_fixture.h"
#include "loopback_servers.h"
#include "test_support.h"

using namespace oidfed;
using test::json;
using test::client::clientAssertion;
using test::client::checkError;
using test::client::Fixture;
using test::client::JwtSpec;
using test::client::requestObject;
using test::client::rpMetadata;
using test::client::signedJwt;
using test::client::uniqueJti;

namespace {

// An OP verifying for the fixture's federation: its own resolver, key store
// and replay store (a "replica"), or a replay store shared with another.
struct Verifier {
    Fixture &f;
    std::unique_ptr<Resolver> resolver;
    std::unique_ptr<ProtocolKeyStore> keys;
    std::unique_ptr<ReplayStore> replay;
    std::vector<std::string> assertionAudiences{};

    explicit Verifier(Fixture &fixture, std::unique_ptr<ReplayStore> store = nullptr) : f(fixture)
    {
        ResolverOptions options;
        options.statements.entityIds.allowHttp = true;
        auto made = Resolver::create(options, {f.fed.anchor(f.ta)}, {*f.fetcher, f.clock});
        REQUIRE(made);
        resolver = std::move(made).value();
        auto store2 = ProtocolKeyStore::create({}, {*f.fetcher, f.clock});
        REQUIRE(store2);
        keys = std::move(store2).value();
        if (!store) {
            auto memory = makeMemoryReplayStore();
            REQUIRE(memory);
            store = std::move(memory).value();
        }
        replay = std::move(store);
    }

    AutomaticRegistrationContext context()
    {
        AutomaticRegistrationContext c{.op = test::entityId(f.op), .resolver = *resolver, .keys = *keys,
                                       .replay = *replay, .now = f.clock.now()};
        c.validation.statements.entityIds.allowHttp = true;
        c.assertionAudiences = assertionAudiences;
        return c;
    }
    Result<VerifiedClient> requestObject(const std::string &jwt, const AutomaticRegistrationOptions &options = {},
                                         std::string_view clientId = {})
    {
        return verifyRequestObject(jwt, context(), options, clientId);
    }
    Result<VerifiedClient> assertion(const std::string &jwt, const AutomaticRegistrationOptions &options = {},
                                     std::string_view clientId = {})
    {
        return verifyClientAssertion(jwt, context(), options, clientId);
    }
};

Json header(std::string_view alg, const Fixture &f)
{
    Json h = Json::object();
    h.set("alg", alg);
    h.set("typ", "oauth-authz-req+jwt");
    h.set("kid", f.protocolKey.kid());
    return h;
}

} // namespace

TEST_CASE("a valid Request Object: the RP resolved, its protocol keys, its metadata in client-metadata shape")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    auto verified = op.requestObject(requestObject(f), {}, f.rp);
    REQUIRE(verified);
    CHECK(verified->clientId.str() == f.rp);
    CHECK(verified->entityType == "openid_relying_party");
    CHECK(verified->trustAnchor.str() == f.ta);
    CHECK(verified->expiresAt == f.now + 3600);
    CHECK(*verified->clientMetadata.findString("client_id") == f.rp);
    CHECK(verified->clientMetadata.find("redirect_uris")->asArray()[0].asString() == "https://rp.example/cb");
    REQUIRE(verified->keys);
    CHECK(verified->keys->source == ProtocolKeySource::Jwks);
    CHECK(verified->keys->keys.find(f.protocolKey.kid()) != nullptr);
    CHECK(*verified->claims.findString("scope") == "openid");
    CHECK(verified->report.pathHint == PathHintUse::None);
}

TEST_CASE("verifiedClientJson: the trust API's answer carries the chain, the verified keys and the claims")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    auto verified = op.requestObject(requestObject(f), {}, f.rp);
    REQUIRE(verified);
    const Json out = verifiedClientJson(*verified);
    CHECK(*out.findString("client_id") == f.rp);
    CHECK(*out.findString("entity_type") == "openid_relying_party");
    CHECK(*out.findString("trust_anchor") == f.ta);
    CHECK(out.find("expires_at")->asInt() == f.now + 3600);
    CHECK(*out.find("client_metadata")->findString("client_id") == f.rp);
    CHECK(*out.findString("keys_source") == "jwks");
    CHECK_FALSE(out.contains("keys_uri"));
    const Json::Array &keys = out.find("jwks")->find("keys")->asArray();
    REQUIRE(keys.size() == 1);
    CHECK(*keys[0].findString("kid") == f.protocolKey.kid());
    CHECK_FALSE(keys[0].contains("d"));
    const Json::Array &chain = out.find("trust_chain")->asArray();
    REQUIRE(chain.size() == verified->chain->statements().size());
    CHECK(chain.front().asString() == verified->chain->statements().front());
    CHECK(*out.find("claims")->findString("scope") == "openid");

    auto found = lookupClient(f.rp, op.context());
    REQUIRE(found);
    CHECK_FALSE(verifiedClientJson(*found).contains("claims"));
}

TEST_CASE("Request Objects that break 12.1.1.1: each its own rule, nothing trusted")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    Json payload = Json::object();
    payload.set("iss", f.rp);
    payload.set("client_id", f.rp);
    payload.set("aud", f.op);
    payload.set("jti", "x");
    payload.set("exp", f.now + 300);
    Jwk stranger = *Jwk::generate(JwsAlgorithm::ES256);
    Jwk sameKid = Jwk::generate(JwsAlgorithm::ES256)->withKid(f.protocolKey.kid());
    const Jwk &federationKey = f.fed.entity(f.rp).key;
    auto with = [&](const char *claims) { return JwtSpec{.overrides = json(claims)}; };
    const std::string now = std::to_string(f.now);

    struct Case {
        const char *name;
        std::string jwt;
        const char *rule;
        const char *claim;
    };
    const Case cases[] = {
        {"sub present", requestObject(f, with(R"({"sub":"x"})")), "12.1.1.1 sub", "sub"},
        {"sub = the RP", requestObject(f, JwtSpec{.overrides = json("{\"sub\":\"" + f.rp + "\"}")}), "12.1.1.1 sub",
         "sub"},
        {"several audiences",
         requestObject(f, JwtSpec{.overrides = json("{\"aud\":[\"" + f.op + "\",\"https://other-op.example\"]}")}),
         "12.1.1.1 aud", "aud"},
        {"another OP", requestObject(f, with(R"({"aud":"https://other-op.example"})")), "12.1.1.1 aud", "aud"},
        {"no aud", requestObject(f, with(R"({"aud":null})")), "12.1.1.1 aud", "aud"},
        {"no jti", requestObject(f, with(R"({"jti":null})")), "12.1.1.1 jti", "jti"},
        {"an empty jti", requestObject(f, with(R"({"jti":""})")), "12.1.1.1 jti", "jti"},
        {"no exp", requestObject(f, with(R"({"exp":null})")), "12.1.1.1 exp", "exp"},
        {"expired", requestObject(f, JwtSpec{.overrides = json("{\"exp\":" + std::to_string(f.now - 120) + "}")}),
         "12.1.1.1 exp", "exp"},
        {"exp too far ahead", requestObject(f, JwtSpec{.overrides = json("{\"exp\":" + std::to_string(f.now + 86400) + "}")}),
         "12.1.1.1 exp", "exp"},
        {"iat in the future", requestObject(f, JwtSpec{.overrides = json("{\"iat\":" + std::to_string(f.now + 600) + "}")}),
         "12.1.1.1 iat", "iat"},
        {"no client_id", requestObject(f, with(R"({"client_id":null})")), "12.1.1.1 client_id", "client_id"},
        {"client_id another entity", requestObject(f, with(R"({"client_id":"https://evil.example"})")),
         "12.1.1.1 client_id", "client_id"},
        {"alg none", test::client::unsignedJws(header("none", f), payload), "12.1.1.1 signed", "alg"},
        {"HS256", test::client::unsignedJws(header("HS256", f), payload), "12.1.1.1 signed", "alg"},
        {"not a JWS", "not.a-jws", "12.1.1.1 signed", "request"},
        {"typ entity-statement+jwt", requestObject(f, JwtSpec{.headerExtra = json(R"({"typ":"entity-statement+jwt"})")}),
         "RFC 9101 4 typ", "typ"},
        {"signed by the Federation Entity Key where the metadata has protocol keys",
         requestObject(f, JwtSpec{.key = &federationKey}), "12.1.1.1.2 step 6", "kid"},
        {"signed by a key in no metadata", requestObject(f, JwtSpec{.key = &stranger}), "12.1.1.1.2 step 6", "kid"},
        {"signed by another key under the protocol key's kid", requestObject(f, JwtSpec{.key = &sameKid}),
         "12.1.1.1.2 step 6", "signature"},
        {"trust_chain not an array", requestObject(f, JwtSpec{.headerExtra = json(R"({"trust_chain":"eyJ"})")}),
         "4.3 trust_chain", "trust_chain"},
    };
    for (const Case &c : cases) {
        const std::string name = c.name;
        CAPTURE(name);
        auto r = op.requestObject(c.jwt);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidRequestObject);
        CHECK(specErrorCode(r.error().code) == "invalid_request_object");
        CHECK(r.error().rule == c.rule);
        CHECK(r.error().claim == c.claim);
        const bool namesClient = std::string_view(c.rule) != "12.1.1.1 signed" && std::string_view(c.rule) != "RFC 9101 4 typ";
        if (namesClient)
            CHECK(r.error().entityId == f.rp);
    }

    // The authorization request's own client_id must be the Request Object's.
    checkError(op.requestObject(requestObject(f), {}, "https://evil.example"), ErrorCode::InvalidRequestObject,
               "RFC 9101 5 client_id", "client_id", f.rp);
    // None of the refused ones used up a jti: a valid one still passes.
    CHECK(op.requestObject(requestObject(f)));
}

TEST_CASE("a replayed jti is refused, on this replica and on another sharing the replay store")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    auto memory = makeMemoryCache();
    REQUIRE(memory);
    auto storeA = makeCacheReplayStore(**memory);
    auto storeB = makeCacheReplayStore(**memory);
    REQUIRE(storeA);
    REQUIRE(storeB);
    Verifier replicaA(f, std::move(storeA).value());
    Verifier replicaB(f, std::move(storeB).value());
    const std::string jwt = requestObject(f);
    REQUIRE(replicaA.requestObject(jwt));
    checkError(replicaA.requestObject(jwt), ErrorCode::InvalidRequestObject, "12.1.1.1 jti single use", "jti", f.rp);
    checkError(replicaB.requestObject(jwt), ErrorCode::InvalidRequestObject, "12.1.1.1 jti single use", "jti", f.rp);

    // A forged Request Object carrying a genuine jti does not use it up.
    Jwk stranger = *Jwk::generate(JwsAlgorithm::ES256);
    const std::string jti = uniqueJti();
    Json same = Json::object();
    same.set("jti", jti);
    REQUIRE_FALSE(replicaA.requestObject(requestObject(f, JwtSpec{.overrides = same, .key = &stranger})));
    CHECK(replicaB.requestObject(requestObject(f, JwtSpec{.overrides = same})));
}

TEST_CASE("the RP's keys from signed_jwks_uri and jwks_uri, and their bad forms")
{
    Fixture f;
    Json rp = rpMetadata(f);
    rp.erase("jwks");

    SUBCASE("signed_jwks_uri signed with the RP's Federation Entity Key")
    {
        rp.set("signed_jwks_uri", f.publishDocument("signed", f.signedJwks(), "application/jwk-set+jwt"));
        f.setRpMetadata(rp);
        Verifier op(f);
        auto verified = op.requestObject(requestObject(f));
        REQUIRE(verified);
        CHECK(verified->keys->source == ProtocolKeySource::SignedJwksUri);
    }
    SUBCASE("signed_jwks_uri signed by the wrong key")
    {
        Jwk stranger = *Jwk::generate(JwsAlgorithm::ES256);
        rp.set("signed_jwks_uri", f.publishDocument("signed", f.signedJwks(Json::object(), &stranger),
                                                    "application/jwk-set+jwt"));
        f.setRpMetadata(rp);
        Verifier op(f);
        checkError(op.requestObject(requestObject(f)), ErrorCode::KeyNotFound, "5.2.1 signed_jwks_uri", "kid", f.rp);
    }
    SUBCASE("signed_jwks_uri for another sub")
    {
        rp.set("signed_jwks_uri", f.publishDocument("signed", f.signedJwks(json(R"({"sub":"https://other.example"})")),
                                                    "application/jwk-set+jwt"));
        f.setRpMetadata(rp);
        Verifier op(f);
        checkError(op.requestObject(requestObject(f)), ErrorCode::InvalidClaim, "5.2.1 signed_jwks_uri", "sub", f.rp);
    }
    SUBCASE("jwks_uri, and a key rolled over there after it was cached")
    {
        rp.set("jwks_uri", f.publishDocument("jwks", f.protocolJwks().dump(), "application/json"));
        f.setRpMetadata(rp);
        Verifier op(f);
        REQUIRE(op.requestObject(requestObject(f)));
        Jwk next = *Jwk::generate(JwsAlgorithm::ES256);
        Json rolled = f.protocolJwks();
        rolled.find("keys")->push(next.toPublicJson());
        f.publishDocument("jwks", rolled.dump(), "application/json");
        // Within minRefetchInterval the cached set stands: the new kid is unknown.
        checkError(op.requestObject(requestObject(f, JwtSpec{.key = &next})), ErrorCode::InvalidRequestObject,
                   "12.1.1.1.2 step 6", "kid", f.rp);
        f.clock.advance(31);
        CHECK(op.requestObject(requestObject(f, JwtSpec{.key = &next})));
        CHECK(op.keys->fetches() == 2);
    }
    SUBCASE("jwks_uri that redirects, or points at a private address")
    {
        test::PistacheServer web;
        rp.set("jwks_uri", web.url("/redirect"));
        f.setRpMetadata(rp);
        Verifier op(f);
        checkError(op.requestObject(requestObject(f)), ErrorCode::Unavailable, "5.2.1 jwks_uri fetch", "jwks_uri",
                   f.rp);
        CHECK(web.state().hits("/ok") == 0);
        rp.set("jwks_uri", "http://192.168.77.1/jwks");
        f.setRpMetadata(rp);
        Verifier op2(f);
        checkError(op2.requestObject(requestObject(f)), ErrorCode::InvalidMetadata, "5.2.1 jwks_uri destination",
                   "jwks_uri", f.rp);
    }
}

TEST_CASE("trust: the trust_chain header as a verified path hint, peer_trust_chain, and chains that fail")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    auto chainHeader = [](const std::vector<std::string> &jwts) {
        Json array = Json::array();
        for (const std::string &jwt : jwts)
            array.push(jwt);
        return array;
    };

    SUBCASE("a valid trust_chain is the path, verified from the anchor's keys down")
    {
        Json extra = Json::object();
        extra.set("trust_chain", chainHeader(f.rpChainJwts()));
        auto verified = op.requestObject(requestObject(f, JwtSpec{.headerExtra = extra}));
        REQUIRE(verified);
        CHECK(verified->report.pathHint == PathHintUse::Used);
        CHECK(verified->report.source == "presented-hint");
    }
    SUBCASE("a trust_chain whose EC was forged for the RP is not used: the well-known EC decides")
    {
        // An attacker's EC for the RP, with its own key as both Federation
        // Entity Key and protocol key.
        test::TestFederation forger(f.now - 600, f.now + 3600);
        Json forgedRp = Json::object();
        Jwk attacker = *Jwk::generate(JwsAlgorithm::ES256);
        Json attackerKeys = Json::array();
        attackerKeys.push(attacker.toPublicJson());
        Json meta = rpMetadata(f);
        meta.set("jwks", Json(Json::Object{{"keys", attackerKeys}}));
        forgedRp.set("openid_relying_party", meta);
        forger.add(f.rp, forgedRp, {f.ta});
        std::vector<std::string> jwts = f.rpChainJwts();
        jwts[0] = forger.entityConfiguration(f.rp);
        Json extra = Json::object();
        extra.set("trust_chain", chainHeader(jwts));
        const Jwk &forgedKey = forger.entity(f.rp).key;
        checkError(op.requestObject(requestObject(f, JwtSpec{.headerExtra = extra, .key = &forgedKey})),
                   ErrorCode::InvalidRequestObject, "12.1.1.1.2 step 6", "kid", f.rp);
        checkError(op.requestObject(requestObject(f, JwtSpec{.headerExtra = extra, .key = &attacker})),
                   ErrorCode::InvalidRequestObject, "12.1.1.1.2 step 6", "kid", f.rp);
    }
    SUBCASE("peer_trust_chain: the OP's own chain passes; another chain is refused")
    {
        Json extra = Json::object();
        extra.set("trust_chain", chainHeader(f.rpChainJwts()));
        extra.set("peer_trust_chain", chainHeader(f.opChainJwts()));
        CHECK(op.requestObject(requestObject(f, JwtSpec{.headerExtra = extra})));
        extra.set("peer_trust_chain", chainHeader(f.rpChainJwts()));
        checkError(op.requestObject(requestObject(f, JwtSpec{.headerExtra = extra})), ErrorCode::InvalidClaim,
                   "4.4 peer_trust_chain", "peer_trust_chain", f.rp);
    }
    SUBCASE("requireTrustChain refuses a Request Object without one")
    {
        AutomaticRegistrationOptions options;
        options.requireTrustChain = true;
        checkError(op.requestObject(requestObject(f), options), ErrorCode::InvalidRequestObject,
                   "18.1 require trust chain", "trust_chain", f.rp);
    }
    SUBCASE("metadata against the federation's policy is invalid_metadata")
    {
        f.rpClaims.metadataPolicy =
            json(R"({"openid_relying_party":{"token_endpoint_auth_method":{"one_of":["tls_client_auth"]}}})");
        f.publish();
        auto r = op.requestObject(requestObject(f));
        REQUIRE_FALSE(r);
        CHECK(specErrorCode(r.error().code) == "invalid_metadata");
    }
    SUBCASE("an RP without openid_relying_party metadata")
    {
        Json client = Json::object();
        client.set("jwks", f.protocolJwks());
        f.fed.entity(f.rp).metadata = Json(Json::Object{{"oauth_client", client}});
        f.publish();
        checkError(op.requestObject(requestObject(f)), ErrorCode::InvalidMetadata, "12.1.1.1.2 step 3", "metadata",
                   f.rp);
        // ...which an authorization server verifying oauth_client clients accepts.
        AutomaticRegistrationOptions options;
        options.entityType = "oauth_client";
        auto verified = op.assertion(clientAssertion(f), options);
        REQUIRE(verified);
        CHECK(verified->entityType == "oauth_client");
    }
    SUBCASE("an RP no superior vouches for is invalid_trust_anchor")
    {
        const std::string stray = f.server.base() + "/stray";
        Json meta = Json::object();
        meta.set("openid_relying_party", rpMetadata(f));
        f.fed.add(stray, meta, {f.ta});
        f.server.serve(f.server.base() + "/stray/.well-known/openid-federation", f.fed.entityConfiguration(stray));
        Json claims = Json::object();
        claims.set("iss", stray);
        claims.set("client_id", stray);
        auto r = op.requestObject(requestObject(f, JwtSpec{.overrides = claims}));
        REQUIRE_FALSE(r);
        CHECK(specErrorCode(r.error().code) == "invalid_trust_anchor");
    }
}

TEST_CASE("client assertions (12.1.1.2): iss = sub = the RP, aud the OP, single use")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    auto with = [](const std::string &claims) { return JwtSpec{.overrides = json(claims)}; };

    auto verified = op.assertion(clientAssertion(f), {}, f.rp);
    REQUIRE(verified);
    CHECK(verified->clientId.str() == f.rp);
    CHECK(*verified->claims.findString("sub") == f.rp);

    struct Case {
        const char *name;
        std::string jwt;
        const char *rule;
        const char *claim;
    };
    const Case cases[] = {
        {"no sub (a Request Object's shape)", clientAssertion(f, with(R"({"sub":null})")), "RFC 7523 3 sub", "sub"},
        {"sub another entity", clientAssertion(f, with(R"({"sub":"https://other.example"})")), "RFC 7523 3 sub", "sub"},
        {"the token endpoint as aud, not listed", clientAssertion(f, with("{\"aud\":\"" + f.op + "/token\"}")),
         "12.1.1.2 aud", "aud"},
        {"two audiences", clientAssertion(f, with("{\"aud\":[\"" + f.op + "\",\"" + f.op + "/token\"]}")),
         "12.1.1.2 aud", "aud"},
        {"no jti", clientAssertion(f, with(R"({"jti":null})")), "RFC 7523 3 jti", "jti"},
        {"no exp", clientAssertion(f, with(R"({"exp":null})")), "RFC 7523 3 exp", "exp"},
        {"typ of a Request Object", clientAssertion(f, JwtSpec{.headerExtra = json(R"({"typ":"oauth-authz-req+jwt"})")}),
         "RFC 7523 3 typ", "typ"},
        {"signed by the Federation Entity Key", clientAssertion(f, JwtSpec{.key = &f.fed.entity(f.rp).key}),
         "12.1.1.2 keys", "kid"},
    };
    for (const Case &c : cases) {
        const std::string name = c.name;
        CAPTURE(name);
        auto r = op.assertion(c.jwt);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidClient);
        CHECK(specErrorCode(r.error().code) == "invalid_client");
        CHECK(r.error().rule == c.rule);
        CHECK(r.error().claim == c.claim);
        if (std::string_view(c.rule) != "RFC 7523 3 typ")  // judged before iss is read
            CHECK(r.error().entityId == f.rp);
    }

    SUBCASE("a replayed assertion")
    {
        const std::string jwt = clientAssertion(f);
        REQUIRE(op.assertion(jwt));
        checkError(op.assertion(jwt), ErrorCode::InvalidClient, "RFC 7523 3 jti single use", "jti", f.rp);
    }
    SUBCASE("a Request Object is not an assertion, nor an assertion a Request Object")
    {
        CHECK_FALSE(op.assertion(requestObject(f)));
        checkError(op.requestObject(clientAssertion(f)), ErrorCode::InvalidRequestObject, "12.1.1.1 client_id",
                   "client_id", f.rp);
    }
    SUBCASE("an endpoint URL the OP lists is accepted as aud (RFC 7523 3)")
    {
        op.assertionAudiences = {f.op + "/token"};
        CHECK(op.assertion(clientAssertion(f, with("{\"aud\":\"" + f.op + "/token\"}"))));
        CHECK(op.assertion(clientAssertion(f, with("{\"aud\":[\"" + f.op + "/token\"]}"))));
    }
    SUBCASE("the request's client_id must be the assertion's")
    {
        checkError(op.assertion(clientAssertion(f), {}, "https://evil.example"), ErrorCode::InvalidClient,
                   "RFC 7523 3 client_id", "client_id", f.rp);
    }
}

TEST_CASE("lookupClient: the client's metadata, anchor, expiry and keys; and one that does not resolve")
{
    Fixture f;
    f.setRpMetadata(rpMetadata(f));
    Verifier op(f);
    auto found = lookupClient(f.rp, op.context());
    REQUIRE(found);
    CHECK(found->trustAnchor.str() == f.ta);
    CHECK(*found->clientMetadata.findString("client_id") == f.rp);
    CHECK(found->keys->keys.find(f.protocolKey.kid()) != nullptr);
    CHECK(found->claims.isNull());

    checkError(lookupClient("not a url", op.context()), ErrorCode::InvalidArgument, "12.1 client_id", "client_id",
               "not a url");
    auto missing = lookupClient(f.server.base() + "/nobody", op.context());
    REQUIRE_FALSE(missing);
}

TEST_CASE("AutomaticRegistrationOptions ranges")
{
    CHECK(validateAutomaticRegistrationOptions({}));
    AutomaticRegistrationOptions options;
    options.entityType = "federation_entity";
    auto refused = validateAutomaticRegistrationOptions(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "entityType");
    options = {};
    options.maxJwtLifetime = std::chrono::seconds(0);
    refused = validateAutomaticRegistrationOptions(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "maxJwtLifetime");
}
