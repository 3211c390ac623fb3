// libFuzzer target: Entity Statement parsing with every structural rule of
// spec 3.2 (include/oidfed/entity_statement.h), then signature and validity
// period checks.
//
// Each input is tried twice: as a compact JWS, and as the JSON text of the
// claims inside an otherwise fixed, well-formed JWS (typ, alg and kid set),
// so that mutations reach the claim rules without having to survive
// base64url.
//
// Invariants on an accepted statement: compact() is the input; the header
// has the Entity Statement typ and a kid; iss and sub are canonical Entity
// Identifiers equal to the claims; iat <= exp; the jwks is non-empty, holds
// public keys with distinct non-empty kids; only an Entity Configuration has
// authority_hints; entityTypes() lists the metadata members; and the
// signature and validity checks fail only with their documented codes, the
// validity check exactly when the period rule says so.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <oidfed/base64url.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>

#include "fuzz_support.h"

using oidfed::EntityId;
using oidfed::EntityStatement;
using oidfed::ErrorCode;
using oidfed::fuzz::check;

namespace {

/// The "now" of the Figure 4 chain of ../shared (trust_chain_signed.json),
/// and the resolver's default clock skew.
constexpr oidfed::UnixTime kNow = 1767800000;
constexpr std::int64_t kSkew = 60;

void checkCanonicalEntityId(const EntityId &id, const std::string *claim)
{
    check(claim && *claim == id.str(), "iss and sub are the claims' strings");
    auto again = EntityId::parse(id.str());
    check(again.has_value() && *again == id, "an accepted Entity Identifier parses back to itself");
}

void checkAccepted(const EntityStatement &statement, std::string_view input)
{
    check(statement.compact() == input, "compact() is exactly the input");
    check(statement.jws().typ() == oidfed::kEntityStatementType, "the typ is entity-statement+jwt");
    check(!statement.jws().kid().empty(), "the header has a kid");
    checkCanonicalEntityId(statement.issuer(), statement.claims().findString("iss"));
    checkCanonicalEntityId(statement.subject(), statement.claims().findString("sub"));
    check(statement.isEntityConfiguration() == (statement.issuer() == statement.subject()),
          "an Entity Configuration is exactly a statement with iss == sub");
    check(statement.issuedAt() <= statement.expiresAt(), "iat <= exp");

    check(!statement.jwks().empty(), "the jwks holds at least one key");
    for (const oidfed::Jwk &key : statement.jwks().keys()) {
        check(!key.kid().empty() && !key.hasPrivate(), "jwks keys are public, with a kid");
        check(statement.jwks().find(key.kid()) == &key, "jwks kids are distinct");
    }
    if (!statement.isEntityConfiguration())
        check(statement.authorityHints().empty(), "only an Entity Configuration has authority_hints");

    const auto types = statement.entityTypes();
    const oidfed::Json *metadata = statement.claim("metadata");
    check(types.size() == (metadata ? metadata->size() : 0), "entityTypes() lists every metadata member");
    for (const std::string &type : types)
        check(metadata->find(type) != nullptr, "entityTypes() lists metadata members only");

    for (const oidfed::JwkSet *keys : {&statement.jwks(), &oidfed::fuzz::fixedKeys()}) {
        auto verified = statement.verifySignature(*keys);
        if (!verified) {
            const auto code = verified.error().code;
            check(code == ErrorCode::KeyNotFound || code == ErrorCode::InvalidKey || code == ErrorCode::BadSignature,
                  "verifySignature() fails with KeyNotFound, InvalidKey or BadSignature only");
        }
    }

    auto valid = statement.checkValidityPeriod(kNow, kSkew);
    const bool inPeriod = statement.issuedAt() <= kNow + kSkew && kNow < statement.expiresAt() + kSkew;
    check(valid.has_value() == inPeriod,
          "checkValidityPeriod() succeeds exactly when iat <= now + skew and now < exp + skew");
    if (!valid)
        check(valid.error().code == ErrorCode::NotYetValid || valid.error().code == ErrorCode::Expired,
              "checkValidityPeriod() fails with NotYetValid or Expired only");
}

void parseOne(std::string_view input)
{
    auto statement = EntityStatement::parse(input);
    if (statement)
        checkAccepted(*statement, input);
    else
        check(statement.error().code != ErrorCode::Internal, "parsing never fails with Internal");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input = oidfed::fuzz::asText(data, size);
    parseOne(input);

    // The input as the claims of a JWS whose header passes every header rule.
    static const std::string header = [] {
        oidfed::Json fields = oidfed::Json::object();
        fields.set("typ", oidfed::kEntityStatementType);
        fields.set("alg", "RS256");
        fields.set("kid", oidfed::fuzz::fixedKeys().keys().front().kid());
        return oidfed::base64urlEncode(fields.dump());
    }();
    static const std::string signature = oidfed::base64urlEncode(std::string(256, '\x01'));
    parseOne(header + "." + oidfed::base64urlEncode(input) + "." + signature);
    return 0;
}
