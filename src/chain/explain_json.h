// A resolution's explain report as JSON: what `oidfed resolve --explain`,
// `oidfed chain` and `oidfed verify-request --explain` print and the web
// console's explain view shows (every candidate path with its verdict and
// the rule that failed, the problems met, the alarms, and where each
// resolved metadata value came from).
#pragma once

#include <string_view>

#include <oidfed/json.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/resolver.h>

namespace oidfed::detail {

/// "set", "modified" or "removed".
std::string_view changeEffectName(ParameterChange::Effect effect);

/// {"source", "fetches", "candidates": [{"trust_anchor", "path": [subject
/// first], "verdict": "valid"|"invalid", "exp"?, "reason"? (an error
/// object)}], "problems": [error objects], "alarms": [error objects with
/// "alarm": the kind], "metadata_provenance"? (when a chain was found:
/// [{"entity_type", "parameter"?, "effect", "by", "statements", "before"?,
/// "after"?}]), "topology_dot"?}.
Json explainJson(const ResolveOutcome &outcome);

} // namespace oidfed::detail
