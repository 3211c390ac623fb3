#include "entity/trust_mark_listing.h"

namespace oidfed::entity {

Json trustMarkSubjectsJson(const TrustMarkTypeRecord &record)
{
    Json subjects = Json::array();
    for (const TrustMarkSubject &subject : record.subjects) {
        Json entry = Json::object();
        entry.set("entity_id", subject.entityId.str());
        if (subject.revoked) {
            Json revoked = Json::object();
            revoked.set("revoked_at", subject.revoked->revokedAt);
            if (!subject.revoked->reason.empty())
                revoked.set("reason", subject.revoked->reason);
            entry.set("revoked", std::move(revoked));
        } else {
            entry.set("revoked", Json());
        }
        subjects.push(std::move(entry));
    }
    return subjects;
}

} // namespace oidfed::entity
