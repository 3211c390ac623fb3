// A federation health finding: something a crawl saw about one entity that
// an operator should act on before (or because) it breaks a trust chain.
// Kinds are a closed set with stable names, so that /metrics can count them
// with bounded labels and alert rules can name them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/error.h>
#include <oidfed/json.h>

namespace oidfed::crawl {

enum class FindingKind {
    ChainInvalid,           ///< no valid chain under the anchor (the resolver's error, with its rule)
    PolicyError,            ///< the chain fails on a metadata policy or a constraint (6.1, 6.2)
    Unreachable,            ///< the entity's Entity Configuration or its list endpoint could not be fetched
    ConfigurationExpiring,  ///< its Entity Configuration expires within the warning window
    StatementExpiring,      ///< a Subordinate Statement on its chain expires within the window
    TrustMarkExpiring,      ///< a verified trust mark it publishes expires within the window
    TrustMarkInvalid,       ///< a trust mark it publishes does not verify (or is revoked)
    KeyMismatch,            ///< its EC's jwks and its superior's statement about it name different keys
    HintNotListed,          ///< an authority_hint names a crawled superior whose list leaves it out
    ListedWithoutHint,      ///< a superior lists it, but its EC does not name that superior
};
inline constexpr std::size_t kFindingKindCount = 10;

enum class Severity {
    Warning,  ///< still works; will break or is inconsistent
    Error,    ///< broken now
};

/// "chain_invalid", "policy_error", ... Stable; used in JSON and metric labels.
std::string_view findingKindName(FindingKind kind) noexcept;
/// "warning" or "error".
std::string_view severityName(Severity severity) noexcept;
/// The severity of `name` ("warning", "error"); nullopt when unknown.
std::optional<Severity> severityFromName(std::string_view name) noexcept;
/// Every kind, in declaration order.
FindingKind findingKindAt(std::size_t index) noexcept;

struct Finding {
    FindingKind kind = FindingKind::ChainInvalid;
    Severity severity = Severity::Warning;
    std::string entityId;         ///< the entity the finding is about
    std::string related{};        ///< the other entity involved (a superior, a trust mark issuer), if any
    std::string message{};        ///< one sentence for people
    UnixTime expiresAt = 0;       ///< the *_expiring kinds: when it expires
    std::optional<Error> error{}; ///< the error behind it, when there is one
};

/// {"kind", "severity", "entity_id", "related"?, "message", "expires_at"?, "error"?}.
Json findingToJson(const Finding &finding);

} // namespace oidfed::crawl
