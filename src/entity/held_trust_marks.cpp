#include "entity/held_trust_marks.h"

#include <utility>

#include <oidfed/trust_mark_status.h>

namespace oidfed::entity {

HeldTrustMarks::HeldTrustMarks(EntityId holder, std::vector<HeldTrustMarkSetting> settings, Obtain obtain,
                               StatementOptions options, TrustMarkTypValues typs)
    : holder_(std::move(holder)), settings_(std::move(settings)), obtain_(std::move(obtain)),
      options_(std::move(options)), typs_(std::move(typs)), held_(settings_.size())
{
}

bool HeldTrustMarks::due(const Held &held, UnixTime now) const
{
    if (held.jwt.empty() || now - held.obtainedAt >= kHeldMarkMaxAge)
        return true;
    return held.expiresAt >= 0 && now >= held.issuedAt + (held.expiresAt - held.issuedAt) / 2;
}

Result<HeldTrustMarks::Held> HeldTrustMarks::obtainChecked(const HeldTrustMarkSetting &setting, UnixTime now) const
{
    OIDFED_TRY(std::string jwt, obtain_(setting, now));
    OIDFED_TRY(UnverifiedTrustMark mark, decodeTrustMark(jwt, options_, typs_));
    if (mark.issuer != setting.issuer || mark.subject != holder_ || mark.trustMarkType != setting.trustMarkType)
        return fail(ErrorCode::InvalidClaim, "the issuer answered a mark for another issuer, subject or type");
    if (mark.expiresAt >= 0 && mark.expiresAt <= now)
        return fail(ErrorCode::Expired, "the issuer answered an expired mark");
    return Held{.jwt = std::move(jwt), .issuedAt = mark.issuedAt, .expiresAt = mark.expiresAt, .obtainedAt = now};
}

bool HeldTrustMarks::refresh(UnixTime now)
{
    std::vector<std::size_t> due;
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < held_.size(); ++i)
            if (this->due(held_[i], now))
                due.push_back(i);
    }
    bool changed = false;
    for (std::size_t i : due) {
        const HeldTrustMarkSetting &setting = settings_[i];
        // Asked outside the lock: it may be a network request.
        auto obtained = obtainChecked(setting, now);
        std::lock_guard lock(mutex_);
        Held &held = held_[i];
        if (obtained) {
            changed = changed || held.jwt != obtained->jwt;
            held = std::move(obtained).value();
            continue;
        }
        held.lastError = obtained.error();
        const bool expired = held.expiresAt >= 0 && held.expiresAt <= now;
        const bool dropped = !held.jwt.empty() && (obtained.error().code == ErrorCode::NotFound || expired);
        if (dropped) {
            changed = true;
            held = Held{.lastError = obtained.error()};
        }
        // "Not held" is news only when it drops a mark.
        if (obtained.error().code != ErrorCode::NotFound || dropped)
            problems_.push_back(holder_.str() + ": trust mark " + setting.trustMarkType + " from " +
                            setting.issuer.str() + ": " + obtained.error().message);
    }
    return changed;
}

Json HeldTrustMarks::current() const
{
    Json out = Json::array();
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < held_.size(); ++i) {
        if (held_[i].jwt.empty())
            continue;
        Json entry = Json::object();
        entry.set("trust_mark_type", settings_[i].trustMarkType);
        entry.set("trust_mark", held_[i].jwt);
        out.push(std::move(entry));
    }
    return out;
}

std::vector<HeldTrustMarkState> HeldTrustMarks::states() const
{
    std::vector<HeldTrustMarkState> out;
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < held_.size(); ++i)
        out.push_back(HeldTrustMarkState{.trustMarkType = settings_[i].trustMarkType,
                                         .issuer = settings_[i].issuer,
                                         .held = !held_[i].jwt.empty(),
                                         .expiresAt = held_[i].jwt.empty() ? -1 : held_[i].expiresAt,
                                         .lastError = held_[i].lastError});
    return out;
}

std::vector<std::string> HeldTrustMarks::takeProblems()
{
    std::lock_guard lock(mutex_);
    return std::exchange(problems_, {});
}

} // namespace oidfed::entity
