#include "entity/trust_mark_issuer.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include <oidfed/jws.h>
#include <oidfed/trust_mark.h>

#include "core/time_text.h"
#include "trust_mark/trust_mark_delegation.h"
#include "trust_mark/trust_mark_rules.h"

namespace oidfed::entity {

namespace {

// Leeway on the iat of a mark handed to the status endpoint, as for
// statements (ResolverOptions::clockSkew's default).
constexpr UnixTime kStatusClockSkew = 60;

std::string markKey(std::string_view type, std::string_view subject)
{
    // '\n' cannot occur in an entity id or in a parameter (control
    // characters are refused), so the key is unambiguous.
    return std::string(type) + "\n" + std::string(subject);
}

std::string delegationKey(std::string_view type)
{
    return "\x01" + std::string(type);
}

} // namespace

TrustMarkIssuer::TrustMarkIssuer(EntityId self, TrustMarkIssuerSettings settings, KeyStore keys,
                                 std::shared_ptr<const TrustMarkCatalog> catalog, StatementOptions options)
    : self_(std::move(self)), settings_(std::move(settings)), keys_(std::move(keys)), catalog_(std::move(catalog)),
      options_(std::move(options))
{
}

Result<std::shared_ptr<TrustMarkIssuer>> TrustMarkIssuer::create(EntityId self, const TrustMarkIssuerSettings &settings,
                                                                 KeyStore keys,
                                                                 std::shared_ptr<const TrustMarkCatalog> catalog,
                                                                 const OwnerKey &ownerKey, UnixTime now,
                                                                 const StatementOptions &options)
{
    if (!catalog)
        return fail(ErrorCode::Internal, self.str() + ": trust mark catalog not loaded");
    std::shared_ptr<TrustMarkIssuer> issuer(
        new TrustMarkIssuer(std::move(self), settings, std::move(keys), std::move(catalog), options));
    const std::string &id = issuer->self_.str();
    if (settings.directory.empty())
        return fail(ErrorCode::InvalidArgument, id + ": no trust mark directory for the record of marks issued");
    auto record = TrustMarkRecord::open(settings.directory, now);
    if (!record)
        return fail(ErrorCode::InvalidArgument, id + ": the record of marks issued: " + record.error().message);
    issuer->record_ = std::move(record).value();

    std::vector<Jwk> statusKeys;
    for (const KeyRecord &record : issuer->keys_.records())
        if (!record.revoked)
            statusKeys.push_back(record.publicKey);
    OIDFED_TRY(issuer->statusKeys_, JwkSet::fromKeys(std::move(statusKeys)));
    for (const TrustMarkTypeRecord &record : issuer->catalog_->all())
        if (!record.typ.empty())
            issuer->typs_[record.trustMarkType] = {record.typ};

    for (const TrustMarkTypeRecord &record : issuer->catalog_->all()) {
        TypeState state{.record = &record};
        auto where = [&] { return id + ": " + record.sourceFile + ": "; };
        if (record.delegatedBy) {
            std::optional<Jwk> key = ownerKey ? ownerKey(record.delegatedBy->str()) : std::nullopt;
            if (!key)
                return fail(ErrorCode::InvalidArgument,
                            where() + "delegated_by " + record.delegatedBy->str() + " is not hosted by this server");
            state.ownerKey = std::move(key);
        }
        if (!record.delegation.empty()) {
            auto delegation =
                trust_mark::parseDelegation(record.delegation, issuer->self_, record.trustMarkType, options);
            if (!delegation)
                return fail(ErrorCode::InvalidArgument, where() + "delegation_file: " + delegation.error().message);
            if (delegation->expiresAt >= 0 && delegation->expiresAt <= now)
                return fail(ErrorCode::InvalidArgument,
                            where() + "delegation_file: " + trust_mark::markName(*delegation, trust_mark::Kind::Delegation) +
                                " expired at " + describeTime(delegation->expiresAt, now) + ": ask " +
                                delegation->issuer.str() + " for a new delegation, replace the file and reload");
            state.fileDelegationExpiry = delegation->expiresAt;
        }
        issuer->types_.push_back(std::move(state));
    }

    // Sign everything now: a type that cannot be issued fails at start (or
    // at reload, leaving the previous state in service).
    for (const TypeState &state : issuer->types_) {
        if (state.ownerKey) {
            OIDFED_TRY(DocumentPtr delegation, issuer->signDelegation(state, now));
            issuer->documents_[delegationKey(state.record->trustMarkType)] = std::move(delegation);
        }
        for (const TrustMarkSubject &subject : state.record->subjects) {
            if (subject.revoked)
                continue;
            OIDFED_TRY(DocumentPtr mark, issuer->signMark(state, subject, now));
            issuer->documents_[markKey(state.record->trustMarkType, subject.entityId.str())] = std::move(mark);
        }
    }
    return issuer;
}

const TrustMarkIssuer::TypeState *TrustMarkIssuer::typeState(std::string_view trustMarkType) const
{
    for (const TypeState &state : types_)
        if (state.record->trustMarkType == trustMarkType)
            return &state;
    return nullptr;
}

Result<DocumentPtr> TrustMarkIssuer::signDelegation(const TypeState &state, UnixTime now) const
{
    UnixTime exp = now + settings_.delegationLifetime.count();
    TrustMarkDelegationClaims claims{
        .owner = *state.record->delegatedBy,
        .issuer = self_,
        .trustMarkType = state.record->trustMarkType,
        .issuedAt = now,
        .expiresAt = exp,
    };
    auto jwt = issueTrustMarkDelegation(claims, *state.ownerKey, options_);
    if (!jwt)
        return fail(ErrorCode::InvalidArgument, self_.str() + ": " + state.record->sourceFile +
                                                    ": cannot sign the delegation: " + jwt.error().message);
    return makeSignedDocument(std::move(jwt).value(), now, exp);
}

Result<std::pair<std::string, UnixTime>> TrustMarkIssuer::delegationFor(const TypeState &state, UnixTime now) const
{
    if (!state.record->delegation.empty())
        return std::pair<std::string, UnixTime>(state.record->delegation, state.fileDelegationExpiry);
    if (!state.ownerKey)
        return std::pair<std::string, UnixTime>(std::string(), -1);
    const std::string key = delegationKey(state.record->trustMarkType);
    {
        std::shared_lock lock(mutex_);
        auto it = documents_.find(key);
        if (it != documents_.end() && !it->second->stale(now))
            return std::pair<std::string, UnixTime>(it->second->body, it->second->expiresAt);
    }
    OIDFED_TRY(DocumentPtr delegation, signDelegation(state, now));
    std::unique_lock lock(mutex_);
    documents_[key] = delegation;
    return std::pair<std::string, UnixTime>(delegation->body, delegation->expiresAt);
}

Result<DocumentPtr> TrustMarkIssuer::signMark(const TypeState &state, const TrustMarkSubject &subject, UnixTime now) const
{
    const TrustMarkTypeRecord &record = *state.record;
    OIDFED_TRY(auto delegation, delegationFor(state, now));
    if (delegation.second >= 0 && delegation.second <= now)
        return fail(ErrorCode::NotFound, "the delegation for " + record.trustMarkType + " expired at " +
                                             describeTime(delegation.second, now));
    UnixTime exp = now + record.lifetimeSeconds.value_or(settings_.markLifetime.count());
    TrustMarkClaims claims{
        .issuer = self_,
        .subject = subject.entityId,
        .trustMarkType = record.trustMarkType,
        .issuedAt = now,
        .expiresAt = exp,
        .delegation = delegation.first,
        .typ = record.typ,
    };
    if (!record.logoUri.empty())
        claims.extraClaims.set("logo_uri", record.logoUri);
    if (!record.ref.empty())
        claims.extraClaims.set("ref", record.ref);
    auto jwt = issueTrustMark(claims, keys_.activeKey(), options_);
    if (!jwt)
        return fail(ErrorCode::InvalidArgument, self_.str() + ": " + record.sourceFile + ": cannot sign the mark for " +
                                                    subject.entityId.str() + ": " + jwt.error().message);
    // Due for re-signing at half of what it is valid for, delegation included.
    return makeSignedDocument(std::move(jwt).value(), now, trust_mark::earliestExpiry(exp, delegation.second));
}

Result<DocumentPtr> TrustMarkIssuer::mark(std::string_view trustMarkType, std::string_view subject, UnixTime now) const
{
    const TypeState *state = typeState(trustMarkType);
    if (!state)
        return fail(ErrorCode::NotFound, "this issuer does not issue trust_mark_type " + std::string(trustMarkType));
    const TrustMarkSubject *holder = state->record->find(subject);
    if (!holder || holder->revoked)
        return fail(ErrorCode::NotFound, "the entity does not hold this trust mark");
    const std::string key = markKey(trustMarkType, subject);
    {
        std::shared_lock lock(mutex_);
        auto it = documents_.find(key);
        if (it != documents_.end() && !it->second->stale(now)) {
            if (recorded_.count(it->second->etag) > 0)
                return it->second;
            DocumentPtr signedMark = it->second;
            lock.unlock();
            return handOut(std::move(signedMark), now);
        }
    }
    OIDFED_TRY(DocumentPtr document, signMark(*state, *holder, now));
    {
        std::unique_lock lock(mutex_);
        documents_[key] = document;
    }
    return handOut(std::move(document), now);
}

Result<DocumentPtr> TrustMarkIssuer::handOut(DocumentPtr mark, UnixTime now) const
{
    auto recorded = record_->add(mark->body, now);
    if (!recorded)
        return fail(ErrorCode::InvalidArgument, self_.str() + ": the mark is not handed out: it cannot be recorded: " +
                                                    recorded.error().message);
    std::unique_lock lock(mutex_);
    recorded_.insert(mark->etag);
    return mark;
}

Result<std::vector<std::string>> TrustMarkIssuer::holders(std::string_view trustMarkType,
                                                          std::optional<std::string_view> subject, UnixTime now) const
{
    const TypeState *state = typeState(trustMarkType);
    if (!state)
        return fail(ErrorCode::NotFound, "this issuer does not issue trust_mark_type " + std::string(trustMarkType));
    std::vector<std::string> out;
    if (state->fileDelegationExpiry >= 0 && state->fileDelegationExpiry <= now)
        return out;  // no valid mark can be issued any more
    for (const TrustMarkSubject &holder : state->record->subjects)
        if (!holder.revoked && (!subject || holder.entityId.str() == *subject))
            out.push_back(holder.entityId.str());
    return out;
}

Result<TrustMarkStatus> TrustMarkIssuer::status(std::string_view jwt, UnixTime now) const
{
    auto jws = Jws::parse(jwt, options_.jws);
    if (!jws)
        return fail(ErrorCode::InvalidArgument, "trust_mark is not a compact JWS: " + jws.error().message);
    if (trust_mark::peekIssuer(*jws, options_.jws) != self_.str())
        return fail(ErrorCode::NotFound, "this trust mark was not issued by " + self_.str());
    auto decoded = decodeTrustMark(jwt, options_, typs_);
    if (!decoded)
        return TrustMarkStatus::Invalid;
    const TypeState *state = typeState(decoded->trustMarkType);
    if (!state)
        return fail(ErrorCode::NotFound, "this issuer does not issue trust_mark_type " + decoded->trustMarkType);
    if (!checkTrustMarkSignature(jwt, statusKeys_, options_, typs_))
        return TrustMarkStatus::Invalid;
    if (decoded->issuedAt > now + kStatusClockSkew)
        return TrustMarkStatus::Invalid;
    if (!record_->contains(jwt))
        return fail(ErrorCode::NotFound, self_.str() + " has no record of this trust mark (not issued here, issued "
                                                       "before marks were recorded, or expired long ago)");
    const TrustMarkSubject *holder = state->record->find(decoded->subject.str());
    if (!holder || holder->revoked)
        return TrustMarkStatus::Revoked;
    UnixTime expiresAt = decoded->expiresAt;
    if (!decoded->delegation.empty()) {
        auto delegation = trust_mark::parseDelegation(decoded->delegation, self_, decoded->trustMarkType, options_);
        if (!delegation)
            return TrustMarkStatus::Invalid;
        expiresAt = trust_mark::earliestExpiry(expiresAt, delegation->expiresAt);
    }
    if (expiresAt >= 0 && now >= expiresAt)
        return TrustMarkStatus::Expired;
    return TrustMarkStatus::Active;
}

Result<std::string> TrustMarkIssuer::signStatus(std::string_view jwt, TrustMarkStatus status, UnixTime now) const
{
    return issueTrustMarkStatusResponse(
        TrustMarkStatusClaims{.issuer = self_, .trustMark = std::string(jwt), .status = status, .issuedAt = now},
        keys_.activeKey());
}

std::vector<std::pair<std::string, UnixTime>> TrustMarkIssuer::earliestMarkExpiries() const
{
    std::vector<std::pair<std::string, UnixTime>> out;
    std::shared_lock lock(mutex_);
    for (const TypeState &state : types_) {
        UnixTime earliest = -1;
        for (const TrustMarkSubject &subject : state.record->subjects) {
            auto it = documents_.find(markKey(state.record->trustMarkType, subject.entityId.str()));
            if (it != documents_.end() && it->second->expiresAt >= 0)
                earliest = earliest < 0 ? it->second->expiresAt : std::min(earliest, it->second->expiresAt);
        }
        out.emplace_back(state.record->trustMarkType, earliest);
    }
    return out;
}

Result<std::size_t> TrustMarkIssuer::refresh(UnixTime now) const
{
    std::size_t resigned = 0;
    for (const TypeState &state : types_) {
        // Only stale documents are signed again.
        for (const TrustMarkSubject &subject : state.record->subjects) {
            if (subject.revoked)
                continue;
            const std::string key = markKey(state.record->trustMarkType, subject.entityId.str());
            bool due = true;
            {
                std::shared_lock lock(mutex_);
                auto it = documents_.find(key);
                due = it == documents_.end() || it->second->stale(now);
            }
            if (!due)
                continue;
            // Signed, not yet recorded: mark() records it when it hands it out.
            auto signedMark = signMark(state, subject, now);
            if (!signedMark && signedMark.error().code != ErrorCode::NotFound)
                return fail(std::move(signedMark).error());
            if (signedMark) {
                std::unique_lock lock(mutex_);
                documents_[key] = std::move(signedMark).value();
            }
            ++resigned;
        }
    }
    return resigned;
}

} // namespace oidfed::entity
