#include <oidfed/trust_chain.h>

namespace oidfed {

Json TrustChain::toJson() const
{
    Json out = Json::object();
    out.set("sub", parts_.subject.str());
    out.set("trust_anchor", parts_.trustAnchor.str());
    out.set("exp", parts_.expiresAt);
    out.set("metadata", parts_.metadata);
    if (!parts_.trustMarks.empty()) {
        Json marks = Json::array();
        for (const VerifiedTrustMark &mark : parts_.trustMarks) {
            Json entry = Json::object();
            entry.set("trust_mark_type", mark.trustMarkType);
            entry.set("trust_mark", mark.jwt);
            marks.push(std::move(entry));
        }
        out.set("trust_marks", std::move(marks));
    }
    Json chain = Json::array();
    for (const std::string &jwt : parts_.statements)
        chain.push(jwt);
    out.set("trust_chain", std::move(chain));
    return out;
}

} // namespace oidfed
