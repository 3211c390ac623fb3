// TrustMarkIssuer: the Trust Mark Issuer role of a hosted entity (spec 7):
// the marks it issues, signed ahead of time, and its answers to the trust
// mark (8.6), trust mark list (8.5) and trust mark status (8.4) endpoints.
//
// Who holds which type is the TrustMarkCatalog (one reviewable file per
// type). Every mark of a subject that is listed and not revoked is signed
// when the issuer is created and re-signed by refresh() once past half of
// its validity (like HostedEntity's statements); a request that finds no
// fresh mark signs one itself. A mark carries iss, sub, trust_mark_type,
// iat, exp, and logo_uri / ref / delegation when configured; typ is the type
// file's typ, by default trust-mark+jwt; signed with the entity's active key.
// A mark is recorded (TrustMarkRecord, in the trust mark directory) before
// mark() first hands it out, and the status endpoint answers only for
// recorded marks (spec 8.4.2).
//
// Immutable apart from the map of signed documents; the server replaces the
// whole object on SIGHUP. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "entity/key_store.h"
#include "entity/signed_document.h"
#include "entity/trust_mark_catalog.h"
#include "entity/trust_mark_record.h"

namespace oidfed::entity {

/// The configuration file's "trust_mark_issuer" member of a hosted entity.
struct TrustMarkIssuerSettings {
    /// The directory of trust mark type files (TrustMarkCatalog), which
    /// also holds the record of the marks issued (TrustMarkRecord).
    std::filesystem::path directory{};
    /// exp - iat of the marks of a type whose file sets no lifetime_seconds.
    /// Range 60 s..365 days.
    std::chrono::seconds markLifetime{86400};
    /// exp - iat of a delegation the server signs for a "delegated_by" owner
    /// hosted here; re-signed at half of it. Range 1 h..365 days.
    std::chrono::seconds delegationLifetime{std::chrono::hours(24 * 30)};
};

class TrustMarkIssuer {
public:
    /// The private active key of an owner hosted by the same server, for
    /// "delegated_by"; nullopt when it is not hosted here.
    using OwnerKey = std::function<std::optional<Jwk>(const std::string &ownerId)>;

    /// Builds the issuer, opens (and prunes) the record of settings.directory
    /// and signs every current mark at `now`. Errors: InvalidArgument (a
    /// delegated_by owner not hosted here; a delegation file that is not a
    /// delegation of this type to this issuer, or has expired; the record
    /// cannot be read), and any issuing error, naming the type file.
    static Result<std::shared_ptr<TrustMarkIssuer>> create(EntityId self, const TrustMarkIssuerSettings &settings,
                                                          KeyStore keys,
                                                          std::shared_ptr<const TrustMarkCatalog> catalog,
                                                          const OwnerKey &ownerKey, UnixTime now,
                                                          const StatementOptions &options);

    const EntityId &entityId() const noexcept { return self_; }
    const TrustMarkCatalog &catalog() const noexcept { return *catalog_; }

    /// The signed mark of `trustMarkType` for `subject`. NotFound when the
    /// type is not issued here, or the subject does not hold it (not listed,
    /// revoked, or the type's delegation has expired); the message says
    /// which. InvalidArgument when the mark cannot be recorded (it is then
    /// not handed out).
    Result<DocumentPtr> mark(std::string_view trustMarkType, std::string_view subject, UnixTime now) const;

    /// Entity ids holding a valid mark of the type (listed, not revoked),
    /// sorted; only `subject` when given. NotFound for a type not issued here.
    Result<std::vector<std::string>> holders(std::string_view trustMarkType, std::optional<std::string_view> subject,
                                             UnixTime now) const;

    /// Spec 8.4: the status of a mark handed to the status endpoint.
    /// InvalidArgument: not a compact JWS. NotFound (HTTP 404): iss is not
    /// this issuer, or the type is not issued here, or (checked after the
    /// signature) the record has no entry for it, so the mark is unknown.
    /// Otherwise: Invalid (bad shape, typ, signature with a key this entity
    /// ever had and did not revoke, or iat in the future), Revoked (a
    /// recorded mark whose subject's entry is revoked or no longer listed),
    /// Expired (exp, or the embedded delegation's exp, has passed), else
    /// Active.
    Result<TrustMarkStatus> status(std::string_view jwt, UnixTime now) const;

    /// Signs the status response for `jwt` (trust-mark-status-response+jwt).
    Result<std::string> signStatus(std::string_view jwt, TrustMarkStatus status, UnixTime now) const;

    /// For monitoring: per type issued here, in catalog order, the earliest
    /// exp of the marks signed now (-1: none signed, or none with exp).
    /// refresh() re-signs them before they expire.
    std::vector<std::pair<std::string, UnixTime>> earliestMarkExpiries() const;

    /// Re-signs every mark (and server-signed delegation) past half of its
    /// validity. Returns how many were re-signed, or the first error.
    Result<std::size_t> refresh(UnixTime now) const;

private:
    struct TypeState {
        const TrustMarkTypeRecord *record = nullptr;
        std::optional<Jwk> ownerKey{};      ///< delegated_by: signs the delegation
        UnixTime fileDelegationExpiry = -1; ///< delegation_file: its exp (-1: none)
    };

    TrustMarkIssuer(EntityId self, TrustMarkIssuerSettings settings, KeyStore keys,
                    std::shared_ptr<const TrustMarkCatalog> catalog, StatementOptions options);

    const TypeState *typeState(std::string_view trustMarkType) const;
    /// The delegation to embed at `now` ("" for none), re-signed when stale.
    Result<std::pair<std::string, UnixTime>> delegationFor(const TypeState &state, UnixTime now) const;
    Result<DocumentPtr> signMark(const TypeState &state, const TrustMarkSubject &subject, UnixTime now) const;
    Result<DocumentPtr> signDelegation(const TypeState &state, UnixTime now) const;
    /// Records `mark` unless it is recorded already, then returns it.
    Result<DocumentPtr> handOut(DocumentPtr mark, UnixTime now) const;

    EntityId self_;
    TrustMarkIssuerSettings settings_;
    KeyStore keys_;
    JwkSet statusKeys_;  ///< every key this entity had, revoked ones excepted
    TrustMarkTypValues typs_;  ///< the typ of each type whose file sets one
    std::shared_ptr<const TrustMarkCatalog> catalog_;
    StatementOptions options_;
    std::vector<TypeState> types_;  ///< same order as catalog_->all()
    std::shared_ptr<TrustMarkRecord> record_;

    mutable std::shared_mutex mutex_;
    /// type "\n" subject -> mark; "\x01" type -> server-signed delegation.
    mutable std::unordered_map<std::string, DocumentPtr> documents_;
    /// The ETags of the marks recorded by handOut().
    mutable std::unordered_set<std::string> recorded_;
};

} // namespace oidfed::entity
