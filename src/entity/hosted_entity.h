// HostedEntity: one federation entity served by `oidfed serve` — its keys,
// its subordinates (when it is an authority) and the statements it signs.
//
// Everything it publishes is signed ahead of time: the Entity Configuration,
// one Subordinate Statement per subordinate and the historical keys are
// signed when the entity is created (the Subordinate Statements on all
// cores) and re-signed by refresh() once past half of their lifetime, so a
// request only looks a document up. A request that finds no fresh document
// (refresh() late, or a new subject) signs one itself.
//
// A HostedEntity is built from an immutable configuration, key store and
// subordinate set; the server replaces the whole object on SIGHUP. Its
// lookups and refresh() are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

#include "entity/held_trust_marks.h"
#include "entity/key_store.h"
#include "entity/signed_document.h"
#include "entity/subordinate.h"
#include "entity/trust_mark_issuer.h"

namespace oidfed::entity {

/// What the configuration file says about one hosted entity.
struct HostedEntitySettings {
    EntityId entityId;
    std::filesystem::path keysDir{};
    KeyStoreOptions keys{};
    /// exp - iat of the Entity Configuration. Range 60 s..365 days.
    std::chrono::seconds configurationLifetime{86400};
    /// exp - iat of Subordinate Statements whose file sets no
    /// statement_lifetime. Range 60 s..365 days.
    std::chrono::seconds subordinateLifetime{86400};
    /// Entity type -> metadata. The federation_entity endpoints are added.
    Json metadata = Json::object();
    std::vector<EntityId> authorityHints{};
    std::vector<EntityId> trustAnchorHints{};
    /// Set: the entity is an authority (fetch and list endpoints).
    std::optional<std::filesystem::path> subordinatesDir{};
    /// Trust anchors only (no authority_hints): the EC claims of 3.1.2.
    Json trustMarkIssuers{};
    Json trustMarkOwners{};
    /// Trust marks the entity holds: array of {trust_mark_type, trust_mark}.
    Json trustMarks{};
    /// Trust marks it obtains from their issuers ("trust_mark_sources").
    std::vector<HeldTrustMarkSetting> trustMarkSources{};
    /// Set: the entity is a Trust Mark Issuer (trust mark endpoints).
    std::optional<TrustMarkIssuerSettings> trustMarkIssuer{};
    /// Publishes a federation_resolve_endpoint (the server answers it).
    bool resolver = false;
    /// Publishes a federation_collection_endpoint (a resolver that crawls;
    /// the server answers it from the crawl).
    bool collection = false;
    /// Set ("openid_provider" or "oauth_authorization_server"): publishes a
    /// federation_registration_endpoint in that entity type's metadata and
    /// adds "explicit" to its client_registration_types_supported (keeping
    /// the other values); the server answers it (explicit registration).
    std::string registrationEntityType{};
};

/// Range checks of the lifetimes, with those of `keys`
/// (validateKeyStoreOptions) and `trustMarkIssuer`; HostedEntity::create()
/// calls it. InvalidArgument naming the field in Error::claim (e.g.
/// "configurationLifetime", "keys.retiredKeyLifetime",
/// "trustMarkIssuer.markLifetime"), message "<field>: must be ...".
Result<void> validateHostedEntitySettings(const HostedEntitySettings &settings);

/// The endpoint paths, relative to the entity identifier.
inline constexpr std::string_view kFetchPath = "/fetch";
inline constexpr std::string_view kListPath = "/list";
inline constexpr std::string_view kResolvePath = "/resolve";
inline constexpr std::string_view kHistoricalKeysPath = "/historical-keys";
/// The entity collection endpoint (Entity Collection Endpoint draft 00) and
/// the crawl's health report (oidfed's own, docs/crawler.md).
inline constexpr std::string_view kCollectionPath = "/collection";
inline constexpr std::string_view kFederationHealthPath = "/federation-health";
inline constexpr std::string_view kConfigurationPath = "/.well-known/openid-federation";
inline constexpr std::string_view kTrustMarkPath = "/trust-mark";
inline constexpr std::string_view kTrustMarkListPath = "/trust-mark-list";
inline constexpr std::string_view kTrustMarkStatusPath = "/trust-mark-status";
inline constexpr std::string_view kRegistrationPath = "/federation-registration";

/// What a HostedEntity is built from besides its settings.
struct HostedEntityParts {
    KeyStore keys;
    std::shared_ptr<const SubordinateSet> subordinates{};  ///< set for an authority
    std::shared_ptr<HeldTrustMarks> heldMarks{};            ///< set with trust_mark_sources
    /// The authority's subordinates as served before (a reload): a
    /// subordinate that fails now is served from its previous record (same
    /// file) when that one passes.
    std::shared_ptr<const SubordinateSet> previousSubordinates{};
};

class HostedEntity {
public:
    /// The published keys of another entity hosted by the same server, for
    /// a subordinate file without jwks; nullopt when it is not hosted here.
    using HostedKeys = std::function<std::optional<JwkSet>(const std::string &entityId)>;

    /// Builds the entity and signs everything it publishes at `now`.
    /// Errors: InvalidArgument (trust mark claims on a non-anchor,
    /// trust_anchor_hints without authority_hints) and any error signing
    /// the Entity Configuration or the historical keys. A subordinate that
    /// fails (no jwks and not hosted here, the entity itself, a statement
    /// oidfed would itself reject) affects only itself: it is listed in
    /// subordinateProblems(), and served from its record in
    /// parts.previousSubordinates when that one passes, else left out.
    /// Held marks (parts.heldMarks) are obtained first, so the first EC
    /// carries them.
    static Result<std::shared_ptr<HostedEntity>> create(HostedEntitySettings settings, HostedEntityParts parts,
                                                        const HostedKeys &hostedKeys, UnixTime now,
                                                        const StatementOptions &options);

    const EntityId &entityId() const noexcept { return settings_.entityId; }
    const HostedEntitySettings &settings() const noexcept { return settings_; }
    /// The path of the entity identifier without a trailing '/' ("" at the root).
    const std::string &pathPrefix() const noexcept { return pathPrefix_; }
    /// Host[:port] of the entity identifier.
    const std::string &authority() const noexcept { return authority_; }
    bool isAuthority() const noexcept { return subordinates_ != nullptr; }
    const KeyStore &keys() const noexcept { return keys_; }
    const SubordinateSet *subordinates() const noexcept { return subordinates_.get(); }
    /// The set served, for the next reload's previousSubordinates.
    const std::shared_ptr<const SubordinateSet> &subordinateSet() const noexcept { return subordinates_; }
    /// The subordinates create() could not serve as given (see create()).
    const std::vector<SubordinateProblem> &subordinateProblems() const noexcept { return subordinateProblems_; }

    /// `entityId` without a trailing '/' followed by `path`.
    std::string endpointUrl(std::string_view path) const;

    /// The signed Entity Configuration.
    Result<DocumentPtr> entityConfiguration(UnixTime now) const;
    /// The signed Subordinate Statement about `subject`. NotFound when it is
    /// not a subordinate (or this entity is no authority).
    Result<DocumentPtr> subordinateStatement(std::string_view subject, UnixTime now) const;
    /// The signed historical keys (jwk-set+jwt).
    Result<DocumentPtr> historicalKeys(UnixTime now) const;

    /// The marks it obtains from issuers, or nullptr.
    HeldTrustMarks *heldMarks() const noexcept { return heldMarks_.get(); }

    /// Re-signs every document past half of its lifetime, and the Entity
    /// Configuration when its held marks changed. Returns how many were
    /// re-signed, or the first signing error.
    Result<std::size_t> refresh(UnixTime now) const;

private:
    HostedEntity(HostedEntitySettings settings, HostedEntityParts parts, StatementOptions options);

    /// Checks what a subordinate needs besides its statement (not the
    /// entity itself; keys, filling hostedSubordinateKeys_). Creation only.
    Result<void> checkSubordinate(const Subordinate &subordinate, const HostedKeys &hostedKeys);
    /// Checks and signs every subordinate, applying create()'s rule for
    /// those that fail. Creation only.
    Result<void> admitSubordinates(const SubordinateSet *previous, const HostedKeys &hostedKeys, UnixTime now);
    /// The static trust_marks followed by the held ones (null when none).
    Json currentTrustMarks() const;
    Result<DocumentPtr> signConfiguration(UnixTime now) const;
    Result<DocumentPtr> signSubordinate(const Subordinate &subordinate, UnixTime now) const;
    Result<DocumentPtr> signHistoricalKeys(UnixTime now) const;
    /// Looks `key` up; signs with `sign` when absent or stale and stores it.
    Result<DocumentPtr> cached(const std::string &key, UnixTime now,
                               const std::function<Result<DocumentPtr>()> &sign) const;

    HostedEntitySettings settings_;
    KeyStore keys_;
    std::shared_ptr<const SubordinateSet> subordinates_;
    std::shared_ptr<HeldTrustMarks> heldMarks_;
    std::unordered_map<std::string, JwkSet> hostedSubordinateKeys_;  ///< for subordinates without jwks
    std::vector<SubordinateProblem> subordinateProblems_;
    StatementOptions options_;
    Json publishedMetadata_;
    std::string pathPrefix_;
    std::string authority_;

    mutable std::shared_mutex mutex_;
    /// "" -> EC, "\x01historical" -> historical keys, otherwise the subject.
    mutable std::unordered_map<std::string, DocumentPtr> documents_;
};

} // namespace oidfed::entity
