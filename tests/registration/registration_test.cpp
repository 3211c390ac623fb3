// The OP's side of Explicit Registration after parsing (12.2.2 steps 3-6,
// 8-9): registerClient() from a request to the registration granted, or the
// refusal with its code, rule, claim and entity.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/registration.h>

#include "registration_fixture.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::test::registration;
using test::json;

namespace {

const EntityId kOpId = EntityId::parse(kOp, {.allowHttp = true}).value();

struct Op {
    Federation &f;
    std::unique_ptr<Resolver> resolver = f.resolver();
    RegistrationPolicy policy{};

    Result<Registration> registerRequest(const std::string &body, std::string_view type = kEntityStatementMediaType)
    {
        auto request = parseRegistrationRequest(body, type, kOpId, kNow, requestOptions());
        REQUIRE_MESSAGE(request, request.error().describe());
        RegistrationContext context{.op = kOpId, .resolver = *resolver, .policy = policy, .now = kNow};
        context.validation.statements = testStatementOptions();
        return registerClient(*request, context);
    }
};

} // namespace

TEST_CASE("a registration with a trust_chain hint: the granted registration")
{
    Federation f;
    Op op{f};
    RequestSpec spec;
    spec.trustChain = f.rpChain();
    std::string body = f.request(spec);
    auto registration = op.registerRequest(body);
    REQUIRE_MESSAGE(registration, registration.error().describe());
    CHECK(registration->rp.str() == kRp);
    CHECK(registration->trustAnchor.str() == kTa);
    CHECK(registration->immediateSuperior.str() == kIm);
    CHECK(registration->entityType == "openid_relying_party");
    CHECK(registration->expiresAt == std::min<UnixTime>(f.fed.exp(), kNow + 86400));
    CHECK(registration->report.pathHint == PathHintUse::Used);
    CHECK(f.fetcher.calls().empty());
    // jwks verbatim from the request EC.
    auto ec = EntityStatement::parse(body, testStatementOptions(), StatementContext::RegistrationRequest);
    CHECK(registration->jwks == *ec->claim("jwks"));
    const Json &client = registration->clientMetadata;
    CHECK(*client.find("token_endpoint_auth_method") == Json("private_key_jwt"));
    CHECK(*client.find("redirect_uris") == json(R"(["https://rp.example/callback"])"));
    CHECK_FALSE(client.contains("client_id"));
}

TEST_CASE("without a chain, and with a chain body: collected, or the body used as hint")
{
    Federation f;
    Op op{f};
    auto collected = op.registerRequest(f.request({}));
    REQUIRE_MESSAGE(collected, collected.error().describe());
    CHECK(collected->report.pathHint == PathHintUse::None);
    CHECK(collected->report.source == "network");

    Federation g;
    Op op2{g};
    std::vector<std::string> chain = g.rpChain();
    chain[0] = g.request({});
    Json body = Json::array();
    for (const std::string &jwt : chain)
        body.push(jwt);
    auto fromBody = op2.registerRequest(body.dump(), kTrustChainMediaType);
    REQUIRE_MESSAGE(fromBody, fromBody.error().describe());
    CHECK(fromBody->report.pathHint == PathHintUse::Used);
    CHECK(g.fetcher.calls().empty());
}

TEST_CASE("the registration ends no later than the chain and the OP's cap (12.2.2 step 9)")
{
    Federation f;
    Op op{f};
    RequestSpec spec;
    spec.trustChain = f.rpChain(kNow + 600);  // im's statement about the RP ends first
    auto byChain = op.registerRequest(f.request(spec));
    REQUIRE_MESSAGE(byChain, byChain.error().describe());
    CHECK(byChain->expiresAt == kNow + 600);

    op.policy.maxLifetime = std::chrono::seconds(300);
    auto byCap = op.registerRequest(f.request({}));
    REQUIRE(byCap);
    CHECK(byCap->expiresAt == kNow + 300);
}

TEST_CASE("a hint that does not verify falls back; a stale one too")
{
    Federation f;
    Op op{f};
    RequestSpec spec;
    spec.trustChain = f.rpChain(kNow - 60 * 60);
    auto stale = op.registerRequest(f.request(spec));
    REQUIRE_MESSAGE(stale, stale.error().describe());
    CHECK(stale->report.pathHint == PathHintUse::Stale);
    CHECK(stale->expiresAt <= f.fed.exp());

    // A chain that does not start with the RP's EC is not used either.
    RequestSpec wrongHead;
    wrongHead.trustChain = f.opChain();
    wrongHead.trustChain.back() = f.fed.entityConfiguration(kTa);
    auto other = op.registerRequest(f.request(wrongHead));
    REQUIRE_MESSAGE(other, other.error().describe());
    CHECK(other->report.pathHint == PathHintUse::Invalid);
    REQUIRE(other->report.pathHintError);
    CHECK(other->report.pathHintError->rule == "3.2 step 24 trust_chain");
}

TEST_CASE("peer_trust_chain: accepted when it begins at this OP and ends at the same anchor")
{
    Federation f;
    Op op{f};
    RequestSpec spec;
    spec.trustChain = f.rpChain();
    spec.peerTrustChain = f.opChain();
    auto r = op.registerRequest(f.request(spec));
    REQUIRE_MESSAGE(r, r.error().describe());

    SUBCASE("beginning elsewhere")
    {
        RequestSpec bad = spec;
        bad.peerTrustChain = f.rpChain();
        checkError(op.registerRequest(f.request(bad)), ErrorCode::InvalidClaim, "12.2.2 step 6", "peer_trust_chain");
    }
    SUBCASE("ending at an anchor this OP does not accept")
    {
        test::TestFederation elsewhere;
        elsewhere.add("https://ta2.example", test::authorityMetadata("https://ta2.example"));
        elsewhere.add(kOp, Json::object(), {"https://ta2.example"});
        RequestSpec bad;
        bad.peerTrustChain = {elsewhere.entityConfiguration(kOp), elsewhere.subordinateStatement("https://ta2.example", kOp)};
        checkError(op.registerRequest(f.request(bad)), ErrorCode::NoTrustAnchor, "12.2.3 trust_anchor",
                   "peer_trust_chain");
    }
    SUBCASE("a peer chain that does not validate")
    {
        RequestSpec bad = spec;
        test::TestFederation impostor;
        impostor.add(kTa, test::authorityMetadata(kTa));
        impostor.add(kOp, Json::object(), {kTa});
        bad.peerTrustChain = {f.fed.entityConfiguration(kOp), impostor.subordinateStatement(kTa, kOp)};
        auto refused = op.registerRequest(f.request(bad));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().rule == "12.2.2 step 6");
        CHECK(refused.error().claim == "peer_trust_chain");
        CHECK((refused.error().code == ErrorCode::KeyNotFound || refused.error().code == ErrorCode::BadSignature));
    }
}

TEST_CASE("refusals after parsing, each with its spec code")
{
    Federation f;
    Op op{f};
    SUBCASE("an OP that requires a trust chain")
    {
        op.policy.requireTrustChain = true;
        checkError(op.registerRequest(f.request({})), ErrorCode::InvalidArgument, "18.1 require trust chain",
                   "trust_chain");
    }
    SUBCASE("an RP no superior vouches for")
    {
        RequestSpec spec;
        spec.signWithUnvouchedKey = true;
        auto r = op.registerRequest(f.request(spec));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::KeyNotFound);
        CHECK(specErrorCode(r.error().code) == "invalid_trust_chain");
    }
    SUBCASE("a chain to an anchor this OP does not accept")
    {
        op.policy.trustAnchors = {"https://ta2.example"};
        auto r = op.registerRequest(f.request({}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::NoTrustAnchor);
        CHECK(specErrorCode(r.error().code) == "invalid_trust_anchor");
    }
    SUBCASE("metadata against the federation's policy")
    {
        f.imClaims.metadataPolicy =
            json(R"({"openid_relying_party": {"token_endpoint_auth_method": {"one_of": ["private_key_jwt"]}}})");
        f.publish();
        RequestSpec spec;
        Json client = rpClientMetadata();
        client.set("token_endpoint_auth_method", "client_secret_basic");
        spec.metadata = Json::object();
        spec.metadata.set("openid_relying_party", client);
        auto r = op.registerRequest(f.request(spec));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::PolicyViolation);
        CHECK(specErrorCode(r.error().code) == "invalid_metadata");
    }
    SUBCASE("bad redirect URIs")
    {
        RequestSpec spec;
        Json client = rpClientMetadata();
        client.set("redirect_uris", json(R"(["http://rp.example/callback"])"));
        spec.metadata = Json::object();
        spec.metadata.set("openid_relying_party", client);
        auto r = op.registerRequest(f.request(spec));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidRedirectUri);
        CHECK(r.error().claim == "redirect_uris");
        CHECK(specErrorCode(r.error().code) == "invalid_redirect_uri");
    }
    SUBCASE("no client metadata for this OP's type")
    {
        RequestSpec spec;
        spec.metadata = json(R"({"federation_entity": {"organization_name": "RP"}})");
        checkError(op.registerRequest(f.request(spec)), ErrorCode::InvalidClientMetadata, "12.2.1 metadata",
                   "metadata");
    }
    SUBCASE("an OP that supports no such auth method")
    {
        op.policy.tokenEndpointAuthMethodsSupported = {"client_secret_basic"};
        auto r = op.registerRequest(f.request({}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidClientMetadata);
        CHECK(r.error().claim == "token_endpoint_auth_method");
        CHECK(specErrorCode(r.error().code) == "invalid_client_metadata");
    }
}

TEST_CASE("the federation's policy is applied again to what the OP registers")
{
    Federation f;
    f.imClaims.metadataPolicy = json(R"({"openid_relying_party": {"subject_type": {"value": "pairwise"}}})");
    f.publish();
    Op op{f};
    op.policy.defaults = json(R"({"subject_type": "public", "id_token_signed_response_alg": "ES256"})");
    auto r = op.registerRequest(f.request({}));
    REQUIRE_MESSAGE(r, r.error().describe());
    CHECK(*r->clientMetadata.find("subject_type") == Json("pairwise"));
    CHECK(*r->clientMetadata.find("id_token_signed_response_alg") == Json("ES256"));
}
