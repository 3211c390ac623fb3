// ItemProblem: one configured item that the server could not serve as
// configured — a key store, a subordinate file, a trust mark type file, a
// delegation, a held trust mark, a trust anchor of a resolver, a whole role
// of an entity — and what it does instead: serve the item's last good
// state (on reload) or leave the item out. Everything else is served.
//
// Each problem is logged, listed by /readyz ({"status": "degraded",
// "problems": [...]}) and counted by /metrics
// (oidfed_item_problems{entity,kind}). The kinds are a fixed set, so metric
// labels stay bounded; the entity is a configured entity identifier.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/error.h>
#include <oidfed/json.h>

namespace oidfed::server {

enum class ItemKind {
    Configuration,    ///< oidfed.json itself (on reload: the running configuration stays)
    Keys,             ///< an entity's key store (keys_dir)
    Entity,           ///< an entity as a whole (its Entity Configuration cannot be signed)
    Subordinates,     ///< an authority's subordinates directory
    Subordinate,      ///< one subordinate file
    TrustMarkIssuer,  ///< an entity's trust mark issuer role (its directory)
    TrustMarkType,    ///< one trust mark type file
    Delegation,       ///< the delegation of a trust mark type (file or hosted owner)
    TrustMarkOwner,   ///< a trust_mark_owners entry of an anchor
    TrustAnchor,      ///< a trust anchor of a resolver
    Resolver,         ///< an entity's resolver role
    Authority,        ///< an entity's authority role (fetch, list)
    HeldTrustMark,    ///< a mark the entity obtains from an issuer
    Registration,     ///< an entity's explicit registration role (its settings, client store)
    RegisteredClient, ///< one registered client its store could not update or remove
    TrustApi,         ///< an entity's trust API role (its anchors, callers, stores)
};

/// Stable lowercase name, the metrics label and the /readyz "kind":
/// "configuration", "keys", "entity", "subordinates", "subordinate",
/// "trust_mark_issuer", "trust_mark_type", "delegation",
/// "trust_mark_owner", "trust_anchor", "resolver", "authority",
/// "held_trust_mark", "registration", "registered_client".
std::string_view itemKindName(ItemKind kind) noexcept;

/// What is served in place of a problem item.
enum class ItemFallback {
    LeftOut,   ///< nothing: the item (or entity, or role) is not served
    Previous,  ///< its last good state, from before the reload
    Degraded,  ///< the item is kept while still usable (e.g. a held mark not renewed)
};

struct ItemProblem {
    std::string entity{};  ///< the hosted entity concerned ("" for the configuration)
    ItemKind kind = ItemKind::Entity;
    std::string item{};    ///< which one: a subordinate, a type, a directory ...
    std::string file{};    ///< the file concerned, when there is one
    Error error{};
    ItemFallback fallback = ItemFallback::LeftOut;
};

/// "left_out", "previous", "degraded".
std::string_view itemFallbackName(ItemFallback fallback) noexcept;

/// The /readyz entry: {"entity", "kind", "item", "file"?, "code", "error",
/// "serving"}, where error is the message cut to 512 bytes with control
/// characters replaced, and serving the fallback's name.
Json problemToJson(const ItemProblem &problem);

/// One log line's text for the problem.
std::string describeProblem(const ItemProblem &problem);

} // namespace oidfed::server
