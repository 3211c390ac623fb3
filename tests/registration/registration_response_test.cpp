// Explicit Registration responses: the OP signs one (12.2.3), the RP checks
// it (12.2.5). Every claim rule good and bad, with code, rule and claim.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include <oidfed/jws.h>
#include <oidfed/registration.h>

#include "registration_fixture.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test::registration;
using test::json;

namespace {

const EntityId kOpId = EntityId::parse(kOp, {.allowHttp = true}).value();
const EntityId kRpId = EntityId::parse(kRp, {.allowHttp = true}).value();

// Both sides: the OP's registration of the RP's request, and what the RP
// holds to check the answer (its chain for the OP, its own chain).
struct Exchange {
    Federation f;
    std::unique_ptr<Resolver> resolver = f.resolver();
    RegistrationPolicy policy{};
    std::string requestJwt;
    std::optional<EntityStatement> request;
    std::optional<Registration> registration;
    std::shared_ptr<const TrustChain> opChain;
    std::shared_ptr<const TrustChain> rpChain;

    /// `rpPolicy`: im's metadata_policy about the RP (null: none).
    explicit Exchange(RequestSpec spec = {}, Json rpPolicy = Json())
    {
        f.rpClaims.metadataPolicy = std::move(rpPolicy);
        f.publish();
        spec.trustChain = f.rpChain();
        requestJwt = f.request(spec);
        auto parsed = parseRegistrationRequest(requestJwt, kEntityStatementMediaType, kOpId, kNow, requestOptions());
        REQUIRE_MESSAGE(parsed, parsed.error().describe());
        request = parsed->configuration;
        RegistrationContext context{.op = kOpId, .resolver = *resolver, .policy = policy, .now = kNow};
        context.validation.statements = testStatementOptions();
        auto granted = registerClient(*parsed, context);
        REQUIRE_MESSAGE(granted, granted.error().describe());
        registration = std::move(granted).value();
        ResolveOutcome op = resolver->resolve({.subject = kOp});
        REQUIRE_MESSAGE(op.chain, op.chain.error().describe());
        opChain = *op.chain;
        ResolveOutcome own = resolver->resolvePresented(
            {.configuration = *request, .trustAnchors = {kTa}, .immediateSuperior = kIm});
        REQUIRE_MESSAGE(own.chain, own.chain.error().describe());
        rpChain = *own.chain;
    }

    const Jwk &opKey() { return f.fed.entity(kOp).key; }

    std::string issue(const ClientCredentials &credentials = {.clientId = "client-1"})
    {
        auto jwt = issueRegistrationResponse(*registration, credentials, kOpId, kNow, opKey());
        REQUIRE_MESSAGE(jwt, jwt.error().describe());
        return *jwt;
    }

    RegistrationResponseCheck check(bool withRpChain = true)
    {
        RegistrationResponseCheck c{.rp = kRpId, .opChain = *opChain, .trustAnchors = {kTa}, .request = *request};
        c.rpChain = withRpChain ? rpChain.get() : nullptr;
        c.now = kNow;
        c.statements = testStatementOptions();
        return c;
    }

    // A response with its claims changed, signed with `key` (the OP's by default).
    std::string tampered(const std::function<void(Json &header, Json &claims)> &change, const Jwk *key = nullptr)
    {
        auto jws = Jws::parse(issue());
        REQUIRE(jws);
        Json header = json(R"({"typ":"explicit-registration-response+jwt"})");
        Json claims = *jws->payloadJson();
        change(header, claims);
        auto jwt = signJws(header, claims.dump(), key ? *key : opKey());
        REQUIRE(jwt);
        return *jwt;
    }
};

} // namespace

TEST_CASE("the OP's response carries the claims of 12.2.3 and the RP accepts it (12.2.5)")
{
    Exchange x;
    std::string jwt = x.issue({.clientId = "client-1", .extra = json(R"({"client_id_issued_at": 1767800000})")});
    auto jws = Jws::parse(jwt);
    REQUIRE(jws);
    CHECK(jws->typ() == "explicit-registration-response+jwt");
    CHECK(jws->kid() == x.opKey().kid());
    Json claims = *jws->payloadJson();
    CHECK(*claims.find("iss") == Json(kOp));
    CHECK(*claims.find("sub") == Json(kRp));
    CHECK(*claims.find("aud") == Json(kRp));  // a single value, as a string
    CHECK(*claims.find("iat") == Json(kNow));
    CHECK(claims.find("exp")->asInt() == x.registration->expiresAt);
    CHECK(claims.find("exp")->asInt() <= x.registration->chain->expiresAt());
    CHECK(*claims.find("jwks") == *x.request->claim("jwks"));
    CHECK(*claims.find("trust_anchor") == Json(kTa));
    CHECK(*claims.find("authority_hints") == json(R"(["https://im.example"])"));
    const Json &client = *claims.find("metadata")->find("openid_relying_party");
    CHECK(*client.find("client_id") == Json("client-1"));
    CHECK(*client.find("client_id_issued_at") == Json(kNow));
    CHECK(*client.find("token_endpoint_auth_method") == Json("private_key_jwt"));
    CHECK(claims.find("metadata")->size() == 1);

    auto verified = verifyRegistrationResponse(jwt, x.check());
    REQUIRE_MESSAGE(verified, verified.error().describe());
    CHECK(verified->clientId == "client-1");
    CHECK(verified->op.str() == kOp);
    CHECK(verified->trustAnchor.str() == kTa);
    CHECK(verified->authorityHint.str() == kIm);
    CHECK(verified->expiresAt == x.registration->expiresAt);
    CHECK(verified->policyReapplied);
    CHECK(verified->resolvedMetadata == verified->metadata);

    auto withoutOwnChain = verifyRegistrationResponse(jwt, x.check(false));
    REQUIRE(withoutOwnChain);
    CHECK_FALSE(withoutOwnChain->policyReapplied);
}

TEST_CASE("issueRegistrationResponse refuses what must not be sent")
{
    Exchange x;
    auto refused = [&](const ClientCredentials &credentials, std::string_view claim) {
        auto r = issueRegistrationResponse(*x.registration, credentials, kOpId, kNow, x.opKey());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidArgument);
        CHECK(r.error().claim == claim);
    };
    refused({.clientId = ""}, "client_id");
    refused({.clientId = "c", .extra = json(R"({"registration_access_token": "secret"})")}, "registration_access_token");
    refused({.clientId = "c", .extra = json(R"({"registration_client_uri": "https://op.example/c"})")},
            "registration_client_uri");
    refused({.clientId = "c", .extra = json(R"({"client_secret": "s", "client_secret_expires_at": 1767800001})")},
            "client_secret_expires_at");
    refused({.clientId = "c", .extra = json(R"({"redirect_uris": ["https://evil.example"]})")}, "redirect_uris");
    // A secret that never expires (0) or outlives the registration is fine.
    CHECK(issueRegistrationResponse(*x.registration,
                                    {.clientId = "c", .extra = json(R"({"client_secret": "s", "client_secret_expires_at": 0})")},
                                    kOpId, kNow, x.opKey()));
    // Nothing is issued for a registration that has ended.
    auto late = issueRegistrationResponse(*x.registration, {.clientId = "c"}, kOpId, x.registration->expiresAt, x.opKey());
    REQUIRE_FALSE(late);
    CHECK(late.error().code == ErrorCode::InvalidArgument);
    // Nor with a key that cannot sign.
    auto publicOnly = Jwk::fromPublicJson(x.opKey().toPublicJson());
    REQUIRE(publicOnly);
    CHECK_FALSE(issueRegistrationResponse(*x.registration, {.clientId = "c"}, kOpId, kNow, *publicOnly));
}

TEST_CASE("the RP refuses a response that breaks 12.2.5, naming the rule")
{
    // im requires authorization_code of the RP: its policy is applied again
    // when the RP checks the returned metadata (the last row).
    Exchange x({}, json(R"({"openid_relying_party": {"grant_types": {"superset_of": ["authorization_code"]}}})"));
    struct Row {
        const char *name;
        std::function<void(Json &, Json &)> change;
        ErrorCode code;
        const char *rule;
        const char *claim;
    };
    const std::vector<Row> rows = {
        {"wrong aud", [](Json &, Json &c) { c.set("aud", "https://other-rp.example"); }, ErrorCode::InvalidClaim,
         "12.2.5 step 2", "aud"},
        {"multi-valued aud", [](Json &, Json &c) { c.set("aud", json(R"(["https://rp.example","https://x.example"])")); },
         ErrorCode::InvalidClaim, "3.1.5 aud", "aud"},
        {"about another RP", [](Json &, Json &c) { c.set("sub", "https://other-rp.example"); }, ErrorCode::InvalidClaim,
         "12.2.3 sub", "sub"},
        {"issued by another entity", [](Json &, Json &c) { c.set("iss", "https://im.example"); },
         ErrorCode::InvalidClaim, "12.2.5 step 1", "iss"},
        {"an anchor the RP does not have", [](Json &, Json &c) { c.set("trust_anchor", "https://ta2.example"); },
         ErrorCode::NoTrustAnchor, "12.2.5 step 3", "trust_anchor"},
        {"an authority hint the RP did not ask for",
         [](Json &, Json &c) { c.set("authority_hints", json(R"(["https://ta.example"])")); }, ErrorCode::InvalidClaim,
         "12.2.5 step 4", "authority_hints"},
        {"two authority hints",
         [](Json &, Json &c) { c.set("authority_hints", json(R"(["https://im.example","https://ta.example"])")); },
         ErrorCode::InvalidClaim, "12.2.3 authority_hints", "authority_hints"},
        {"jwks not a copy", [](Json &, Json &c) { c.set("jwks", test::generatedPublicJwks()); },
         ErrorCode::InvalidClaim, "12.2.3 jwks", "jwks"},
        {"other entity types",
         [](Json &, Json &c) {
             Json metadata = *c.find("metadata");
             metadata.set("oauth_client", *metadata.find("openid_relying_party"));
             c.set("metadata", metadata);
         },
         ErrorCode::InvalidClaim, "12.2.5 step 5", "metadata"},
        {"no client_id",
         [](Json &, Json &c) {
             Json metadata = *c.find("metadata");
             metadata.find("openid_relying_party")->erase("client_id");
             c.set("metadata", metadata);
         },
         ErrorCode::MissingClaim, "12.2.3 metadata", "client_id"},
        {"expired", [](Json &, Json &c) { c.set("iat", kNow - 7200); c.set("exp", kNow - 3600); }, ErrorCode::Expired,
         "3.2 iat/exp", "exp"},
        {"issued in the future", [](Json &, Json &c) { c.set("iat", kNow + 3600); c.set("exp", kNow + 7200); },
         ErrorCode::NotYetValid, "3.2 iat/exp", "iat"},
        {"entity-statement typ", [](Json &h, Json &) { h.set("typ", "entity-statement+jwt"); }, ErrorCode::BadType,
         "12.2.3 typ", "typ"},
        {"metadata the RP's chain's policy refuses",
         [](Json &, Json &c) {
             Json metadata = *c.find("metadata");
             metadata.find("openid_relying_party")->set("grant_types", json(R"(["implicit"])"));
             c.set("metadata", metadata);
         },
         ErrorCode::PolicyViolation, nullptr, nullptr},
    };
    for (const Row &row : rows) {
        INFO(std::string(row.name));
        auto r = verifyRegistrationResponse(x.tampered(row.change), x.check());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == row.code);
        if (row.rule)
            CHECK(r.error().rule == row.rule);
        if (row.claim)
            CHECK(r.error().claim == row.claim);
    }
}

TEST_CASE("the RP refuses a response signed with a key the OP's superior does not vouch for")
{
    Exchange x;
    auto rogue = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(rogue);
    auto r = verifyRegistrationResponse(x.tampered([](Json &, Json &) {}, &*rogue), x.check());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::KeyNotFound);
    CHECK(r.error().rule == "12.2.5 step 1");

    // A key the OP publishes in its own EC but ta does not list for it.
    Jwk extra = x.f.fed.publishExtraKey(kOp);
    auto unvouched = verifyRegistrationResponse(x.tampered([](Json &, Json &) {}, &extra), x.check());
    REQUIRE_FALSE(unvouched);
    CHECK(unvouched.error().code == ErrorCode::KeyNotFound);
    CHECK(unvouched.error().rule == "12.2.5 step 1");
}

TEST_CASE("the RP's own chain must be the one the response names")
{
    Exchange x;
    RegistrationResponseCheck c = x.check();
    // The OP's chain stands in for a chain of the RP through another superior.
    c.rpChain = x.opChain.get();
    auto r = verifyRegistrationResponse(x.issue(), c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidClaim);
    CHECK(r.error().rule == "12.2.5 step 5");
}
