// Trust Mark Delegations (spec 7.2): parseDelegation(), the one reader both
// the issuing side and the verifier use, and verifyDelegation() on top of it.
#include <doctest/doctest.h>

#include <string>

#include <oidfed/trust_mark.h>

#include "trust_mark/trust_mark_delegation.h"

using namespace oidfed;

namespace {

constexpr UnixTime kNow = 1767800000;
constexpr const char *kType = "https://marks.example/owned";

EntityId id(std::string_view text)
{
    auto parsed = EntityId::parse(text);
    REQUIRE(parsed);
    return *parsed;
}

struct Owner {
    EntityId entityId = id("https://owner.example");
    Jwk key = generated();
    static Jwk generated()
    {
        auto key = Jwk::generate(JwsAlgorithm::ES256);
        REQUIRE(key);
        return *key;
    }
};

const Owner &owner()
{
    static const Owner o;
    return o;
}

const EntityId &issuer()
{
    static const EntityId i = id("https://tmi.example");
    return i;
}

std::string delegation(UnixTime exp, std::string type = kType, const EntityId &to = issuer())
{
    auto jwt = issueTrustMarkDelegation({.owner = owner().entityId, .issuer = to, .trustMarkType = std::move(type),
                                         .issuedAt = kNow - 100, .expiresAt = exp},
                                        owner().key);
    REQUIRE(jwt);
    return *jwt;
}

TrustMarkContext contextAt(UnixTime now)
{
    auto jwks = JwkSet::fromKeys({owner().key});
    REQUIRE(jwks);
    Json entry = Json::object();
    entry.set("sub", owner().entityId.str());
    entry.set("jwks", jwks->toJson());
    TrustMarkContext ctx{.anchor = {.entityId = id("https://ta.example")}, .now = now};
    ctx.anchor.trustMarkOwners = Json::object();
    ctx.anchor.trustMarkOwners.set(kType, entry);
    return ctx;
}

} // namespace

TEST_CASE("parseDelegation: who signed it and until when, without keys or a clock")
{
    auto parsed = trust_mark::parseDelegation(delegation(kNow + 77), issuer(), kType, {});
    REQUIRE(parsed);
    CHECK(parsed->issuer == owner().entityId);
    CHECK(parsed->subject == issuer());
    CHECK(parsed->trustMarkType == kType);
    CHECK(parsed->issuedAt == kNow - 100);
    CHECK(parsed->expiresAt == kNow + 77);

    auto noExp = trust_mark::parseDelegation(delegation(-1), issuer(), kType, {});
    REQUIRE(noExp);
    CHECK(noExp->expiresAt == -1);

    // Time is the caller's: an expired delegation still parses, with its exp.
    auto expired = trust_mark::parseDelegation(delegation(kNow - 50), issuer(), kType, {});
    REQUIRE(expired);
    CHECK(expired->expiresAt == kNow - 50);
}

TEST_CASE("parseDelegation: refused for another issuer, another type, or not a delegation")
{
    auto otherIssuer = trust_mark::parseDelegation(delegation(-1), id("https://other.example"), kType, {});
    REQUIRE(!otherIssuer);
    CHECK(otherIssuer.error().code == ErrorCode::InvalidClaim);
    CHECK(otherIssuer.error().rule == "7.2.2 step 4 sub");
    CHECK(otherIssuer.error().claim == "sub");

    auto otherType = trust_mark::parseDelegation(delegation(-1), issuer(), "https://marks.example/other", {});
    REQUIRE(!otherType);
    CHECK(otherType.error().code == ErrorCode::InvalidClaim);
    CHECK(otherType.error().rule == "7.2.2 step 8 trust_mark_type");

    auto mark = issueTrustMark({.issuer = issuer(), .subject = id("https://rp.example"), .trustMarkType = kType,
                                .issuedAt = kNow},
                               owner().key);
    REQUIRE(mark);
    auto notDelegation = trust_mark::parseDelegation(*mark, issuer(), kType, {});
    REQUIRE(!notDelegation);
    CHECK(notDelegation.error().code == ErrorCode::BadType);
    CHECK(notDelegation.error().rule == "7.2.2 step 2 typ");

    auto garbage = trust_mark::parseDelegation("not a jwt", issuer(), kType, {});
    REQUIRE(!garbage);
    CHECK(garbage.error().code == ErrorCode::Malformed);
    CHECK(garbage.error().rule == "7.2.2 step 1 JWS");
}

TEST_CASE("verifyDelegation adds the owner, the time and the signature")
{
    auto valid = trust_mark::verifyDelegation(delegation(kNow + 77), issuer(), kType, contextAt(kNow));
    REQUIRE(valid);
    CHECK(valid->expiresAt == kNow + 77);

    auto expired = trust_mark::verifyDelegation(delegation(kNow + 77), issuer(), kType, contextAt(kNow + 77 + 60));
    REQUIRE(!expired);
    CHECK(expired.error().code == ErrorCode::Expired);
    CHECK(expired.error().rule == "7.2.2 steps 6-7 iat/exp");
    CHECK(expired.error().message.find("the delegation of trust mark type " + std::string(kType) + " from " +
                                       owner().entityId.str() + " to " + issuer().str() + " expired at ") == 0);
    CHECK(expired.error().message.find(", 60 s ago") != std::string::npos);

    TrustMarkContext noOwner = contextAt(kNow);
    noOwner.anchor.trustMarkOwners = Json::object();
    auto unowned = trust_mark::verifyDelegation(delegation(kNow + 77), issuer(), kType, noOwner);
    REQUIRE(!unowned);
    CHECK(unowned.error().code == ErrorCode::InvalidClaim);
    CHECK(unowned.error().rule == "7.2.2 trust_mark_owners");
}
