// The verification memo: a statement verified once with a key is not
// verified again until it expires, and nothing else passes for it.
#include <doctest/doctest.h>

#include <oidfed/base64url.h>
#include <oidfed/entity_statement.h>

#include "chain/verification_memo.h"
#include "test_federation.h"
#include "test_support.h"

using namespace oidfed;

TEST_CASE("verified once, then answered from memory until exp; any changed byte is verified afresh")
{
    test::TestFederation fed;
    fed.add("https://ta.example", test::authorityMetadata("https://ta.example"));
    fed.add("https://im.example", test::authorityMetadata("https://im.example"), {"https://ta.example"});
    auto statement = EntityStatement::parse(fed.subordinateStatement("https://ta.example", "https://im.example"));
    REQUIRE(statement);
    const JwkSet &taKeys = fed.entity("https://ta.example").jwks;
    const UnixTime now = fed.iat() + 10;

    detail::VerificationMemo memo(16);
    CHECK(memo.verify(*statement, taKeys, now).has_value());
    CHECK(memo.hits() == 0);
    CHECK(memo.verify(*statement, taKeys, now).has_value());
    CHECK(memo.hits() == 1);

    // Same header and signature, another payload: a different entry, and the
    // signature check rejects it.
    std::string compact = statement->compact();
    std::size_t first = compact.find('.'), second = compact.find('.', first + 1);
    Json claims = statement->claims();
    claims.set("sub", "https://evil.example");
    std::string forged = compact.substr(0, first + 1) + base64urlEncode(claims.dump()) + compact.substr(second);
    auto parsedForged = EntityStatement::parse(forged);
    REQUIRE(parsedForged);
    auto rejected = memo.verify(*parsedForged, taKeys, now);
    REQUIRE_FALSE(rejected);
    CHECK(rejected.error().code == ErrorCode::BadSignature);

    // Another key with the same kid is another entry: verified, and refused.
    test::TestFederation other;
    other.add("https://ta.example", Json::object());
    auto impostor = JwkSet::fromKeys({other.entity("https://ta.example").key.withKid(taKeys.keys()[0].kid())});
    REQUIRE(impostor);
    CHECK_FALSE(memo.verify(*statement, *impostor, now).has_value());

    // After exp the memo no longer answers.
    const std::size_t hitsBefore = memo.hits();
    CHECK(memo.verify(*statement, taKeys, fed.exp() + 1).has_value());
    CHECK(memo.hits() == hitsBefore);

    // A kid that is not in the set gets the statement's own precise error.
    auto unrelated = JwkSet::fromKeys({other.entity("https://ta.example").key});
    REQUIRE(unrelated);
    CHECK(memo.verify(*statement, *unrelated, now).error().code == ErrorCode::KeyNotFound);
}

TEST_CASE("the memo stays within its bound")
{
    test::TestFederation fed;
    fed.add("https://ta.example", test::authorityMetadata("https://ta.example"));
    detail::VerificationMemo memo(2);
    std::vector<EntityStatement> statements;
    for (int i = 0; i < 4; ++i) {
        std::string id = "https://leaf" + std::to_string(i) + ".example";
        fed.add(id, Json::object(), {"https://ta.example"});
        statements.push_back(*EntityStatement::parse(fed.subordinateStatement("https://ta.example", id)));
    }
    const JwkSet &keys = fed.entity("https://ta.example").jwks;
    for (const auto &s : statements)
        CHECK(memo.verify(s, keys, fed.iat()).has_value());
    // Only the two most recent are remembered.
    CHECK(memo.verify(statements[3], keys, fed.iat()).has_value());
    CHECK(memo.verify(statements[2], keys, fed.iat()).has_value());
    CHECK(memo.hits() == 2);
    CHECK(memo.verify(statements[0], keys, fed.iat()).has_value());
    CHECK(memo.hits() == 2);
}
