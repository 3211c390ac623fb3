// ExpiringItem: something a hosted entity relies on that has an end — a
// delegation, a trust mark it issues or holds, a retired key, the pinned keys
// of a trust anchor — and how long it has left. The server exports the
// seconds left as gauges (oidfed_expiry_seconds{entity,kind}), logs a warning
// once per item when one that is not renewed by itself comes within the
// warning window (expiry_warning_seconds), and `oidfed expiry` lists them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/json.h>

namespace oidfed::server {

enum class ExpiryKind {
    Delegation,             ///< a delegation_file's delegation (or one inside a mark)
    TrustMarkIssued,        ///< the earliest mark of a type this entity issues (re-signed by itself)
    TrustMarkHeld,          ///< a mark this entity holds (obtained again by itself)
    KeyRetired,             ///< a retired key, published until its exp
    AnchorPin,              ///< pinned keys of a trust anchor against the ones it publishes
    EntityConfiguration,    ///< a (remote) Entity Configuration
    SubordinateStatement,   ///< a (remote) Subordinate Statement of a chain
};

/// "delegation", "trust_mark_issued", "trust_mark_held", "key_retired",
/// "anchor_pin", "entity_configuration", "subordinate_statement": metric
/// labels and report kinds.
std::string_view expiryKindName(ExpiryKind kind) noexcept;

struct ExpiringItem {
    std::string entity{};     ///< the entity that relies on it
    ExpiryKind kind = ExpiryKind::Delegation;
    std::string item{};       ///< which one: a trust mark type, a kid, an issuer ...
    std::string file{};       ///< the file it comes from, when there is one
    UnixTime expiresAt = -1;  ///< -1: no time, the item is at risk now (see note)
    /// Its publisher signs it again before it expires (an Entity
    /// Configuration, a mark this server issues or obtains): listed, but
    /// due only once it has expired.
    bool renewed = false;
    std::string note{};       ///< what to do, when there is something to say
};

/// Whether the item needs attention at `now`: expired, at risk
/// (expiresAt -1), or, when not renewed by itself, expiring within `window`.
bool dueWithin(const ExpiringItem &item, UnixTime now, std::chrono::seconds window) noexcept;

/// {"entity", "kind", "item", "file"?, "expires_at" (RFC 3339, or null),
/// "seconds_left" (or null), "renewed", "note"?}.
Json expiringItemToJson(const ExpiringItem &item, UnixTime now);

/// One line of text: "ENTITY: KIND ITEM expires at T (in N d|h|m|s / N s
/// ago)[; renewed by its publisher][: note]".
std::string describeExpiring(const ExpiringItem &item, UnixTime now);

/// "3 d", "5 h", "12 m" or "40 s": the largest unit that fits (floored).
std::string describeDuration(std::int64_t seconds);

} // namespace oidfed::server
