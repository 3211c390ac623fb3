// Messages for a statement whose signature does not verify (spec 10.1,
// 10.2; threats G01-G04), written for the operator who must fix it: which
// statement, the kid it is signed with, the kids that were available and
// where they came from (the pin, a superior's statement, the statement's own
// jwks), and the likely cause with what to do. The error's code, rule, claim
// and entity are kept; only the message is rewritten.
#pragma once

#include <string>

#include <oidfed/entity_statement.h>
#include <oidfed/error.h>
#include <oidfed/jwk.h>
#include <oidfed/trust_anchor.h>

namespace oidfed::detail {

/// Where the keys a statement was checked with came from.
struct KeySource {
    enum class Kind {
        Pin,       ///< the trust anchor's pinned keys
        Superior,  ///< the jwks of the statement above it in the chain
        Own,       ///< the statement's own jwks (an Entity Configuration)
    };
    Kind kind = Kind::Own;
    const TrustAnchor *anchor = nullptr;        ///< REQUIRES for Pin
    const EntityStatement *superior = nullptr;  ///< REQUIRES for Superior
};

/// How chain messages name a statement: "the trust anchor's Entity
/// Configuration (T)" for the EC of `anchor` (when given), else
/// statementName().
std::string chainStatementName(const EntityStatement &statement, const EntityId *anchor);

/// "kids a, b" (or "no keys") of `keys`.
std::string kidList(const JwkSet &keys);

/// "the pinned keys of trust anchor T (from FILE)".
std::string pinName(const TrustAnchor &anchor);

/// `error` (from EntityStatement::verifySignature: KeyNotFound, BadSignature
/// or InvalidKey; any other code is returned unchanged) with a message that
/// says what to do. `anchor`: the chain's trust anchor, when there is one.
Error explainKeyMismatch(Error error, const EntityStatement &statement, const JwkSet &keys, const KeySource &source,
                         const EntityId *anchor);

} // namespace oidfed::detail
