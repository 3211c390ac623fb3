// HeldTrustMarks: the Trust Marks a hosted entity holds and obtains from
// their issuers (the configuration's "trust_mark_sources"), kept current for
// its Entity Configuration.
//
// For each configured (trust_mark_type, issuer) the mark is obtained through
// a callback (the server asks an issuer hosted in the same process directly,
// others at their federation_trust_mark_endpoint, spec 8.6). A mark is
// obtained again once past half of its validity, or when it was obtained
// more than kHeldMarkMaxAge ago (so that a mark without exp that was
// withdrawn leaves the EC too). An answer that the entity does not hold the
// mark (NotFound) drops it; any other failure keeps a mark that is still
// valid and is reported. A mark obtained is checked for what the holder can
// check without a trust chain: its shape, typ, iss = the configured issuer,
// sub = this entity, the type, and exp not passed; relying parties verify
// the rest (7.3).
//
// Thread-safe: refresh() runs on the server's refresh thread while requests
// read current().
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>

namespace oidfed::entity {

/// Longest time an obtained mark is kept before asking its issuer again.
inline constexpr UnixTime kHeldMarkMaxAge = 3600;

/// One entry of "trust_mark_sources".
struct HeldTrustMarkSetting {
    std::string trustMarkType{};
    EntityId issuer;
    /// The issuer's trust mark endpoint; empty: from its Entity Configuration.
    std::string endpoint{};
};

/// Where one configured mark stands (HeldTrustMarks::states()).
struct HeldTrustMarkState {
    std::string trustMarkType{};
    EntityId issuer;
    bool held = false;          ///< a mark is in the Entity Configuration
    UnixTime expiresAt = -1;    ///< its exp (-1: none held, or no exp)
    /// The last attempt to obtain it failed (NotFound: the issuer says the
    /// entity does not hold it); cleared by the next success.
    std::optional<Error> lastError{};
};

class HeldTrustMarks {
public:
    /// Asks the issuer for the holder's current mark: the compact JWT;
    /// NotFound when the issuer says the entity does not hold it; any other
    /// code when it could not be asked.
    using Obtain = std::function<Result<std::string>(const HeldTrustMarkSetting &setting, UnixTime now)>;

    /// `typs`: the typ values a trust framework defines per type
    /// (TrustMarkVerificationOptions::typValues), accepted from the issuer.
    HeldTrustMarks(EntityId holder, std::vector<HeldTrustMarkSetting> settings, Obtain obtain,
                   StatementOptions options, TrustMarkTypValues typs = {});
    HeldTrustMarks(const HeldTrustMarks &) = delete;
    HeldTrustMarks &operator=(const HeldTrustMarks &) = delete;

    /// Obtains every mark that is missing, past half of its validity or
    /// older than kHeldMarkMaxAge, and drops expired ones. True when the set
    /// of marks changed (the EC must be signed again).
    bool refresh(UnixTime now);

    /// [{"trust_mark_type", "trust_mark"}] in configuration order.
    Json current() const;

    /// One per configured mark, in configuration order.
    std::vector<HeldTrustMarkState> states() const;

    /// What went wrong in refreshes since the last call (for the log).
    std::vector<std::string> takeProblems();

private:
    struct Held {
        std::string jwt{};       ///< empty: none
        UnixTime issuedAt = 0;
        UnixTime expiresAt = -1;
        UnixTime obtainedAt = 0;
        std::optional<Error> lastError{};
    };

    bool due(const Held &held, UnixTime now) const;
    Result<Held> obtainChecked(const HeldTrustMarkSetting &setting, UnixTime now) const;

    const EntityId holder_;
    const std::vector<HeldTrustMarkSetting> settings_;
    const Obtain obtain_;
    const StatementOptions options_;
    const TrustMarkTypValues typs_;
    mutable std::mutex mutex_;
    // Guarded by mutex_: one per setting.
    std::vector<Held> held_;
    // Guarded by mutex_.
    std::vector<std::string> problems_;
};

} // namespace oidfed::entity
