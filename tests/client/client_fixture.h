// A federation served over real HTTP on 127.0.0.1 for the automatic
// registration tests (spec 12.1): ta (anchor, also the RP's superior), rp
// (a relying party whose metadata the test writes), and op (the OP doing the
// verifying). Statements are signed with keys generated at run time and
// valid around the real time; the FakeClock starts at that time.
//
// The RP's protocol keys can be published on the same server: jwks_uri as
// application/json, signed_jwks_uri as application/jwk-set+jwt.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/fetcher.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

#include <doctest/doctest.h>

#include "fake_clock.h"
#include "federation_server.h"
#include "test_federation.h"

namespace oidfed::test::client {

/// A new ES256 key; throws on failure (test code).
Jwk generatedKey();

struct Fixture {
    FederationServer server;
    UnixTime now = std::time(nullptr);
    FakeClock clock{now};
    TestFederation fed{now - 600, now + 3600};
    std::string ta = server.base() + "/ta";
    std::string rp = server.base() + "/rp";
    std::string op = server.base() + "/op";
    /// The RP's protocol signing key (ES256), not a Federation Entity Key.
    Jwk protocolKey = generatedKey();
    std::unique_ptr<Fetcher> fetcher;
    /// What ta says about rp (metadata policy...), applied by publish().
    SubordinateClaims rpClaims{};

    Fixture();

    /// Sets the RP's openid_relying_party metadata (other types: `extra`
    /// members of metadata) and publishes its statements again.
    void setRpMetadata(const Json &relyingParty, const Json &extra = Json::object());
    /// Publishes every Entity Configuration and Subordinate Statement.
    void publish();

    /// {"keys": [protocolKey public]}.
    Json protocolJwks() const;
    /// A signed JWK Set for the RP: payload claims (iss, sub = rp, iat = now,
    /// exp = now + 600, keys = protocolJwks()) with `overrides` set over
    /// them (a null value removes the claim), signed with `key` (default:
    /// the RP's Federation Entity Key) and typ `typ`.
    std::string signedJwks(const Json &overrides = Json::object(), const Jwk *key = nullptr,
                           const std::string &typ = "jwk-set+jwt");
    /// Serves `body` at base()/rp/<name> with `mediaType`; returns the URL.
    std::string publishDocument(const std::string &name, const std::string &body, const std::string &mediaType);

    /// [rp EC, ta about rp, ta EC] and [op EC, ta about op, ta EC] as JWTs.
    std::vector<std::string> rpChainJwts() const;
    std::vector<std::string> opChainJwts() const;
    /// The RP's chain [rp EC, ta about rp, ta EC], validated now.
    TrustChain rpChain(const std::vector<std::string> &entityTypes = {}) const;
    ChainValidationOptions validationOptions() const;
};

/// A compact JWS with the given header and payload and a made-up signature
/// (for alg none / HMAC, which signJws refuses to produce).
std::string unsignedJws(const Json &header, const Json &payload);

/// A jti no other JWT of this process has.
std::string uniqueJti();

/// `r` failed with this code, rule, claim and entity.
template <typename T>
void checkError(const Result<T> &r, ErrorCode code, std::string_view rule, std::string_view claim,
                const std::string &entity)
{
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().rule == rule);
    CHECK(r.error().claim == claim);
    CHECK(r.error().entityId == entity);
}

/// A JWT from the RP: `overrides` set over the claims (null removes one),
/// `headerExtra` over the header, signed with `key` (default: the
/// fixture's protocol key).
struct JwtSpec {
    Json overrides = Json::object();
    Json headerExtra = Json::object();
    const Jwk *key = nullptr;
};

/// `claims` with the spec applied, signed, typed `typ`.
std::string signedJwt(const Fixture &f, Json claims, const JwtSpec &spec, const std::string &typ);

/// A valid Request Object of the RP for the OP (12.1.1.1): iss, client_id,
/// aud, a fresh jti, iat now, exp now + 300, a code request.
std::string requestObject(const Fixture &f, const JwtSpec &spec = {});

/// A valid private_key_jwt client assertion of the RP for the OP
/// (12.1.1.2): iss = sub = rp, aud op, a fresh jti, exp now + 60.
std::string clientAssertion(const Fixture &f, const JwtSpec &spec = {});

/// The RP's metadata: its protocol key by value (not its Federation Entity
/// Key), redirect URIs, automatic registration.
Json rpMetadata(const Fixture &f);

} // namespace oidfed::test::client
