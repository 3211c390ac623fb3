// Threats of shared/reference/threats.md groups A, C, D and E that reach
// EntityStatement::parse() and that no earlier test asserted at the
// statement level: each row is one hostile statement (signed with a key made
// at run time) and the exact error code, and claim where the rule names one.
// See docs/security.md for the coverage matrix.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_mark.h>

#include "jws_test_support.h"
#include "test_support.h"

using namespace oidfed;
using test::json;
using test::testKeys;

namespace {

const Jwk &signer()
{
    return testKeys().p256;
}

std::string header(const std::string &typ = "\"entity-statement+jwt\"")
{
    return R"({"typ":)" + typ + R"(,"alg":"ES256","kid":")" + signer().kid() + "\"}";
}

std::string jwksText()
{
    return R"({"keys":[)" + signer().toPublicJson().dump() + "]}";
}

// Members of an Entity Configuration of https://leaf.example, as text, so a
// row can repeat a member or write a number JSON libraries would not produce.
std::string ecMembers(const std::string &iss = "https://leaf.example", const std::string &sub = "https://leaf.example")
{
    return R"("iss":")" + iss + R"(","sub":")" + sub + R"(","iat":1767790000,"exp":1767890000,)" +
           R"("authority_hints":["https://ta.example"],"jwks":)" + jwksText();
}

std::string ssMembers()
{
    return R"("iss":"https://ta.example","sub":"https://leaf.example","iat":1767790000,"exp":1767890000,"jwks":)" +
           jwksText();
}

struct Row {
    const char *threat;
    std::string headerText;
    std::string payloadText;
    ErrorCode code;
    const char *claim;  ///< the claim the error names ("" when the rule names none)
};

void checkRows(const std::vector<Row> &rows)
{
    for (const Row &row : rows) {
        CAPTURE(std::string(row.threat));
        CAPTURE(row.payloadText);
        auto parsed =
            EntityStatement::parse(test::craftJws(row.headerText, row.payloadText, signer(), JwsAlgorithm::ES256));
        REQUIRE_FALSE(parsed.has_value());
        CHECK(errorCodeName(parsed.error().code) == errorCodeName(row.code));
        CHECK(parsed.error().claim == row.claim);
    }
}

} // namespace

TEST_CASE("the unmodified base statements parse (the rows below differ from them in one thing)")
{
    auto ec = EntityStatement::parse(test::craftJws(header(), "{" + ecMembers() + "}", signer(), JwsAlgorithm::ES256));
    REQUIRE_MESSAGE(ec, ec.error().describe());
    CHECK(ec->isEntityConfiguration());
    CHECK(ec->verifySignature(ec->jwks()));
    auto ss = EntityStatement::parse(test::craftJws(header(), "{" + ssMembers() + "}", signer(), JwsAlgorithm::ES256));
    REQUIRE_MESSAGE(ss, ss.error().describe());
}

TEST_CASE("D01: duplicate member names in a signed statement, at every level")
{
    const std::string policy = R"(,"metadata_policy":)";
    checkRows({
        {"D01 sub twice", header(), R"({"sub":"https://b.example",)" + ecMembers() + "}", ErrorCode::Malformed, ""},
        {"D01 iss twice", header(), "{" + ecMembers() + R"(,"iss":"https://b.example"})", ErrorCode::Malformed, ""},
        {"D01 exp twice", header(), "{" + ecMembers() + R"(,"exp":1999999999})", ErrorCode::Malformed, ""},
        {"D01 inside metadata", header(),
         "{" + ecMembers() + R"(,"metadata":{"openid_relying_party":{"client_name":"a","client_name":"b"}}})",
         ErrorCode::Malformed, ""},
        {"D01 metadata_policy level 1 (entity type)", header(),
         "{" + ssMembers() + policy +
             R"({"openid_relying_party":{"scope":{"value":"a"}},"openid_relying_party":{"scope":{"value":"b"}}}})",
         ErrorCode::Malformed, ""},
        {"D01 metadata_policy level 2 (parameter)", header(),
         "{" + ssMembers() + policy + R"({"openid_relying_party":{"scope":{"value":"a"},"scope":{"value":"b"}}}})",
         ErrorCode::Malformed, ""},
        {"D01 metadata_policy level 3 (operator)", header(),
         "{" + ssMembers() + policy + R"({"openid_relying_party":{"scope":{"value":"a","value":"b"}}}})",
         ErrorCode::Malformed, ""},
        {"D01 duplicate header member", R"({"typ":"entity-statement+jwt","alg":"ES256","alg":"ES256","kid":")" +
                                            signer().kid() + "\"}",
         "{" + ecMembers() + "}", ErrorCode::Malformed, ""},
    });
}

TEST_CASE("D03, D04, D06: numbers, NUL and JSON types of claims")
{
    const std::string nulId = R"(https://leaf.example\u0000.attacker)";
    checkRows({
        {"D03 exp 1e400 (outside double range)", header(),
         R"({"iss":"https://leaf.example","sub":"https://leaf.example","iat":1767790000,"exp":1e400,"jwks":)" +
             jwksText() + "}",
         ErrorCode::Malformed, ""},
        {"D03 exp after the year 9999", header(),
         R"({"iss":"https://leaf.example","sub":"https://leaf.example","iat":1767790000,"exp":1e20,"jwks":)" +
             jwksText() + "}",
         ErrorCode::InvalidClaim, "exp"},
        {"D03 iat negative", header(),
         R"({"iss":"https://leaf.example","sub":"https://leaf.example","iat":-1,"exp":1767890000,"jwks":)" +
             jwksText() + "}",
         ErrorCode::InvalidClaim, "iat"},
        {"D03 iat null", header(),
         R"({"iss":"https://leaf.example","sub":"https://leaf.example","iat":null,"exp":1767890000,"jwks":)" +
             jwksText() + "}",
         ErrorCode::InvalidClaim, "iat"},
        {"D04 NUL inside iss and sub", header(), "{" + ecMembers(nulId, nulId) + "}", ErrorCode::Malformed, "iss"},
        {"D04 NUL inside sub only", header(), "{" + ecMembers("https://leaf.example", nulId) + "}",
         ErrorCode::Malformed, "sub"},
        {"D06 sub a number", header(),
         R"({"iss":"https://leaf.example","sub":1,"iat":1767790000,"exp":1767890000,"jwks":)" + jwksText() + "}",
         ErrorCode::Malformed, "sub"},
        {"D06 jwks an array", header(),
         R"({"iss":"https://leaf.example","sub":"https://leaf.example","iat":1767790000,"exp":1767890000,"jwks":[]})",
         ErrorCode::Malformed, "jwks"},
        {"D06 metadata of a type is a string", header(),
         "{" + ecMembers() + R"(,"metadata":{"openid_provider":"https://op.example"}})", ErrorCode::Malformed,
         "metadata"},
        {"D06 authority_hints an object", header(), R"({"authority_hints":{"a":"https://ta.example"},)" +
                                                        ecMembers().substr(ecMembers().find("\"iss\"")) + "}",
         ErrorCode::Malformed, ""},
    });
}

TEST_CASE("A06, A07: Entity Identifiers in iss, sub and authority_hints")
{
    std::vector<Row> rows;
    for (const char *bad : {"http://leaf.example", "https://leaf.example#f", "https://user:pw@leaf.example",
                            "https://leaf.example:0", "https://leaf.example:99999", "https:///path",
                            "https://[fe80::1%25eth0]", "file:///etc/passwd", "https://leaf.example?x=1"}) {
        rows.push_back({bad, header(), "{" + ecMembers(bad, bad) + "}", ErrorCode::Malformed, "iss"});
    }
    // A hint that is not an https Entity Identifier rejects the statement
    // (A06: never fetched).
    for (const char *hint : {"http://ta.example", "gopher://ta.example", "https://ta.example#x"}) {
        std::string members = ecMembers();
        const std::string good = R"("authority_hints":["https://ta.example"])";
        members.replace(members.find(good), good.size(), std::string(R"("authority_hints":[")") + hint + "\"]");
        rows.push_back({hint, header(), "{" + members + "}", ErrorCode::Malformed, "authority_hints"});
    }
    checkRows(rows);
}

TEST_CASE("C06, C11: the statement's own jwks")
{
    auto generated = Jwk::generate(JwsAlgorithm::ES384);
    REQUIRE(generated);
    Json withD = json(generated->toPrivateJson().dump());
    const std::string base = R"("iss":"https://leaf.example","sub":"https://leaf.example","iat":1767790000,"exp":1767890000,)";
    const std::string sameKid = signer().toPublicJson().dump();
    Json other = testKeys().p384.toPublicJson();
    other.set("kid", signer().kid());
    checkRows({
        {"C06 two keys with one kid", header(),
         "{" + base + R"("jwks":{"keys":[)" + sameKid + "," + other.dump() + "]}}", ErrorCode::InvalidKey, "jwks"},
        {"C11 a private key (d) in jwks", header(),
         "{" + base + R"("jwks":{"keys":[)" + sameKid + "," + withD.dump() + "]}}", ErrorCode::InvalidKey, "jwks"},
        {"C11 kty oct next to a good key", header(),
         "{" + base + R"("jwks":{"keys":[)" + sameKid + R"(,{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}})",
         ErrorCode::InvalidKey, "jwks"},
    });
}

TEST_CASE("C14, C16: crit and typ at the statement level")
{
    const std::string kid = signer().kid();
    checkRows({
        {"C16 typ in upper case", header("\"ENTITY-STATEMENT+JWT\""), "{" + ecMembers() + "}", ErrorCode::BadType,
         "typ"},
        {"C16 typ with a leading space", header("\" entity-statement+jwt\""), "{" + ecMembers() + "}",
         ErrorCode::BadType, "typ"},
        {"C16 typ an array", header(R"(["entity-statement+jwt"])"), "{" + ecMembers() + "}", ErrorCode::BadType,
         "typ"},
        {"C16 typ null", header("null"), "{" + ecMembers() + "}", ErrorCode::BadType, "typ"},
        {"C14 crit header naming exp", R"({"typ":"entity-statement+jwt","alg":"ES256","kid":")" + kid +
                                           R"(","crit":["exp"],"exp":1})",
         "{" + ecMembers() + "}", ErrorCode::UnknownCritical, "crit"},
        {"C15 b64 false", R"({"typ":"entity-statement+jwt","alg":"ES256","kid":")" + kid +
                              R"(","b64":false,"crit":["b64"]})",
         "{" + ecMembers() + "}", ErrorCode::UnknownCritical, "crit"},
        {"C24 zip", R"({"typ":"entity-statement+jwt","alg":"ES256","kid":")" + kid + R"(","zip":"DEF"})",
         "{" + ecMembers() + "}", ErrorCode::UnknownCritical, "zip"},
    });
}

TEST_CASE("C17: JWTs of other kinds, signed by the same federation key, are never statements")
{
    auto leaf = *EntityId::parse("https://leaf.example");
    // A real Trust Mark issued by oidfed with the entity's own key.
    TrustMarkClaims claims{.issuer = leaf, .subject = leaf};
    claims.trustMarkType = "https://tm.example/a";
    claims.issuedAt = 1767790000;
    auto mark = issueTrustMark(claims, signer());
    REQUIRE_MESSAGE(mark, mark.error().describe());
    auto asStatement = EntityStatement::parse(*mark);
    REQUIRE_FALSE(asStatement);
    CHECK(asStatement.error().code == ErrorCode::BadType);
    CHECK(asStatement.error().claim == "typ");

    // Each other typ the spec defines, over a complete EC payload.
    for (const char *typ : {"trust-mark-delegation+jwt", "resolve-response+jwt", "jwk-set+jwt",
                            "trust-mark-status-response+jwt", "explicit-registration-response+jwt",
                            "entity-statement+jwt+jwt", "entity-statement"}) {
        CAPTURE(typ);
        Json h = Json::object();
        h.set("typ", typ);
        auto jwt = signJws(h, "{" + ecMembers() + "}", signer());
        REQUIRE(jwt);
        auto parsed = EntityStatement::parse(*jwt);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::BadType);
    }
}

TEST_CASE("D04: a kid with a NUL is matched exactly, never as a C string prefix")
{
    const std::string kid = signer().kid();
    const std::string h = R"({"typ":"entity-statement+jwt","alg":"ES256","kid":")" + kid + R"(\u0000evil"})";
    auto parsed = EntityStatement::parse(test::craftJws(h, "{" + ecMembers() + "}", signer(), JwsAlgorithm::ES256));
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    auto verified = parsed->verifySignature(parsed->jwks());
    REQUIRE_FALSE(verified);
    CHECK(verified.error().code == ErrorCode::KeyNotFound);
}

TEST_CASE("G02: a trust anchor pin needs keys; a pin without usable keys is refused")
{
    const std::string key = signer().toPublicJson().dump();
    struct PinRow {
        const char *what;
        std::string pin;
        ErrorCode code;
    };
    for (const PinRow &row : {
             PinRow{"no jwks", R"({"entity_id":"https://ta.example"})", ErrorCode::Malformed},
             PinRow{"jwks without keys", R"({"entity_id":"https://ta.example","jwks":{"keys":[]}})",
                    ErrorCode::InvalidKey},
             PinRow{"a symmetric key", R"({"entity_id":"https://ta.example","jwks":{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}})",
                    ErrorCode::InvalidKey},
             PinRow{"an http entity id", R"({"entity_id":"http://ta.example","jwks":{"keys":[)" + key + "]}}",
                    ErrorCode::Malformed},
             PinRow{"the same anchor twice", R"([{"entity_id":"https://ta.example","jwks":{"keys":[)" + key +
                                                R"(]}},{"entity_id":"https://ta.example","jwks":{"keys":[)" + key +
                                                "]}}]",
                    ErrorCode::InvalidArgument},
         }) {
        CAPTURE(std::string(row.what));
        auto anchors = parseTrustAnchors(json(row.pin));
        REQUIRE_FALSE(anchors);
        CHECK(errorCodeName(anchors.error().code) == errorCodeName(row.code));
    }
    auto good = parseTrustAnchors(json(R"({"entity_id":"https://ta.example","jwks":{"keys":[)" + key + "]}}"));
    REQUIRE(good);
    CHECK(good->size() == 1);
}
