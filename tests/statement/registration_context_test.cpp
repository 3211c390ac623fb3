// The rules of spec 3.2 that depend on where a statement is read
// (StatementContext): an RP's Entity Configuration sent as an Explicit
// Registration request (3.1.4, 12.2.1, 4.3, 4.4) and the OP's response
// (3.1.5, 12.2.3), table by table; the federation context keeps refusing
// what belongs to registration only.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

const Jwk &testKey()
{
    static const Jwk key = *Jwk::generate(JwsAlgorithm::ES256);
    return key;
}

Json publicJwks()
{
    return JwkSet::fromKeys({testKey()}).value().toJson();
}

std::string sign(const Json &header, const Json &payload)
{
    auto jwt = signJws(header, payload.dump(), testKey());
    REQUIRE(jwt);
    return *jwt;
}

Json requestHeader()
{
    return json(R"({"typ":"entity-statement+jwt"})");
}

Json requestClaims()
{
    Json ec = json(R"({
        "iss": "https://rp.example", "sub": "https://rp.example",
        "iat": 1767790000, "exp": 1767890000, "aud": "https://op.example",
        "authority_hints": ["https://ta.example"],
        "metadata": {"openid_relying_party": {"redirect_uris": ["https://rp.example/cb"]}}})");
    ec.set("jwks", publicJwks());
    return ec;
}

Json responseHeader()
{
    return json(R"({"typ":"explicit-registration-response+jwt"})");
}

Json responseClaims()
{
    Json response = json(R"({
        "iss": "https://op.example", "sub": "https://rp.example", "aud": "https://rp.example",
        "iat": 1767790000, "exp": 1767890000, "trust_anchor": "https://ta.example",
        "authority_hints": ["https://ta.example"],
        "metadata": {"openid_relying_party": {"client_id": "c1", "redirect_uris": ["https://rp.example/cb"]}}})");
    response.set("jwks", publicJwks());
    return response;
}

struct Row {
    const char *name;
    std::function<void(Json &header, Json &claims)> change;
    ErrorCode code;
    const char *claim;
    const char *rule;  ///< nullptr: not checked
};

void runRows(const std::vector<Row> &rows, Json (*header)(), Json (*claims)(), StatementContext context)
{
    for (const Row &row : rows) {
        INFO(std::string(row.name));
        Json h = header();
        Json c = claims();
        row.change(h, c);
        auto parsed = EntityStatement::parse(sign(h, c), {}, context);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == row.code);
        CHECK(parsed.error().claim == row.claim);
        if (row.rule)
            CHECK(parsed.error().rule == row.rule);
    }
}

} // namespace

TEST_CASE("a registration request EC parses in its context: aud and the chain headers are kept")
{
    Json header = requestHeader();
    header.set("trust_chain", json(R"(["a.b.c", "d.e.f"])"));
    header.set("peer_trust_chain", json(R"(["g.h.i"])"));
    auto parsed = EntityStatement::parse(sign(header, requestClaims()), {}, StatementContext::RegistrationRequest);
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK(parsed->audience() == "https://op.example");
    CHECK(parsed->trustChainHeader() == std::vector<std::string>{"a.b.c", "d.e.f"});
    CHECK(parsed->peerTrustChainHeader() == std::vector<std::string>{"g.h.i"});
    CHECK(parsed->context() == StatementContext::RegistrationRequest);

    // An array of exactly one audience is a single value too.
    Json claims = requestClaims();
    claims.set("aud", json(R"(["https://op.example"])"));
    auto single = EntityStatement::parse(sign(requestHeader(), claims), {}, StatementContext::RegistrationRequest);
    REQUIRE_MESSAGE(single, single.error().describe());
    CHECK(single->audience() == "https://op.example");
}

TEST_CASE("the federation context keeps refusing aud and the chain headers (3.2, 4.3, 4.4)")
{
    auto withAud = EntityStatement::parse(sign(requestHeader(), requestClaims()));
    REQUIRE_FALSE(withAud);
    CHECK(withAud.error().code == ErrorCode::ClaimNotAllowed);
    CHECK(withAud.error().claim == "aud");

    Json claims = requestClaims();
    claims.erase("aud");
    for (const char *name : {"trust_chain", "peer_trust_chain"}) {
        CAPTURE(name);
        Json header = requestHeader();
        header.set(name, json(R"(["a.b.c"])"));
        auto parsed = EntityStatement::parse(sign(header, claims));
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::ClaimNotAllowed);
        CHECK(parsed.error().claim == name);
    }
    // Without them the same EC is an ordinary one, with no audience.
    auto plain = EntityStatement::parse(sign(requestHeader(), claims));
    REQUIRE_MESSAGE(plain, plain.error().describe());
    CHECK(plain->audience().empty());
    CHECK(plain->context() == StatementContext::Federation);
}

TEST_CASE("registration request: every context rule refuses with its code, claim and rule")
{
    const std::vector<Row> rows = {
        {"no aud", [](Json &, Json &c) { c.erase("aud"); }, ErrorCode::MissingClaim, "aud", "12.2.1 request"},
        {"multi-valued aud", [](Json &, Json &c) { c.set("aud", json(R"(["https://op.example","https://x.example"])")); },
         ErrorCode::InvalidClaim, "aud", "3.1.4 aud"},
        {"empty aud array", [](Json &, Json &c) { c.set("aud", Json::array()); }, ErrorCode::InvalidClaim, "aud",
         "3.1.4 aud"},
        {"aud not a string", [](Json &, Json &c) { c.set("aud", 7); }, ErrorCode::Malformed, "aud", "3.1.4 aud"},
        {"aud not an entity id", [](Json &, Json &c) { c.set("aud", "op.example"); }, ErrorCode::Malformed, "aud",
         "3.1.4 aud"},
        {"not an EC", [](Json &, Json &c) { c.set("iss", "https://ta.example"); }, ErrorCode::InvalidClaim, "iss",
         "12.2.1 request"},
        {"no authority_hints", [](Json &, Json &c) { c.erase("authority_hints"); }, ErrorCode::MissingClaim,
         "authority_hints", "12.2.1 request"},
        {"no metadata", [](Json &, Json &c) { c.erase("metadata"); }, ErrorCode::MissingClaim, "metadata",
         "12.2.1 request"},
        {"trust_anchor in a request", [](Json &, Json &c) { c.set("trust_anchor", "https://ta.example"); },
         ErrorCode::ClaimNotAllowed, "trust_anchor", nullptr},
        {"metadata_policy in a request",
         [](Json &, Json &c) { c.set("metadata_policy", json(R"({"openid_relying_party":{}})")); },
         ErrorCode::ClaimNotAllowed, "metadata_policy", nullptr},
        {"response typ", [](Json &h, Json &) { h.set("typ", "explicit-registration-response+jwt"); },
         ErrorCode::BadType, "typ", "12.2.1 typ"},
        {"trust_chain not an array", [](Json &h, Json &) { h.set("trust_chain", "a.b.c"); }, ErrorCode::Malformed,
         "trust_chain", "4.3 trust_chain header"},
        {"trust_chain empty", [](Json &h, Json &) { h.set("trust_chain", Json::array()); }, ErrorCode::Malformed,
         "trust_chain", "4.3 trust_chain header"},
        {"trust_chain holds a number", [](Json &h, Json &) { h.set("trust_chain", json("[1]")); },
         ErrorCode::Malformed, "trust_chain", "4.3 trust_chain header"},
        {"peer_trust_chain holds an object", [](Json &h, Json &) { h.set("peer_trust_chain", json("[{}]")); },
         ErrorCode::Malformed, "peer_trust_chain", "4.4 peer_trust_chain header"},
        {"no jwks", [](Json &, Json &c) { c.erase("jwks"); }, ErrorCode::MissingClaim, "jwks", nullptr},
    };
    runRows(rows, requestHeader, requestClaims, StatementContext::RegistrationRequest);
}

TEST_CASE("a registration response parses in its context, jwks optional")
{
    auto parsed = EntityStatement::parse(sign(responseHeader(), responseClaims()), {},
                                         StatementContext::RegistrationResponse);
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK(parsed->audience() == "https://rp.example");
    CHECK(parsed->issuer().str() == "https://op.example");
    CHECK_FALSE(parsed->jwks().empty());

    Json claims = responseClaims();
    claims.erase("jwks");
    auto withoutJwks = EntityStatement::parse(sign(responseHeader(), claims), {}, StatementContext::RegistrationResponse);
    REQUIRE_MESSAGE(withoutJwks, withoutJwks.error().describe());
    CHECK(withoutJwks->jwks().empty());

    // As a plain statement it is refused (its typ first).
    auto plain = EntityStatement::parse(sign(responseHeader(), responseClaims()));
    REQUIRE_FALSE(plain);
    CHECK(plain.error().code == ErrorCode::BadType);
}

TEST_CASE("registration response: every context rule refuses with its code, claim and rule")
{
    const std::vector<Row> rows = {
        {"entity-statement typ", [](Json &h, Json &) { h.set("typ", "entity-statement+jwt"); }, ErrorCode::BadType,
         "typ", "12.2.3 typ"},
        {"trust_chain header", [](Json &h, Json &) { h.set("trust_chain", json(R"(["a.b.c"])")); },
         ErrorCode::ClaimNotAllowed, "trust_chain", nullptr},
        {"iss == sub", [](Json &, Json &c) { c.set("iss", "https://rp.example"); }, ErrorCode::InvalidClaim, "sub",
         "12.2.3 response"},
        {"no aud", [](Json &, Json &c) { c.erase("aud"); }, ErrorCode::MissingClaim, "aud", "12.2.3 response"},
        {"multi-valued aud", [](Json &, Json &c) { c.set("aud", json(R"(["https://rp.example","https://x.example"])")); },
         ErrorCode::InvalidClaim, "aud", "3.1.5 aud"},
        {"no trust_anchor", [](Json &, Json &c) { c.erase("trust_anchor"); }, ErrorCode::MissingClaim, "trust_anchor",
         "12.2.3 response"},
        {"trust_anchor not an entity id", [](Json &, Json &c) { c.set("trust_anchor", "ta"); }, ErrorCode::Malformed,
         "trust_anchor", "3.1.5 trust_anchor"},
        {"no authority_hints", [](Json &, Json &c) { c.erase("authority_hints"); }, ErrorCode::MissingClaim,
         "authority_hints", "12.2.3 response"},
        {"two authority_hints",
         [](Json &, Json &c) { c.set("authority_hints", json(R"(["https://ta.example","https://im.example"])")); },
         ErrorCode::InvalidClaim, "authority_hints", "12.2.3 authority_hints"},
        {"no metadata", [](Json &, Json &c) { c.erase("metadata"); }, ErrorCode::MissingClaim, "metadata",
         "12.2.3 response"},
        {"trust_marks", [](Json &, Json &c) { c.set("trust_marks", Json::array()); }, ErrorCode::ClaimNotAllowed,
         "trust_marks", "12.2.3 response"},
        {"constraints", [](Json &, Json &c) { c.set("constraints", Json::object()); }, ErrorCode::ClaimNotAllowed,
         "constraints", "12.2.3 response"},
        {"a bad jwks when present", [](Json &, Json &c) { c.set("jwks", json(R"({"keys":[]})")); },
         ErrorCode::InvalidClaim, "jwks", "3.2 jwks"},
    };
    runRows(rows, responseHeader, responseClaims, StatementContext::RegistrationResponse);
}
