// Who may call the trust API (src/server/trust_api_callers.h), in process
// against a federation served over real HTTP on 127.0.0.1 (the client
// fixture): a spec 8.8 private_key_jwt caller that is not hosted by the
// server is checked with the Federation Entity Keys of its chain; a bearer
// token by its SHA-256. Keys generated at run time.
#include <doctest/doctest.h>

#include <array>

#include <openssl/evp.h>

#include <oidfed/replay_store.h>
#include <oidfed/resolver.h>

#include "client_fixture.h"
#include "server/trust_api_callers.h"

using namespace oidfed;
using namespace oidfed::server;
using test::client::Fixture;

namespace {

EntityId idOf(const std::string &text)
{
    return EntityId::parse(text, EntityIdOptions{.allowHttp = true}).value();
}

std::array<unsigned char, 32> sha256(const std::string &text)
{
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    REQUIRE(EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) == 1);
    return digest;
}

struct Callers {
    Fixture &f;
    std::unique_ptr<Resolver> resolver;
    std::unique_ptr<ReplayStore> replay = makeMemoryReplayStore().value();
    std::unique_ptr<TrustApiCallers> callers;

    explicit Callers(Fixture &fixture, const std::string &token) : f(fixture)
    {
        ResolverOptions options;
        options.statements.entityIds.allowHttp = true;
        resolver = Resolver::create(options, {f.fed.anchor(f.ta)}, {*f.fetcher, f.clock}).value();
        std::vector<TrustApiCaller> list{
            TrustApiCaller{.name = "rp-module", .entityId = idOf(f.rp)},
            TrustApiCaller{.name = "unknown-module", .entityId = idOf(f.server.base() + "/nobody")},
            TrustApiCaller{.name = "bearer-module", .tokenSha256 = sha256(token)},
        };
        callers = std::make_unique<TrustApiCallers>(idOf(f.op), std::move(list), std::map<std::string, JwkSet>{},
                                                    AutomaticRegistrationOptions{},
                                                    EntityIdOptions{.allowHttp = true});
    }

    /// A caller assertion of `issuer`, signed with `key`.
    std::string assertion(const std::string &issuer, const Jwk &key, const std::string &jti)
    {
        Json claims = Json::object();
        claims.set("iss", issuer);
        claims.set("sub", issuer);
        claims.set("aud", f.op);
        claims.set("jti", jti);
        claims.set("iat", f.now);
        claims.set("exp", f.now + 60);
        Json header = Json::object();
        header.set("typ", "JWT");
        return signJws(header, claims.dump(), key).value();
    }

    Result<const TrustApiCaller *> present(const std::string &jwt, const std::string &authorization = {})
    {
        QueryParams params =
            QueryParams::parse("client_assertion_type=" + std::string("urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer") +
                                   "&client_assertion=" + jwt,
                               QueryLimits{.maxValueBytes = 65536})
                .value();
        return callers->authenticate({.authorization = authorization, .params = params, .endpointUrl = f.op + "/x"},
                                     f.now, *resolver, *replay);
    }
    Result<const TrustApiCaller *> bearer(const std::string &authorization)
    {
        QueryParams none = QueryParams::parse("").value();
        return callers->authenticate({.authorization = authorization, .params = none, .endpointUrl = f.op + "/x"},
                                     f.now, *resolver, *replay);
    }
};

void checkRefused(const Result<const TrustApiCaller *> &result)
{
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::InvalidClient);
    CHECK(result.error().rule.find("8.8") != std::string::npos);
}

} // namespace

TEST_CASE("a private_key_jwt caller not hosted here: the Federation Entity Keys of its chain, its jti once")
{
    Fixture f;
    Callers c(f, "the-token");
    const Jwk &federationKey = f.fed.entity(f.rp).key;

    auto caller = c.present(c.assertion(f.rp, federationKey, "jti-1"));
    REQUIRE_MESSAGE(caller, caller.error().describe());
    CHECK((*caller)->name == "rp-module");

    // Replayed; signed with its protocol key (not a Federation Entity Key);
    // a configured caller that does not resolve; an unknown issuer.
    checkRefused(c.present(c.assertion(f.rp, federationKey, "jti-1")));
    checkRefused(c.present(c.assertion(f.rp, f.protocolKey, "jti-2")));
    auto unresolved = c.present(c.assertion(f.server.base() + "/nobody", federationKey, "jti-3"));
    REQUIRE_FALSE(unresolved);
    CHECK(unresolved.error().code == ErrorCode::InvalidClient);  // its Entity Configuration is not found
    checkRefused(c.present(c.assertion(f.op, f.fed.entity(f.op).key, "jti-4")));
    // A refused assertion did not use up its jti.
    CHECK(c.present(c.assertion(f.rp, federationKey, "jti-2")));
    // Both methods at once.
    checkRefused(c.present(c.assertion(f.rp, federationKey, "jti-5"), "Bearer the-token"));
}

TEST_CASE("a bearer caller: the token's SHA-256, the scheme case-insensitive")
{
    Fixture f;
    Callers c(f, "the-token");
    auto caller = c.bearer("Bearer the-token");
    REQUIRE(caller);
    CHECK((*caller)->name == "bearer-module");
    CHECK(c.bearer("bearer the-token"));
    checkRefused(c.bearer("Bearer the-token2"));
    checkRefused(c.bearer("Bearer "));
    checkRefused(c.bearer("Basic the-token"));
    checkRefused(c.bearer(""));
}
