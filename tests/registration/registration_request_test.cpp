// Reading an Explicit Registration request (12.2.1, 12.2.2 steps 1-2): the
// two body forms, the OP's aud, the RP's own signature and validity, the
// chain headers, and every refusal with its code, rule, claim and entity.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/jws.h>
#include <oidfed/registration_request.h>

#include "registration_fixture.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test::registration;
using test::json;

namespace {

const EntityId kOpId = EntityId::parse(kOp, {.allowHttp = true}).value();

Result<RegistrationRequest> parse(const std::string &body, std::string_view type = kEntityStatementMediaType,
                                  UnixTime now = kNow, const RegistrationRequestOptions &options = requestOptions())
{
    return parseRegistrationRequest(body, type, kOpId, now, options);
}

std::string chainBody(const std::vector<std::string> &jwts)
{
    Json array = Json::array();
    for (const std::string &jwt : jwts)
        array.push(jwt);
    return array.dump();
}

} // namespace

TEST_CASE("an EC body with trust_chain and peer_trust_chain headers is read, chains kept as sent")
{
    Federation f;
    RequestSpec spec;
    spec.trustChain = f.rpChain();
    spec.peerTrustChain = f.opChain();
    auto request = parse(f.request(spec));
    REQUIRE_MESSAGE(request, request.error().describe());
    CHECK(request->rp().str() == kRp);
    CHECK(request->configuration.audience() == kOp);
    CHECK(request->trustChain == spec.trustChain);
    CHECK(request->peerTrustChain == spec.peerTrustChain);
    CHECK_FALSE(request->chainBody);
    // Media types are compared case-insensitively, parameters ignored.
    CHECK(parse(f.request(spec), "Application/Entity-Statement+JWT; charset=utf-8"));
}

TEST_CASE("a trust-chain+json body: its first element is the request EC, the whole array the chain")
{
    Federation f;
    std::string ec = f.request({});
    std::vector<std::string> chain = f.rpChain();
    chain[0] = ec;
    auto request = parse(chainBody(chain), kTrustChainMediaType);
    REQUIRE_MESSAGE(request, request.error().describe());
    CHECK(request->chainBody);
    CHECK(request->trustChain == chain);
    CHECK(request->configuration.compact() == ec);
    CHECK(request->peerTrustChain.empty());
}

TEST_CASE("refusals of the request itself")
{
    Federation f;
    SUBCASE("wrong aud")
    {
        RequestSpec spec;
        spec.op = "https://other-op.example";
        checkError(parse(f.request(spec)), ErrorCode::InvalidArgument, "12.2.2 step 2", "aud");
    }
    SUBCASE("multi-valued aud")
    {
        RequestSpec spec;
        spec.extraClaims.set("aud", json(R"(["https://op.example","https://other-op.example"])"));
        checkError(parse(f.signedRequest(spec)), ErrorCode::InvalidClaim, "3.1.4 aud", "aud");
    }
    SUBCASE("signed with a key the RP does not publish")
    {
        RequestSpec spec;
        spec.signWithUnpublishedKey = true;
        checkError(parse(f.signedRequest(spec)), ErrorCode::KeyNotFound, "3.2 signature", "kid");
    }
    SUBCASE("expired and future request ECs")
    {
        RequestSpec expired;
        expired.iat = kNow - 7200;
        expired.exp = kNow - 3600;
        checkError(parse(f.request(expired)), ErrorCode::Expired, "3.2 iat/exp", "exp");
        RequestSpec future;
        future.iat = kNow + 3600;
        future.exp = kNow + 7200;
        checkError(parse(f.request(future)), ErrorCode::NotYetValid, "3.2 iat/exp", "iat");
    }
    SUBCASE("an unknown content type")
    {
        checkError(parse(f.request({}), "application/jwt"), ErrorCode::InvalidArgument, "12.2.2 step 1",
                   "Content-Type", "");
    }
    SUBCASE("a chain body that is not an array of JWTs")
    {
        for (const char *body : {"{}", "[]", "[1]", "not json"}) {
            CAPTURE(body);
            checkError(parse(body, kTrustChainMediaType), ErrorCode::InvalidArgument, "12.2.1 trust chain body",
                       "trust_chain", "");
        }
    }
    SUBCASE("peer_trust_chain with a chain body")
    {
        RequestSpec spec;
        spec.peerTrustChain = f.opChain();
        std::vector<std::string> chain = f.rpChain();
        chain[0] = f.request(spec);
        checkError(parse(chainBody(chain), kTrustChainMediaType), ErrorCode::InvalidArgument,
                   "12.2.1 peer_trust_chain", "peer_trust_chain");
    }
    SUBCASE("a plain EC without aud")
    {
        auto r = parse(f.fed.entityConfiguration(kRp));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::MissingClaim);
        CHECK(r.error().claim == "aud");
    }
    SUBCASE("limits: body bytes and chain length")
    {
        RegistrationRequestOptions small = requestOptions();
        small.maxBodyBytes = 1024;
        checkError(parse(f.request({}), kEntityStatementMediaType, kNow, small), ErrorCode::LimitExceeded,
                   "12.2.1 limits", "", "");
        RegistrationRequestOptions shortChains = requestOptions();
        shortChains.maxChainStatements = 2;
        RequestSpec spec;
        spec.trustChain = f.rpChain();
        checkError(parse(f.request(spec), kEntityStatementMediaType, kNow, shortChains), ErrorCode::LimitExceeded,
                   "12.2.1 limits", "trust_chain");
    }
}

TEST_CASE("issueRegistrationRequest refuses what an OP would refuse")
{
    Federation f;
    RequestSpec spec;
    spec.authorityHints = {};
    auto noHints = f.tryRequest(spec);
    REQUIRE_FALSE(noHints);
    CHECK(noHints.error().code == ErrorCode::MissingClaim);
    CHECK(noHints.error().claim == "authority_hints");

    RequestSpec redefined;
    redefined.extraClaims.set("aud", "https://op.example");
    auto aud = f.tryRequest(redefined);
    REQUIRE_FALSE(aud);
    CHECK(aud.error().code == ErrorCode::InvalidArgument);
    CHECK(aud.error().claim == "aud");
}

TEST_CASE("request options are range-checked with the field named")
{
    CHECK(validateRegistrationRequestOptions({}));
    RegistrationRequestOptions o;
    o.maxChainStatements = 0;
    auto r = validateRegistrationRequestOptions(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().claim == "maxChainStatements");
    o = {};
    o.maxBodyBytes = 100;
    CHECK(validateRegistrationRequestOptions(o).error().claim == "maxBodyBytes");
}
