#include "chain/explain_json.h"

#include <oidfed/error_json.h>
#include <oidfed/metadata_policy.h>

namespace oidfed::detail {

std::string_view changeEffectName(ParameterChange::Effect effect)
{
    switch (effect) {
    case ParameterChange::Effect::Set: return "set";
    case ParameterChange::Effect::Modified: return "modified";
    case ParameterChange::Effect::Removed: return "removed";
    }
    return "modified";
}

Json explainJson(const ResolveOutcome &outcome)
{
    Json explain = Json::object();
    explain.set("source", outcome.report.source);
    explain.set("fetches", outcome.report.fetches);
    Json candidates = Json::array();
    for (const CandidateVerdict &candidate : outcome.report.candidates) {
        Json entry = Json::object();
        entry.set("trust_anchor", candidate.trustAnchor);
        Json path = Json::array();
        for (const std::string &id : candidate.path)
            path.push(id);
        entry.set("path", std::move(path));
        entry.set("verdict", candidate.valid ? "valid" : "invalid");
        if (candidate.valid)
            entry.set("exp", candidate.expiresAt);
        if (candidate.error)
            entry.set("reason", errorToJson(*candidate.error));
        candidates.push(std::move(entry));
    }
    explain.set("candidates", std::move(candidates));
    Json problems = Json::array();
    for (const Error &problem : outcome.report.problems)
        problems.push(errorToJson(problem));
    explain.set("problems", std::move(problems));
    Json alarms = Json::array();
    for (const ResolveAlarm &alarm : outcome.report.alarms) {
        Json entry = errorToJson(alarm.detail);
        entry.set("alarm", std::string(resolveAlarmKindName(alarm.kind)));
        alarms.push(std::move(entry));
    }
    explain.set("alarms", std::move(alarms));
    if (outcome.chain) {
        Json provenance = Json::array();
        for (const ParameterChange &change : (*outcome.chain)->provenance()) {
            Json entry = Json::object();
            entry.set("entity_type", change.entityType);
            if (!change.parameter.empty())
                entry.set("parameter", change.parameter);
            entry.set("effect", std::string(changeEffectName(change.effect)));
            entry.set("by", change.source);
            Json issuers = Json::array();
            for (const std::string &issuer : change.issuers)
                issuers.push(issuer);
            entry.set("statements", std::move(issuers));
            if (change.before)
                entry.set("before", *change.before);
            if (change.after)
                entry.set("after", *change.after);
            provenance.push(std::move(entry));
        }
        explain.set("metadata_provenance", std::move(provenance));
    }
    if (!outcome.report.topologyDot.empty())
        explain.set("topology_dot", outcome.report.topologyDot);
    return explain;
}

} // namespace oidfed::detail
