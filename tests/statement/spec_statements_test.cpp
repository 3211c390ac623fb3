// The spec's own statements: the signed Figure 4 chain, and every Entity
// Statement claims set printed in the spec's figures.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

std::vector<EntityStatement> parseChain(const Json &jwts)
{
    std::vector<EntityStatement> chain;
    for (const Json &jwt : jwts.asArray()) {
        auto statement = EntityStatement::parse(jwt.asString());
        REQUIRE_MESSAGE(statement, statement.error().describe());
        chain.push_back(std::move(statement).value());
    }
    return chain;
}

// Verifies ES[0] with its own keys, ES[j] with ES[j+1].jwks, and the last
// statement with the configured anchor keys; checks iss/sub linkage, the
// authority hint and every validity period. Returns the first failure.
Result<void> verifyChain(const std::vector<EntityStatement> &chain, const JwkSet &anchorKeys, const std::string &anchorId,
                         UnixTime now)
{
    for (const auto &statement : chain)
        OIDFED_TRY_VOID(statement.checkValidityPeriod(now, 0));
    OIDFED_TRY_VOID(chain[0].verifySignature(chain[0].jwks()));
    for (std::size_t j = 0; j + 1 < chain.size(); ++j) {
        if (!(chain[j].issuer() == chain[j + 1].subject()))
            return fail(ErrorCode::InvalidClaim, "ES[j].iss != ES[j+1].sub");
        OIDFED_TRY_VOID(chain[j].verifySignature(chain[j + 1].jwks()));
    }
    const EntityStatement &last = chain.back();
    if (last.issuer().str() != anchorId)
        return fail(ErrorCode::NoTrustAnchor, "chain does not end at the configured trust anchor");
    OIDFED_TRY_VOID(last.verifySignature(anchorKeys));
    if (chain.size() > 1 && !chain[1].isEntityConfiguration())
        OIDFED_TRY_VOID(checkIssuerIsAuthorityHint(chain[1], chain[0]));
    return ok();
}

} // namespace

TEST_CASE("Figure 4: every case of the signed trust chain gets its expected verdict")
{
    Json vectors = test::loadSharedJson("oidfed-vectors/spec/trust_chain_signed.json");
    const Json &meta = *vectors.find("meta");
    int cases = 0;
    for (const Json &c : vectors.find("cases")->asArray()) {
        const std::string &name = c.find("name")->asString();
        CAPTURE(name);
        const Json &anchor = c.contains("configured_trust_anchor") ? *c.find("configured_trust_anchor")
                                                                    : *meta.find("configured_trust_anchor");
        auto anchorKeys = JwkSet::fromJson(*anchor.find("jwks"));
        REQUIRE(anchorKeys);
        UnixTime now = c.find("now")->asInt();
        bool expectValid = c.find("expected")->asString() == "valid";

        // Tampered payloads may break parsing itself; that is a rejection too.
        std::vector<EntityStatement> chain;
        bool parsed = true;
        for (const Json &jwt : c.find("trust_chain")->asArray()) {
            auto statement = EntityStatement::parse(jwt.asString());
            if (!statement) {
                parsed = false;
                break;
            }
            chain.push_back(std::move(statement).value());
        }
        // The vectors put "expired" one second after exp: they assume no leeway.
        bool valid = parsed && verifyChain(chain, *anchorKeys, anchor.find("entity_id")->asString(), now).has_value();
        CHECK(valid == expectValid);
        if (const Json *exp = c.find("expected_chain_exp"); exp && !chain.empty()) {
            UnixTime minExp = chain.front().expiresAt();
            for (const auto &statement : chain)
                minExp = std::min(minExp, statement.expiresAt());
            CHECK(minExp == exp->asInt());
        }
        ++cases;
    }
    CHECK(cases == static_cast<int>(vectors.find("cases")->size()));
    CHECK(cases >= 8);
}

TEST_CASE("Figure 4: statement kinds and the wrong keys")
{
    Json vectors = test::loadSharedJson("oidfed-vectors/spec/trust_chain_signed.json");
    const Json &first = vectors.find("cases")->asArray()[0];
    auto chain = parseChain(*first.find("trust_chain"));
    REQUIRE(chain.size() == 4);
    CHECK(chain[0].isEntityConfiguration());
    CHECK_FALSE(chain[1].isEntityConfiguration());
    CHECK_FALSE(chain[2].isEntityConfiguration());
    CHECK(chain[3].isEntityConfiguration());
    // Each statement fails with any other statement's keys.
    for (std::size_t j = 0; j < chain.size(); ++j)
        for (std::size_t k = 0; k < chain.size(); ++k) {
            bool right = (j == 0 && k == 0) || k == j + 1 || (j == 3 && k == 3);
            CAPTURE(j);
            CAPTURE(k);
            CHECK(chain[j].verifySignature(chain[k].jwks()).has_value() == right);
        }
}

TEST_CASE("every Entity Statement claims set in the spec's figures passes the structural rules")
{
    // Figures whose JSON is an Entity Statement's claims set (iss and sub).
    // Excluded, with the reason:
    //  - 19-25, 27: Trust Marks and a Trust Mark Delegation, not Entity Statements;
    //  - 34: a resolve response; 8: a signed JWK Set;
    //  - 75 and 76: an Explicit Registration request and response, whose aud /
    //    trust_anchor claims are only allowed in that exchange (3.1.4, 3.1.5):
    //    as plain Entity Statements they must be rejected for a
    //    registration-only claim (checked below); in their own context they
    //    parse (the next test).
    const std::map<int, bool> isEntityConfiguration = {
        {2, false},  {6, true},   {7, true},   {18, true},  {29, false}, {47, true},  {48, true}, {56, true},
        {58, true},  {60, false}, {62, true},  {64, false}, {66, true},  {68, false},
    };
    Json examples = test::loadSharedJson("oidfed-vectors/spec/spec_examples.json");
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    int checked = 0;
    int registration = 0;
    for (const Json &figure : examples.find("figures")->asArray()) {
        int number = static_cast<int>(figure.find("figure")->asInt());
        auto it = isEntityConfiguration.find(number);
        if (it == isEntityConfiguration.end() && number != 75 && number != 76)
            continue;
        CAPTURE(number);
        const Json *found = figure.find("json");
        REQUIRE(found);
        Json claims = *found;
        // The figures abbreviate key material ("n": "vHOJrp-zLST7...") so their
        // keys are not real keys, and Figure 18 is an excerpt without jwks;
        // such sets are replaced (or supplied) with a generated key.
        if (const Json *jwks = claims.find("jwks"); !jwks || !JwkSet::fromJson(*jwks))
            claims.set("jwks", JwkSet::fromKeys({*key})->toJson());
        auto jwt = signJws(json(R"({"typ":"entity-statement+jwt"})"), claims.dump(), *key);
        REQUIRE(jwt);
        // Figure 2 marks "jti" and the "regexp" operator critical; a reader
        // that understands them accepts it.
        StatementOptions options;
        options.understoodCriticalClaims = {"jti"};
        options.understoodPolicyOperators = {"regexp"};
        auto statement = EntityStatement::parse(*jwt, options);
        if (number == 75 || number == 76) {
            REQUIRE_FALSE(statement);
            CHECK(statement.error().code == ErrorCode::ClaimNotAllowed);
            // 75 (iss == sub) fails on aud; 76 (iss != sub) first on its
            // authority_hints, which a Subordinate Statement must not carry.
            CHECK(statement.error().claim == (number == 75 ? "aud" : "authority_hints"));
            ++registration;
            continue;
        }
        REQUIRE_MESSAGE(statement, statement.error().describe());
        CHECK(statement->isEntityConfiguration() == it->second);
        ++checked;
    }
    CHECK(checked == static_cast<int>(isEntityConfiguration.size()));
    CHECK(registration == 2);
}

TEST_CASE("Figures 75 and 76 parse in the Explicit Registration contexts, and only there")
{
    Json examples = test::loadSharedJson("oidfed-vectors/spec/spec_examples.json");
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    int seen = 0;
    for (const Json &figure : examples.find("figures")->asArray()) {
        int number = static_cast<int>(figure.find("figure")->asInt());
        if (number != 75 && number != 76)
            continue;
        CAPTURE(number);
        Json claims = *figure.find("json");
        // The figures' RSA keys are abbreviated ("n": "4AZjgq...K..."): a
        // generated key stands in for them (76's copy of the RP's jwks too).
        claims.set("jwks", JwkSet::fromKeys({*key})->toJson());
        const bool request = number == 75;
        const std::string typ = request ? "entity-statement+jwt" : "explicit-registration-response+jwt";
        auto jwt = signJws(json(R"({"typ":")" + typ + R"("})"), claims.dump(), *key);
        REQUIRE(jwt);
        const StatementContext context =
            request ? StatementContext::RegistrationRequest : StatementContext::RegistrationResponse;
        auto statement = EntityStatement::parse(*jwt, {}, context);
        REQUIRE_MESSAGE(statement, statement.error().describe());
        CHECK(statement->context() == context);
        CHECK(statement->subject().str() == "https://wiki.ligo.org");
        CHECK(statement->audience() == (request ? "https://op.umu.se" : "https://wiki.ligo.org"));
        CHECK(statement->isEntityConfiguration() == request);
        REQUIRE(statement->authorityHints().size() == 1);
        CHECK(statement->authorityHints()[0].str() == "https://incommon.org");
        CHECK(statement->verifySignature(JwkSet::fromKeys({*key}).value()));
        if (!request)
            CHECK(*statement->claim("trust_anchor") == Json("https://edugain.geant.org"));
        // The other registration context refuses each of them.
        auto other = EntityStatement::parse(*jwt, {},
                                            request ? StatementContext::RegistrationResponse
                                                    : StatementContext::RegistrationRequest);
        REQUIRE_FALSE(other);
        CHECK(other.error().code == ErrorCode::BadType);
        CHECK(other.error().claim == "typ");
        ++seen;
    }
    CHECK(seen == 2);
}
