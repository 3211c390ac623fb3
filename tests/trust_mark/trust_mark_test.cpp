// Trust Mark verification (spec 7.3) and delegation (7.2.2): one table of
// hand-made marks against a small federation with keys generated at run
// time, the spec's Figure 16-27 examples re-signed, and the issuing side.
#include <doctest/doctest.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/base64url.h>
#include <oidfed/statement_issuer.h>
#include <oidfed/jws.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "jose/jws_crypto.h"
#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

constexpr UnixTime kNow = 1767800000;
constexpr const char *kListed = "https://marks.example/listed";    // trust_mark_issuers: [tmi]
constexpr const char *kOpen = "https://marks.example/open";        // trust_mark_issuers: []
constexpr const char *kByAnchor = "https://marks.example/anchor";  // trust_mark_issuers: [ta]
constexpr const char *kOwned = "https://marks.example/owned";      // trust_mark_owners only
constexpr const char *kOwnedListed = "https://marks.example/owned-listed";  // both, issuers: [tmi]
constexpr const char *kUnknown = "https://marks.example/unknown";  // in neither

EntityId id(std::string_view text)
{
    auto parsed = EntityId::parse(text);
    REQUIRE(parsed);
    return *parsed;
}

// A JSON object from name/value pairs (Json::set returns the member, so it
// does not chain).
Json object(std::initializer_list<std::pair<const char *, Json>> members)
{
    Json out = Json::object();
    for (const auto &[name, value] : members)
        out.set(name, value);
    return out;
}

struct Party {
    EntityId id;
    Jwk key;
    JwkSet jwks;
};

Party party(std::string_view entityId)
{
    auto key = Jwk::generate(JwsAlgorithm::ES256);
    REQUIRE(key);
    auto jwks = JwkSet::fromKeys({*key});
    REQUIRE(jwks);
    return Party{id(entityId), *key, *jwks};
}

// A compact JWS over any header and payload, signed through the raw
// primitive so that the header may say anything (no kid, alg none, ...).
std::string craft(const Json &header, const Json &payload, const Jwk &signer)
{
    const std::string input = base64urlEncode(header.dump()) + "." + base64urlEncode(payload.dump());
    auto signature = jose::signBytes(signer, JwsAlgorithm::ES256, input);
    REQUIRE(signature);
    return input + "." + base64urlEncode(*signature);
}

// TA, a listed Trust Mark Issuer, another entity with a valid chain, the
// subject, a Trust Mark Owner, and an entity with no chain at all.
struct World {
    Party ta = party("https://ta.example");
    Party tmi = party("https://tmi.example");
    Party other = party("https://other.example");
    Party rp = party("https://rp.example");
    Party owner = party("https://owner.example");
    Party stranger = party("https://stranger.example");

    Json ownerEntry() const
    {
        Json entry = Json::object();
        entry.set("sub", owner.id.str());
        entry.set("jwks", owner.jwks.toJson());
        return entry;
    }

    TrustMarkAnchor anchor() const
    {
        TrustMarkAnchor a{.entityId = ta.id, .jwks = ta.jwks};
        a.trustMarkIssuers = Json::object();
        a.trustMarkIssuers.set(kListed, Json(Json::Array{tmi.id.str()}));
        a.trustMarkIssuers.set(kOpen, Json::array());
        a.trustMarkIssuers.set(kByAnchor, Json(Json::Array{ta.id.str()}));
        a.trustMarkIssuers.set(kOwnedListed, Json(Json::Array{tmi.id.str()}));
        a.trustMarkOwners = Json::object();
        a.trustMarkOwners.set(kOwned, ownerEntry());
        a.trustMarkOwners.set(kOwnedListed, ownerEntry());
        return a;
    }

    // Issuers with a chain to the TA; anything else has none.
    TrustMarkContext context(int *calls = nullptr) const
    {
        std::map<std::string, JwkSet> chains{{tmi.id.str(), tmi.jwks}, {other.id.str(), other.jwks},
                                             {rp.id.str(), rp.jwks}};
        return TrustMarkContext{
            .anchor = anchor(),
            .now = kNow,
            .clockSkew = std::chrono::seconds(60),
            .issuerKeys = [chains, calls](const EntityId &issuer) -> Result<JwkSet> {
                if (calls)
                    ++*calls;
                auto found = chains.find(issuer.str());
                if (found == chains.end())
                    return fail(ErrorCode::NoValidChain, "no chain from " + issuer.str());
                return found->second;
            },
            .options = {},
        };
    }
};

const World &world()
{
    static const World w;
    return w;
}

// A JWT under construction: header, payload and the key that signs it.
struct Draft {
    Json header;
    Json payload;
    Jwk signer;
};
using Mutation = std::function<void(Draft &)>;

Draft markDraft()
{
    const World &w = world();
    return Draft{object({{"typ", "trust-mark+jwt"}, {"alg", "ES256"}, {"kid", w.tmi.key.kid()}}),
                 object({{"iss", w.tmi.id.str()},
                         {"sub", w.rp.id.str()},
                         {"trust_mark_type", kListed},
                         {"iat", kNow - 100},
                         {"exp", kNow + 1000}}),
                 w.tmi.key};
}

// A valid delegation from the owner to tmi for kOwned, then `mutate`.
std::string delegation(const Mutation &mutate = {})
{
    const World &w = world();
    Draft d{object({{"typ", "trust-mark-delegation+jwt"}, {"alg", "ES256"}, {"kid", w.owner.key.kid()}}),
            object({{"iss", w.owner.id.str()},
                    {"sub", w.tmi.id.str()},
                    {"trust_mark_type", kOwned},
                    {"iat", kNow - 500}}),
            w.owner.key};
    if (mutate)
        mutate(d);
    return craft(d.header, d.payload, d.signer);
}

// The mark moved to kOwned, carrying `delegationJwt`.
Mutation owned(std::string delegationJwt)
{
    return [delegationJwt](Draft &d) {
        d.payload.set("trust_mark_type", kOwned);
        d.payload.set("delegation", delegationJwt);
    };
}

Mutation issuedBy(const Party &p)
{
    return [&p](Draft &d) {
        d.payload.set("iss", p.id.str());
        d.header.set("kid", p.key.kid());
        d.signer = p.key;
    };
}

Mutation ofType(const char *type)
{
    return [type](Draft &d) { d.payload.set("trust_mark_type", type); };
}

Mutation both(Mutation a, Mutation b)
{
    return [a, b](Draft &d) {
        a(d);
        b(d);
    };
}

struct Case {
    const char *name;
    Mutation mutate;
    std::optional<ErrorCode> expected;  ///< nullopt: the mark verifies
    const char *rule = "";              ///< expected rule (prefix) on failure
};

std::vector<Case> cases()
{
    const World &w = world();
    auto erase = [](const char *claim) { return [claim](Draft &d) { d.payload.erase(claim); }; };
    auto header = [](const char *name, Json value) { return [name, value](Draft &d) { d.header.set(name, value); }; };
    auto claim = [](const char *name, Json value) { return [name, value](Draft &d) { d.payload.set(name, value); }; };
    auto renameType = [](const char *oldName) {
        return [oldName](Draft &d) {
            d.payload.set(oldName, kListed);
            d.payload.erase("trust_mark_type");
        };
    };
    return {
        // Issuer policy (17.5) and who may sign.
        {"valid mark by a listed issuer", {}, std::nullopt},
        {"valid mark by the trust anchor itself", both(issuedBy(w.ta), ofType(kByAnchor)), std::nullopt},
        {"empty trust_mark_issuers list: anyone with a chain", both(issuedBy(w.other), ofType(kOpen)), std::nullopt},
        {"empty list, self-signed by the subject", both(issuedBy(w.rp), ofType(kOpen)), std::nullopt},
        {"empty list, but the issuer has no chain", both(issuedBy(w.stranger), ofType(kOpen)),
         ErrorCode::NoValidChain, "7.3 issuer trust"},
        {"issuer not listed for the type", issuedBy(w.other), ErrorCode::NoTrustAnchor, "17.5"},
        {"self-signed mark of a listed type (I01)", issuedBy(w.rp), ErrorCode::NoTrustAnchor, "17.5"},
        {"anchor not listed for a type is not implicitly allowed", issuedBy(w.ta), ErrorCode::NoTrustAnchor, "17.5"},
        {"type unknown to the anchor", ofType(kUnknown), ErrorCode::NoTrustAnchor, "17.5"},
        // Header (7, 7.3 steps 1-3).
        {"typ JWT", header("typ", "JWT"), ErrorCode::BadType, "7.3 step 2"},
        {"typ entity-statement+jwt", header("typ", "entity-statement+jwt"), ErrorCode::BadType, "7.3 step 2"},
        {"typ with media type prefix", header("typ", "application/trust-mark+jwt"), ErrorCode::BadType, "7.3 step 2"},
        {"typ in upper case", header("typ", "TRUST-MARK+JWT"), ErrorCode::BadType, "7.3 step 2"},
        {"typ of a delegation", header("typ", "trust-mark-delegation+jwt"), ErrorCode::BadType, "7.3 step 2"},
        {"typ missing", [](Draft &d) { d.header.erase("typ"); }, ErrorCode::BadType, "7.3 step 2"},
        {"kid missing", [](Draft &d) { d.header.erase("kid"); }, ErrorCode::KeyNotFound, "7 kid"},
        {"kid empty", header("kid", ""), ErrorCode::KeyNotFound, "7 kid"},
        {"alg none", header("alg", "none"), ErrorCode::UnsupportedAlgorithm, "7.3 step 1"},
        {"alg HS256", header("alg", "HS256"), ErrorCode::UnsupportedAlgorithm, "7.3 step 1"},
        // Claims (7.1).
        {"iss missing", erase("iss"), ErrorCode::MissingClaim, "7.1"},
        {"sub missing", erase("sub"), ErrorCode::MissingClaim, "7.1"},
        {"trust_mark_type missing", erase("trust_mark_type"), ErrorCode::MissingClaim, "7.1 trust_mark_type"},
        {"iat missing", erase("iat"), ErrorCode::MissingClaim, "7.1 iat"},
        {"pre-Final claim name id", renameType("id"), ErrorCode::MissingClaim, "7.1 trust_mark_type"},
        {"pre-Final claim name trust_mark_id", renameType("trust_mark_id"), ErrorCode::MissingClaim,
         "7.1 trust_mark_type"},
        {"trust_mark_type not a string", claim("trust_mark_type", 7), ErrorCode::Malformed, "7.1 trust_mark_type"},
        {"trust_mark_type empty", claim("trust_mark_type", ""), ErrorCode::InvalidClaim, "7.1 trust_mark_type"},
        {"iss not an Entity Identifier", claim("iss", "http://tmi.example"), ErrorCode::Malformed, "7.1 iss"},
        {"iat not a number", claim("iat", "yesterday"), ErrorCode::InvalidClaim, "7.1 iat"},
        {"exp before iat", claim("exp", kNow - 200), ErrorCode::InvalidClaim, "7.1 exp"},
        {"delegation not a string", claim("delegation", Json::object()), ErrorCode::Malformed, "7.1 delegation"},
        // Subject and time (7.3 steps 4-6), skew 60 s.
        {"sub is another entity (I02)", claim("sub", "https://other.example"), ErrorCode::InvalidClaim, "7.3 step 4"},
        {"no exp: never expires", erase("exp"), std::nullopt},
        {"exp within the skew", claim("exp", kNow - 59), std::nullopt},
        {"exp at the skew boundary", claim("exp", kNow - 60), ErrorCode::Expired, "7.3 steps 5-6"},
        {"long expired", both(claim("iat", kNow - 2 * 86400), claim("exp", kNow - 86400)), ErrorCode::Expired, "7.3 steps 5-6"},
        {"iat at the skew boundary", claim("iat", kNow + 60), std::nullopt},
        {"iat in the future", claim("iat", kNow + 61), ErrorCode::NotYetValid, "7.3 steps 5-6"},
        // Signature (7.3 step 7).
        {"wrong key with the issuer's kid", [&w](Draft &d) { d.signer = w.other.key; }, ErrorCode::BadSignature,
         "7.3 step 7"},
        {"kid not among the issuer's keys", header("kid", "not-a-key"), ErrorCode::KeyNotFound, "7.3 step 7"},
        {"anchor's mark signed by the issuer's key", both(issuedBy(w.ta), both(ofType(kByAnchor), [&w](Draft &d) {
                                                          d.signer = w.tmi.key;
                                                      })),
         ErrorCode::BadSignature, "7.3 step 7"},
        // Delegation (7.3 steps 8-9, 7.2.2).
        {"owned type without delegation (I06)", ofType(kOwned), ErrorCode::MissingClaim, "7.3 step 8 delegation"},
        {"valid delegation", owned(delegation()), std::nullopt},
        {"valid delegation, issuer listed too", both(owned(delegation([](Draft &d) {
                                                         d.payload.set("trust_mark_type", kOwnedListed);
                                                     })),
                                                     ofType(kOwnedListed)),
         std::nullopt},
        {"delegated issuer not in a non-empty list",
         both(issuedBy(w.other), both(owned(delegation([&w](Draft &d) {
                                          d.payload.set("trust_mark_type", kOwnedListed);
                                          d.payload.set("sub", w.other.id.str());
                                      })),
                                      ofType(kOwnedListed))),
         ErrorCode::NoTrustAnchor, "17.5"},
        {"delegated issuer without a chain",
         both(issuedBy(w.stranger), owned(delegation([&w](Draft &d) { d.payload.set("sub", w.stranger.id.str()); }))),
         ErrorCode::NoValidChain, "7.3 issuer trust"},
        {"delegation typ trust-mark+jwt", owned(delegation([](Draft &d) { d.header.set("typ", "trust-mark+jwt"); })),
         ErrorCode::BadType, "7.2.2 step 2"},
        {"delegation typ missing", owned(delegation([](Draft &d) { d.header.erase("typ"); })), ErrorCode::BadType,
         "7.2.2 step 2"},
        {"delegation kid missing", owned(delegation([](Draft &d) { d.header.erase("kid"); })),
         ErrorCode::KeyNotFound, "7.2.1 kid"},
        {"delegation alg none", owned(delegation([](Draft &d) { d.header.set("alg", "none"); })),
         ErrorCode::UnsupportedAlgorithm, "7.2.2 step 1"},
        {"delegation not a JWS", owned("not.a.jws"), ErrorCode::Malformed, "7.2.2 step 1"},
        {"delegation from another entity, signed by it", owned(delegation([&w](Draft &d) {
             d.payload.set("iss", w.other.id.str());
             d.header.set("kid", w.other.key.kid());
             d.signer = w.other.key;
         })),
         ErrorCode::InvalidClaim, "7.2.2 step 5"},
        {"delegation to another issuer", owned(delegation([&w](Draft &d) { d.payload.set("sub", w.other.id.str()); })),
         ErrorCode::InvalidClaim, "7.2.2 step 4"},
        {"delegation for another type", owned(delegation([](Draft &d) { d.payload.set("trust_mark_type", kOpen); })),
         ErrorCode::InvalidClaim, "7.2.2 step 8"},
        {"delegation trust_mark_id instead of trust_mark_type", owned(delegation([](Draft &d) {
             d.payload.set("trust_mark_id", kOwned);
             d.payload.erase("trust_mark_type");
         })),
         ErrorCode::MissingClaim, "7.2.1 trust_mark_type"},
        {"delegation iat missing", owned(delegation([](Draft &d) { d.payload.erase("iat"); })),
         ErrorCode::MissingClaim, "7.2.1 iat"},
        {"delegation expired", owned(delegation([](Draft &d) {
             d.payload.set("iat", kNow - 7200);
             d.payload.set("exp", kNow - 3600);
         })),
         ErrorCode::Expired, "7.2.2 steps 6-7"},
        {"delegation issued in the future", owned(delegation([](Draft &d) { d.payload.set("iat", kNow + 3600); })),
         ErrorCode::NotYetValid, "7.2.2 steps 6-7"},
        {"delegation signed by a non-owner key with the owner's kid",
         owned(delegation([&w](Draft &d) { d.signer = w.stranger.key; })), ErrorCode::BadSignature,
         "7.2.2 step 9"},
        {"delegation signed by a non-owner key with its own kid", owned(delegation([&w](Draft &d) {
             d.signer = w.stranger.key;
             d.header.set("kid", w.stranger.key.kid());
         })),
         ErrorCode::KeyNotFound, "7.2.2 step 9"},
        {"delegation on a type with no owner", claim("delegation", delegation([](Draft &d) {
                                                    d.payload.set("trust_mark_type", kListed);
                                                })),
         ErrorCode::InvalidClaim, "7.2.2 trust_mark_owners"},
        {"valid delegation, forged mark signature", both(owned(delegation()), [&w](Draft &d) { d.signer = w.other.key; }),
         ErrorCode::BadSignature, "7.3 step 7"},
    };
}

} // namespace

TEST_CASE("7.3: each hand-made mark gets its expected verdict")
{
    const World &w = world();
    const TrustMarkContext ctx = w.context();
    for (const Case &c : cases()) {
        const std::string name = c.name;
        CAPTURE(name);
        Draft d = markDraft();
        if (c.mutate)
            c.mutate(d);
        const std::string jwt = craft(d.header, d.payload, d.signer);
        auto verified = verifyTrustMark(jwt, w.rp.id, ctx);
        if (!c.expected) {
            CHECK_MESSAGE(verified.has_value(), (verified ? "" : verified.error().describe()));
            if (verified) {
                CHECK(verified->jwt == jwt);
                CHECK(verified->trustMarkType == *d.payload.findString("trust_mark_type"));
                CHECK(verified->issuer == *d.payload.findString("iss"));
            }
            continue;
        }
        REQUIRE_MESSAGE(!verified.has_value(), "expected ", errorCodeName(*c.expected));
        const Error &error = verified.error();
        CHECK_MESSAGE(error.code == *c.expected, error.describe());
        CHECK_MESSAGE(error.rule.starts_with(c.rule), error.describe());
        // Errors name the mark's issuer whenever its iss could be read
        // (not when the JWS itself is refused).
        const std::string *iss = d.payload.findString("iss");
        if (iss && !error.rule.starts_with("7.3 step 1"))
            CHECK(error.entityId == *iss);
    }
}

TEST_CASE("7.3: the result's expiry is the earlier of the mark's and the delegation's")
{
    const World &w = world();
    const TrustMarkContext ctx = w.context();
    auto verify = [&](const Mutation &mutate) {
        Draft d = markDraft();
        mutate(d);
        return verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx);
    };
    auto noExp = [](Draft &d) { d.payload.erase("exp"); };

    auto plain = verify([](Draft &) {});
    REQUIRE(plain);
    CHECK(plain->expiresAt == kNow + 1000);

    auto never = verify(noExp);
    REQUIRE(never);
    CHECK(never->expiresAt == -1);

    auto delegatedForever = verify(both(noExp, owned(delegation())));
    REQUIRE(delegatedForever);
    CHECK(delegatedForever->expiresAt == -1);

    auto shortDelegation = owned(delegation([](Draft &d) { d.payload.set("exp", kNow + 10); }));
    auto shortened = verify(shortDelegation);
    REQUIRE(shortened);
    CHECK(shortened->expiresAt == kNow + 10);

    auto onlyDelegation = verify(both(noExp, shortDelegation));
    REQUIRE(onlyDelegation);
    CHECK(onlyDelegation->expiresAt == kNow + 10);
}

TEST_CASE("7.3: an issuer the anchor does not allow costs no key lookup (I08, B02)")
{
    const World &w = world();
    int calls = 0;
    const TrustMarkContext ctx = w.context(&calls);
    auto run = [&](const Mutation &mutate) {
        Draft d = markDraft();
        mutate(d);
        return verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx);
    };
    CHECK(!run(issuedBy(w.other)));
    CHECK(!run(ofType(kUnknown)));
    CHECK(!run(ofType(kOwned)));  // delegation missing
    CHECK(!run([](Draft &d) { d.payload.set("iat", kNow + 3600); }));
    CHECK(calls == 0);
    CHECK(run([](Draft &) {}));
    CHECK(calls == 1);
    CHECK(run(both(issuedBy(w.ta), ofType(kByAnchor))));  // the anchor's own keys
    CHECK(calls == 1);
}

TEST_CASE("17.5: a refused issuer or type says which claim of which Entity Configuration to change")
{
    const World &w = world();
    auto run = [&](const Mutation &mutate) {
        Draft d = markDraft();
        mutate(d);
        return verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, w.context());
    };
    auto notListed = run(issuedBy(w.other));
    REQUIRE(!notListed);
    CHECK(notListed.error().code == ErrorCode::NoTrustAnchor);
    CHECK(notListed.error().rule == "17.5 trust_mark_issuers");
    CHECK(notListed.error().claim == "iss");
    CHECK(notListed.error().entityId == w.other.id.str());
    const std::string &text = notListed.error().message;
    CHECK(text.find("trust mark issuer " + w.other.id.str() + " may not issue " + kListed + " under trust anchor " +
                    w.ta.id.str()) != std::string::npos);
    CHECK(text.find("trust_mark_issuers claim of the trust anchor's Entity Configuration allows only " +
                    w.tmi.id.str()) != std::string::npos);
    CHECK(text.find("adds it to trust_mark_issuers[\"" + std::string(kListed) + "\"]") != std::string::npos);

    auto unknown = run(ofType(kUnknown));
    REQUIRE(!unknown);
    CHECK(unknown.error().code == ErrorCode::NoTrustAnchor);
    CHECK(unknown.error().rule == "17.5 trust_mark_issuers");
    CHECK(unknown.error().claim == "trust_mark_type");
    CHECK(unknown.error().message.find("lists it in neither trust_mark_issuers nor trust_mark_owners") !=
          std::string::npos);
    CHECK(unknown.error().message.find("adds \"" + std::string(kUnknown) + "\" to the trust_mark_issuers claim") !=
          std::string::npos);
}

TEST_CASE("7.3 steps 5-6: an expired mark names the mark and when it expired")
{
    const World &w = world();
    Draft d = markDraft();
    d.payload.set("iat", kNow - 1000);
    d.payload.set("exp", kNow - 110);  // beyond the 60 s skew
    auto expired = verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, w.context());
    REQUIRE(!expired);
    CHECK(expired.error().code == ErrorCode::Expired);
    CHECK(expired.error().claim == "exp");
    CHECK(expired.error().message.find("the trust mark " + std::string(kListed) + " issued by " + w.tmi.id.str() +
                                       " to " + w.rp.id.str() + " expired at 2026-01-07T15:31:30Z, 110 s ago") == 0);
}

TEST_CASE("7 / 7.3 step 2: the typ values a trust framework defines, per trust mark type")
{
    const World &w = world();
    constexpr const char *kFrameworkTyp = "example-framework-mark+jwt";
    auto markTyped = [&](const char *typ, const char *type = kListed) {
        Draft d = markDraft();
        d.header.set("typ", typ);
        d.payload.set("trust_mark_type", type);
        return craft(d.header, d.payload, d.signer);
    };
    TrustMarkContext plain = w.context();
    TrustMarkContext framework = w.context();
    framework.typValues[kListed] = {kFrameworkTyp};
    TrustMarkContext both = w.context();
    both.typValues[kListed] = {kFrameworkTyp, std::string(kTrustMarkType)};

    // Default unchanged: only trust-mark+jwt.
    CHECK(verifyTrustMark(markTyped("trust-mark+jwt"), w.rp.id, plain));
    auto unknownTyp = verifyTrustMark(markTyped(kFrameworkTyp), w.rp.id, plain);
    REQUIRE(!unknownTyp);
    CHECK(unknownTyp.error().code == ErrorCode::BadType);
    CHECK(unknownTyp.error().rule == "7.3 step 2 typ");

    // The framework's value for its type; then trust-mark+jwt is refused for
    // that type unless listed too.
    auto typed = verifyTrustMark(markTyped(kFrameworkTyp), w.rp.id, framework);
    REQUIRE_MESSAGE(typed.has_value(), (typed ? "" : typed.error().describe()));
    CHECK(typed->trustMarkType == kListed);
    auto generic = verifyTrustMark(markTyped("trust-mark+jwt"), w.rp.id, framework);
    REQUIRE(!generic);
    CHECK(generic.error().code == ErrorCode::BadType);
    CHECK(generic.error().rule == "7.3 step 2 typ");
    CHECK(generic.error().claim == "typ");
    CHECK(generic.error().entityId == w.tmi.id.str());
    CHECK(generic.error().message.find(std::string("\"") + kFrameworkTyp + "\"") != std::string::npos);
    CHECK(verifyTrustMark(markTyped("trust-mark+jwt"), w.rp.id, both));
    CHECK(verifyTrustMark(markTyped(kFrameworkTyp), w.rp.id, both));

    // A value defined for one type does not type the marks of another.
    auto otherType = verifyTrustMark(markTyped(kFrameworkTyp, kOpen), w.rp.id, framework);
    REQUIRE(!otherType);
    CHECK(otherType.error().code == ErrorCode::BadType);
    CHECK(otherType.error().rule == "7.3 step 2 typ");
    // Delegations keep their own typ whatever the marks'.
    framework.typValues[kOwned] = {kFrameworkTyp};
    Draft owned = markDraft();
    owned.header.set("typ", kFrameworkTyp);
    owned.payload.set("trust_mark_type", kOwned);
    owned.payload.set("delegation", delegation());
    CHECK(verifyTrustMark(craft(owned.header, owned.payload, owned.signer), w.rp.id, framework));

    // Issued with the framework's typ, the mark carries it and verifies where
    // the framework's value is configured.
    auto issued = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kListed,
                                  .issuedAt = kNow - 5, .typ = kFrameworkTyp},
                                 w.tmi.key);
    REQUIRE_MESSAGE(issued.has_value(), (issued ? "" : issued.error().describe()));
    CHECK(Jws::parse(*issued)->typ() == kFrameworkTyp);
    CHECK(verifyTrustMark(*issued, w.rp.id, framework));
    CHECK(!verifyTrustMark(*issued, w.rp.id, plain));
    CHECK(!decodeTrustMark(*issued));
    TrustMarkTypValues typs{{kListed, {kFrameworkTyp}}};
    auto decoded = decodeTrustMark(*issued, {}, typs);
    REQUIRE(decoded);
    CHECK(decoded->trustMarkType == kListed);
    CHECK(checkTrustMarkSignature(*issued, w.tmi.jwks, {}, typs));
}

TEST_CASE("7.3: without an issuerKeys callback only the anchor can issue")
{
    const World &w = world();
    TrustMarkContext ctx = w.context();
    ctx.issuerKeys = nullptr;
    Draft d = markDraft();
    auto listed = verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx);
    REQUIRE(!listed);
    CHECK(listed.error().code == ErrorCode::NoTrustAnchor);
    CHECK(listed.error().rule == "7.3 issuer trust");
    both(issuedBy(w.ta), ofType(kByAnchor))(d);
    CHECK(verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx));
}

TEST_CASE("7.3: a mark is for the entity whose configuration carries it")
{
    const World &w = world();
    Draft d = markDraft();
    const std::string jwt = craft(d.header, d.payload, d.signer);
    CHECK(verifyTrustMark(jwt, w.rp.id, w.context()));
    auto elsewhere = verifyTrustMark(jwt, w.other.id, w.context());
    REQUIRE(!elsewhere);
    CHECK(elsewhere.error().code == ErrorCode::InvalidClaim);
    CHECK(elsewhere.error().claim == "sub");
}

TEST_CASE("7.3: garbage is rejected before anything else, without an entity")
{
    const World &w = world();
    for (const char *jwt : {"", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30."}) {
        CAPTURE(jwt);
        auto verified = verifyTrustMark(jwt, w.rp.id, w.context());
        REQUIRE(!verified);
        CHECK(verified.error().rule.starts_with("7.3 step 1"));
        CHECK(verified.error().entityId.empty());
    }
}

TEST_CASE("7.2.2: checkTrustMarkDelegation on its own")
{
    const World &w = world();
    const TrustMarkContext ctx = w.context();
    auto expiry = checkTrustMarkDelegation(delegation([](Draft &d) { d.payload.set("exp", kNow + 77); }), w.tmi.id,
                                           kOwned, ctx);
    REQUIRE(expiry);
    CHECK(*expiry == kNow + 77);
    auto noExp = checkTrustMarkDelegation(delegation(), w.tmi.id, kOwned, ctx);
    REQUIRE(noExp);
    CHECK(*noExp == -1);

    auto wrongIssuer = checkTrustMarkDelegation(delegation(), w.other.id, kOwned, ctx);
    REQUIRE(!wrongIssuer);
    CHECK(wrongIssuer.error().code == ErrorCode::InvalidClaim);
    CHECK(wrongIssuer.error().entityId == w.other.id.str());

    auto wrongType = checkTrustMarkDelegation(delegation(), w.tmi.id, kOwnedListed, ctx);
    REQUIRE(!wrongType);
    CHECK(wrongType.error().rule == "7.2.2 step 8 trust_mark_type");

    // Owner keys come only from the anchor's trust_mark_owners.
    TrustMarkContext otherOwner = w.context();
    Json entry = w.ownerEntry();
    entry.set("jwks", w.stranger.jwks.toJson());
    otherOwner.anchor.trustMarkOwners.set(kOwned, entry);
    auto rotated = checkTrustMarkDelegation(delegation(), w.tmi.id, kOwned, otherOwner);
    REQUIRE(!rotated);
    CHECK(rotated.error().code == ErrorCode::KeyNotFound);

    TrustMarkContext badEntry = w.context();
    badEntry.anchor.trustMarkOwners.set(kOwned, json(R"({"sub":"https://owner.example","jwks":{"keys":"x"}})"));
    auto malformed = checkTrustMarkDelegation(delegation(), w.tmi.id, kOwned, badEntry);
    REQUIRE(!malformed);
    CHECK(malformed.error().rule == "7.2.2 trust_mark_owners");
}

TEST_CASE("TrustMarkAnchor::fromConfiguration reads the anchor's verified EC")
{
    const World &w = world();
    EntityConfigurationClaims ec{.entityId = w.ta.id, .issuedAt = kNow - 10, .expiresAt = kNow + 3600, .jwks = w.ta.jwks};
    TrustMarkAnchor expected = w.anchor();
    ec.trustMarkIssuers = expected.trustMarkIssuers;
    ec.trustMarkOwners = expected.trustMarkOwners;
    auto jwt = issueEntityConfiguration(ec, w.ta.key);
    REQUIRE(jwt);
    auto statement = EntityStatement::parse(*jwt);
    REQUIRE(statement);
    TrustMarkAnchor anchor = TrustMarkAnchor::fromConfiguration(*statement);
    CHECK(anchor.entityId == w.ta.id);
    CHECK(anchor.jwks.toJson() == w.ta.jwks.toJson());
    CHECK(anchor.trustMarkIssuers == expected.trustMarkIssuers);
    CHECK(anchor.trustMarkOwners == expected.trustMarkOwners);

    EntityConfigurationClaims bare{.entityId = w.ta.id, .issuedAt = kNow - 10, .expiresAt = kNow + 3600,
                                   .jwks = w.ta.jwks};
    auto bareJwt = issueEntityConfiguration(bare, w.ta.key);
    REQUIRE(bareJwt);
    auto bareStatement = EntityStatement::parse(*bareJwt);
    REQUIRE(bareStatement);
    TrustMarkAnchor none = TrustMarkAnchor::fromConfiguration(*bareStatement);
    CHECK(none.trustMarkIssuers.isNull());
    CHECK(none.trustMarkOwners.isNull());

    // An anchor that names no types recognises no mark.
    TrustMarkContext ctx = w.context();
    ctx.anchor = none;
    Draft d = markDraft();
    auto verified = verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx);
    REQUIRE(!verified);
    CHECK(verified.error().code == ErrorCode::NoTrustAnchor);
}

TEST_CASE("Figure 16: the spec's trust_mark_issuers example as policy")
{
    const World &w = world();
    Json figures = test::loadSharedJson("oidfed-vectors/spec/spec_examples.json");
    const Json *issuers = nullptr;
    for (const Json &f : figures.find("figures")->asArray())
        if (f.find("figure")->asInt() == 16)
            issuers = f.find("json")->find("trust_mark_issuers");
    REQUIRE(issuers);
    const std::string sirtfi = "https://refeds.org/wp-content/uploads/2016/01/Sirtfi-1.0.pdf";
    Party swamid = party("https://swamid.se");

    TrustMarkContext ctx = w.context();
    ctx.anchor.trustMarkIssuers = *issuers;
    ctx.anchor.trustMarkOwners = nullptr;
    ctx.issuerKeys = [&](const EntityId &issuer) -> Result<JwkSet> {
        if (issuer == swamid.id)
            return swamid.jwks;
        if (issuer == w.other.id)
            return w.other.jwks;
        return fail(ErrorCode::NoValidChain, "no chain");
    };
    auto mark = [&](const Party &by, std::string_view type) {
        Draft d = markDraft();
        issuedBy(by)(d);
        d.payload.set("trust_mark_type", type);
        return verifyTrustMark(craft(d.header, d.payload, d.signer), w.rp.id, ctx);
    };
    CHECK(mark(swamid, sirtfi));
    CHECK(mark(w.other, "https://openid.net/certification/op"));  // [] = anyone
    auto notSwamid = mark(w.other, sirtfi);
    REQUIRE(!notSwamid);
    CHECK(notSwamid.error().code == ErrorCode::NoTrustAnchor);
}

TEST_CASE("Figures 18-25, 27: the spec's trust marks, re-signed, verify")
{
    Json figures = test::loadSharedJson("oidfed-vectors/spec/spec_examples.json");
    std::map<std::int64_t, Json> payloads;
    for (const Json &f : figures.find("figures")->asArray()) {
        std::int64_t n = f.find("figure")->asInt();
        if (n >= 19 && n <= 25)
            payloads[n] = *f.find("json");
        if (n == 18 || n == 27) {
            const Json *decoded = f.find("decoded_jwts");
            payloads[n] = decoded ? *decoded->asArray().front().find("payload") : *f.find("json");
        }
    }
    REQUIRE(payloads.size() == 9);
    CHECK(*payloads[18].findString("iss") == "https://www.agid.gov.it");

    for (std::int64_t n : {18, 19, 20, 21, 22, 23, 24}) {
        CAPTURE(n);
        const Json &payload = payloads[n];
        Party issuer = party(*payload.findString("iss"));
        const std::string type = *payload.findString("trust_mark_type");
        EntityId subject = id(*payload.findString("sub"));
        // Figure 23 is self-signed: the federation must allow anyone.
        Json allowed = n == 23 ? Json::array() : Json(Json::Array{issuer.id.str()});
        TrustMarkContext ctx{.anchor = TrustMarkAnchor{.entityId = id("https://ta.example"), .jwks = world().ta.jwks},
                             .now = payload.find("iat")->asInt() + 1,
                             .issuerKeys = [&](const EntityId &iss) -> Result<JwkSet> {
                                 if (iss == issuer.id)
                                     return issuer.jwks;
                                 return fail(ErrorCode::NoValidChain, "no chain");
                             }};
        ctx.anchor.trustMarkIssuers = object({{type.c_str(), allowed}});
        Json header = object({{"typ", "trust-mark+jwt"}, {"alg", "ES256"}, {"kid", issuer.key.kid()}});
        auto verified = verifyTrustMark(craft(header, payload, issuer.key), subject, ctx);
        CHECK_MESSAGE(verified.has_value(), (verified ? "" : verified.error().describe()));
        if (verified)
            CHECK(verified->expiresAt == (payload.contains("exp") ? payload.find("exp")->asInt() : -1));
    }

    // Figure 25 with the delegation of Figure 27, both re-signed.
    const Json &delegationClaims = payloads[27];
    Json mark = payloads[25];
    Party owner = party(*delegationClaims.findString("iss"));
    Party tmi = party(*mark.findString("iss"));
    const std::string type = *mark.findString("trust_mark_type");
    Json delegationHeader =
        object({{"typ", "trust-mark-delegation+jwt"}, {"alg", "ES256"}, {"kid", owner.key.kid()}});
    mark.set("delegation", craft(delegationHeader, delegationClaims, owner.key));
    TrustMarkContext ctx{.anchor = TrustMarkAnchor{.entityId = id("https://ta.example"), .jwks = world().ta.jwks},
                         .now = mark.find("iat")->asInt() + 1,
                         .issuerKeys = [&](const EntityId &iss) -> Result<JwkSet> {
                             if (iss == tmi.id)
                                 return tmi.jwks;
                             return fail(ErrorCode::NoValidChain, "no chain");
                         }};
    ctx.anchor.trustMarkOwners =
        object({{type.c_str(), object({{"sub", owner.id.str()}, {"jwks", owner.jwks.toJson()}})}});
    Json header = object({{"typ", "trust-mark+jwt"}, {"alg", "ES256"}, {"kid", tmi.key.kid()}});
    const std::string jwt = craft(header, mark, tmi.key);
    auto verified = verifyTrustMark(jwt, id(*mark.findString("sub")), ctx);
    REQUIRE_MESSAGE(verified.has_value(), (verified ? "" : verified.error().describe()));
    CHECK(verified->expiresAt == mark.find("exp")->asInt());
    // The spec's example is only valid until its exp (with the skew).
    ctx.now = mark.find("exp")->asInt() + 60;
    auto late = verifyTrustMark(jwt, id(*mark.findString("sub")), ctx);
    REQUIRE(!late);
    CHECK(late.error().code == ErrorCode::Expired);
}

TEST_CASE("Issuing: marks and delegations that oidfed signs, oidfed verifies")
{
    const World &w = world();
    auto delegated = issueTrustMarkDelegation(
        {.owner = w.owner.id, .issuer = w.tmi.id, .trustMarkType = kOwned, .issuedAt = kNow - 5,
         .expiresAt = kNow + 500, .extraClaims = json(R"({"ref":"https://owner.example/rules"})")},
        w.owner.key);
    REQUIRE_MESSAGE(delegated.has_value(), (delegated ? "" : delegated.error().describe()));
    auto issued = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kOwned,
                                  .issuedAt = kNow - 5, .delegation = *delegated,
                                  .extraClaims = json(R"({"logo_uri":"https://tmi.example/logo.svg"})")},
                                 w.tmi.key);
    REQUIRE_MESSAGE(issued.has_value(), (issued ? "" : issued.error().describe()));
    auto verified = verifyTrustMark(*issued, w.rp.id, w.context());
    REQUIRE_MESSAGE(verified.has_value(), (verified ? "" : verified.error().describe()));
    CHECK(verified->expiresAt == kNow + 500);

    auto jws = Jws::parse(*issued);
    REQUIRE(jws);
    CHECK(jws->typ() == kTrustMarkType);
    CHECK(jws->kid() == w.tmi.key.kid());
    auto delegationJws = Jws::parse(*delegated);
    REQUIRE(delegationJws);
    CHECK(delegationJws->typ() == kTrustMarkDelegationType);

    SUBCASE("a plain mark without exp")
    {
        auto plain = issueTrustMark(
            {.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kListed, .issuedAt = kNow}, w.tmi.key);
        REQUIRE(plain);
        auto ok = verifyTrustMark(*plain, w.rp.id, w.context());
        REQUIRE(ok);
        CHECK(ok->expiresAt == -1);
        auto payload = Jws::parse(*plain)->payloadJson();
        REQUIRE(payload);
        CHECK(!payload->contains("exp"));
    }
    SUBCASE("an extra claim may not redefine a spec claim")
    {
        auto clash = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kListed,
                                     .issuedAt = kNow, .extraClaims = json(R"({"sub":"https://other.example"})")},
                                    w.tmi.key);
        REQUIRE(!clash);
        CHECK(clash.error().code == ErrorCode::InvalidArgument);
    }
    SUBCASE("the issuing side refuses what a receiver would")
    {
        auto emptyType = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .issuedAt = kNow}, w.tmi.key);
        REQUIRE(!emptyType);
        CHECK(emptyType.error().code == ErrorCode::InvalidClaim);
        auto backwards = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kListed,
                                         .issuedAt = kNow, .expiresAt = kNow - 1},
                                        w.tmi.key);
        REQUIRE(!backwards);
        CHECK(backwards.error().code == ErrorCode::InvalidClaim);
        auto publicOnly = issueTrustMark(
            {.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kListed, .issuedAt = kNow},
            w.tmi.jwks.keys().front());
        CHECK(!publicOnly);
    }
    SUBCASE("an embedded delegation must be for this issuer and type")
    {
        auto otherType = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kOwnedListed,
                                         .issuedAt = kNow, .delegation = *delegated},
                                        w.tmi.key);
        REQUIRE(!otherType);
        CHECK(otherType.error().code == ErrorCode::InvalidClaim);
        CHECK(otherType.error().claim == "delegation");
        auto otherIssuer = issueTrustMark({.issuer = w.other.id, .subject = w.rp.id, .trustMarkType = kOwned,
                                           .issuedAt = kNow, .delegation = *delegated},
                                          w.other.key);
        REQUIRE(!otherIssuer);
        CHECK(otherIssuer.error().code == ErrorCode::InvalidClaim);
        auto notJwt = issueTrustMark({.issuer = w.tmi.id, .subject = w.rp.id, .trustMarkType = kOwned,
                                      .issuedAt = kNow, .delegation = "x.y.z"},
                                     w.tmi.key);
        CHECK(!notJwt);
    }
}
