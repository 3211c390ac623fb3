// Trust Mark Status responses (spec 8.4.2): issuing and verifying them, and
// decoding a mark's claims without trusting them.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include <oidfed/base64url.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "jose/jws_crypto.h"
#include "test_support.h"

using namespace oidfed;

namespace {

constexpr UnixTime kNow = 1767800000;

EntityId id(std::string_view text)
{
    auto parsed = EntityId::parse(text);
    REQUIRE(parsed);
    return *parsed;
}

struct Signer {
    Jwk key;
    JwkSet jwks;
};

Signer signer()
{
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    auto jwks = JwkSet::fromKeys({*key});
    REQUIRE(jwks);
    return Signer{*key, *jwks};
}

std::string craft(const Json &header, const Json &payload, const Jwk &key)
{
    const std::string input = base64urlEncode(header.dump()) + "." + base64urlEncode(payload.dump());
    auto signature = jose::signBytes(key, JwsAlgorithm::ES256, input);
    REQUIRE(signature);
    return input + "." + base64urlEncode(*signature);
}

std::string mark(const Signer &issuer, const std::string &type = "https://marks.example/t")
{
    auto jwt = issueTrustMark(TrustMarkClaims{.issuer = id("https://tmi.example"),
                                              .subject = id("https://leaf.example"),
                                              .trustMarkType = type,
                                              .issuedAt = kNow,
                                              .expiresAt = kNow + 3600},
                              issuer.key);
    REQUIRE(jwt);
    return *jwt;
}

} // namespace

TEST_CASE("a status response round-trips for each status")
{
    Signer tmi = signer();
    const std::string tm = mark(tmi);
    for (TrustMarkStatus status :
         {TrustMarkStatus::Active, TrustMarkStatus::Expired, TrustMarkStatus::Revoked, TrustMarkStatus::Invalid}) {
        auto jwt = issueTrustMarkStatusResponse({id("https://tmi.example"), tm, status, kNow}, tmi.key);
        REQUIRE(jwt);
        auto verified = verifyTrustMarkStatusResponse(*jwt, tmi.jwks, id("https://tmi.example"), tm, kNow);
        REQUIRE_MESSAGE(verified, verified.error().describe());
        CHECK(verified->status == trustMarkStatusName(status));
        CHECK(verified->active() == (status == TrustMarkStatus::Active));
        CHECK(verified->trustMark == tm);
        CHECK(verified->issuedAt == kNow);
        auto header = Jws::parse(*jwt)->header();
        CHECK(*header.findString("typ") == "trust-mark-status-response+jwt");
        CHECK(header.findString("kid"));
    }
}

TEST_CASE("a status response is refused when it is not exactly what was asked")
{
    Signer tmi = signer();
    Signer other = signer();
    const std::string tm = mark(tmi);
    auto good = issueTrustMarkStatusResponse({id("https://tmi.example"), tm, TrustMarkStatus::Active, kNow}, tmi.key);
    REQUIRE(good);

    auto code = [&](const std::string &jwt, const JwkSet &keys, const std::string &issuer, const std::string &asked) {
        auto verified = verifyTrustMarkStatusResponse(jwt, keys, id(issuer), asked, kNow);
        REQUIRE_FALSE(verified);
        return verified.error().code;
    };
    CHECK(code(*good, other.jwks, "https://tmi.example", tm) == ErrorCode::KeyNotFound);
    CHECK(code(*good, tmi.jwks, "https://other.example", tm) == ErrorCode::InvalidClaim);
    CHECK(code(*good, tmi.jwks, "https://tmi.example", mark(tmi, "https://marks.example/other")) ==
          ErrorCode::InvalidClaim);

    Json header = Json::object();
    header.set("alg", "ES256");
    header.set("kid", tmi.key.kid());
    Json payload = Json::object();
    payload.set("iss", "https://tmi.example");
    payload.set("iat", kNow);
    payload.set("trust_mark", tm);
    payload.set("status", "active");
    // The pre-draft-44 answers: no typ, or a plain JWT typ.
    CHECK(code(craft(header, payload, tmi.key), tmi.jwks, "https://tmi.example", tm) == ErrorCode::BadType);
    header.set("typ", "JWT");
    CHECK(code(craft(header, payload, tmi.key), tmi.jwks, "https://tmi.example", tm) == ErrorCode::BadType);
    header.set("typ", "trust-mark-status-response+jwt");
    Json noStatus = payload;
    noStatus.erase("status");
    CHECK(code(craft(header, noStatus, tmi.key), tmi.jwks, "https://tmi.example", tm) == ErrorCode::MissingClaim);
    Json future = payload;
    future.set("iat", kNow + 3600);
    CHECK(code(craft(header, future, tmi.key), tmi.jwks, "https://tmi.example", tm) == ErrorCode::NotYetValid);
    // A framework's own status value passes through as text.
    Json custom = payload;
    custom.set("status", "suspended");
    auto verified = verifyTrustMarkStatusResponse(craft(header, custom, tmi.key), tmi.jwks, id("https://tmi.example"),
                                                  tm, kNow);
    REQUIRE(verified);
    CHECK(verified->status == "suspended");
    CHECK_FALSE(verified->active());
    // The unsigned {"active": true} of old drafts is not a JWS at all.
    CHECK_FALSE(verifyTrustMarkStatusResponse(R"({"active": true})", tmi.jwks, id("https://tmi.example"), tm, kNow));
    // No private key, no response.
    CHECK_FALSE(issueTrustMarkStatusResponse({id("https://tmi.example"), tm, TrustMarkStatus::Active, kNow},
                                             *Jwk::fromPublicJson(tmi.key.toPublicJson())));
}

TEST_CASE("decodeTrustMark reads the claims and refuses what a mark may not be")
{
    Signer tmi = signer();
    const std::string tm = mark(tmi);
    auto decoded = decodeTrustMark(tm);
    REQUIRE(decoded);
    CHECK(decoded->issuer.str() == "https://tmi.example");
    CHECK(decoded->subject.str() == "https://leaf.example");
    CHECK(decoded->trustMarkType == "https://marks.example/t");
    CHECK(decoded->expiresAt == kNow + 3600);
    CHECK(decoded->kid == tmi.key.kid());
    CHECK(decoded->delegation.empty());
    CHECK(checkTrustMarkSignature(tm, tmi.jwks));
    CHECK(checkTrustMarkSignature(tm, signer().jwks).error().code == ErrorCode::KeyNotFound);

    Json header = Json::object();
    header.set("alg", "ES256");
    header.set("kid", tmi.key.kid());
    header.set("typ", "trust-mark+jwt");
    Json payload = Json::object();
    payload.set("iss", "https://tmi.example");
    payload.set("sub", "https://leaf.example");
    payload.set("trust_mark_id", "https://marks.example/t");  // the draft-42 name
    payload.set("iat", kNow);
    CHECK(decodeTrustMark(craft(header, payload, tmi.key)).error().code == ErrorCode::MissingClaim);
    payload.erase("trust_mark_id");
    payload.set("trust_mark_type", "https://marks.example/t");
    header.set("typ", "entity-statement+jwt");
    CHECK(decodeTrustMark(craft(header, payload, tmi.key)).error().code == ErrorCode::BadType);
}
