#include "chain/key_mismatch.h"

#include <oidfed/jws_algorithm.h>

#include "statement/statement_name.h"

namespace oidfed::detail {

namespace {

// Who vouches for the keys in `source`, for "... which is not among ...".
std::string sourceName(const KeySource &source, const EntityStatement &statement, const EntityId *anchor)
{
    switch (source.kind) {
    case KeySource::Kind::Pin:
        return pinName(*source.anchor);
    case KeySource::Kind::Superior:
        if (source.superior->isEntityConfiguration())
            return "the jwks of " + chainStatementName(*source.superior, anchor);
        return "the keys " + source.superior->issuer().str() + " vouches for in " +
               chainStatementName(*source.superior, anchor);
    case KeySource::Kind::Own:
        break;
    }
    return "its own jwks (" + statement.issuer().str() + ")";
}

// The likely cause of a kid that is not among the keys, and what to do.
std::string missingKidCause(const KeySource &source, const EntityStatement &statement)
{
    const std::string signer = statement.issuer().str();
    switch (source.kind) {
    case KeySource::Kind::Pin:
        return "the trust anchor rotated its key and the pin is out of date: confirm the new key with the "
               "anchor's operator out of band, then replace the pin (an oidfed trust anchor's operator prints it "
               "with `oidfed keys pin --dir KEYS_DIR --entity-id " +
               signer + "`; `oidfed inspect " + signer +
               "/.well-known/openid-federation` shows the keys it publishes now)";
    case KeySource::Kind::Superior: {
        const EntityStatement &superior = *source.superior;
        if (superior.isEntityConfiguration())
            return signer + " signs with a key that its own Entity Configuration does not publish: its operator "
                            "must publish that key in the Entity Configuration's jwks (or sign with a published key)";
        const std::string authority = superior.issuer().str();
        return signer + " rotated its key and " + authority + " still vouches for the old one: ask " + authority +
               " to refresh its Subordinate Statement about " + signer + " (an oidfed authority: confirm the new "
               "keys out of band, then `oidfed subordinate add " +
               signer + " --dir SUBORDINATES_DIR --force` and a reload)";
    }
    case KeySource::Kind::Own:
        break;
    }
    return signer + " signs its Entity Configuration with a key it does not publish in it: its operator must add "
                    "the signing key to the jwks of its Entity Configuration";
}

} // namespace

std::string chainStatementName(const EntityStatement &statement, const EntityId *anchor)
{
    if (anchor && statement.isEntityConfiguration() && statement.issuer() == *anchor)
        return "the trust anchor's Entity Configuration (" + anchor->str() + ")";
    return statement::statementName(statement);
}

std::string kidList(const JwkSet &keys)
{
    if (keys.keys().empty())
        return "no keys";
    std::string out = keys.keys().size() == 1 ? "kid " : "kids ";
    bool first = true;
    for (const Jwk &key : keys.keys()) {
        out += (first ? "" : ", ") + key.kid();
        first = false;
    }
    return out;
}

std::string pinName(const TrustAnchor &anchor)
{
    std::string out = "the pinned keys of trust anchor " + anchor.entityId.str();
    if (!anchor.source.empty())
        out += " (from " + anchor.source + ")";
    return out;
}

Error explainKeyMismatch(Error error, const EntityStatement &statement, const JwkSet &keys, const KeySource &source,
                         const EntityId *anchor)
{
    const std::string name = chainStatementName(statement, anchor);
    const std::string kid = statement.jws().kid();
    const std::string from = sourceName(source, statement, anchor);
    const std::string alg(jwsAlgorithmName(statement.jws().alg()));
    switch (error.code) {
    case ErrorCode::KeyNotFound:
        if (kid.empty()) {
            error.message = name + " has no kid in its header, so no key of " + from + " can be chosen";
            return error;
        }
        error.message = name + " is signed with kid \"" + kid + "\" (" + alg + "), which is not among " + from +
                        " (" + kidList(keys) + "). Likely cause: " + missingKidCause(source, statement);
        return error;
    case ErrorCode::BadSignature:
        error.message = name + " (kid \"" + kid + "\", " + alg + ") does not verify with the key of that kid in " +
                        from + ". Likely cause: the statement was altered on the way or in a cache, or " +
                        statement.issuer().str() + " replaced the key behind kid \"" + kid +
                        "\" without giving the new key a new kid; compare the key with " + statement.issuer().str() +
                        "'s operator out of band";
        return error;
    case ErrorCode::InvalidKey:
        error.message = name + " (kid \"" + kid + "\", " + alg + "): the key of that kid in " + from +
                        " may not verify " + alg + " (its kty, crv, alg, use or key_ops do not allow it)";
        return error;
    default:
        return error;
    }
}

} // namespace oidfed::detail
