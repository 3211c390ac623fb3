// Text output (--format text) for what the commands otherwise print as JSON:
// metadata and policies as indented "name: value" lines, and the --explain
// report of resolve and chain.
#pragma once

#include <iosfwd>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/resolver.h>

#include "chain/explain_json.h"

namespace oidfed::cli {

/// Writes `value` for people, each line after `indent` spaces: an object as
/// "name: value" lines with nested objects and arrays of objects indented
/// under their name ("- " per array element), an array of scalars as compact
/// JSON on one line, a string unquoted unless it is empty or spans lines.
void printValueText(std::ostream &out, const Json &value, int indent = 0);

/// The candidate paths of an explainJson() report, one line each:
/// "  candidate -> A -> B: verdict (reason)".
void printCandidatesText(std::ostream &out, const Json &explain);

/// An explainJson() report: fetches, candidate paths and problems met while
/// collecting. Provenance is printChangesText's; the topology (Graphviz DOT)
/// is left to --format json.
void printExplainText(std::ostream &out, const Json &explain);

/// One line per alarm of the resolution (an anchor's published keys that
/// differ from its pin, ...): "ALARM (<kind>): <detail>". Printed whatever
/// --explain says.
void printAlarmsText(std::ostream &out, const ResolveOutcome &outcome);

/// "set", "modified" or "removed", in text and JSON output alike
/// (chain/explain_json.h).
using detail::changeEffectName;

/// "<heading>:" ("<heading>: none" when empty), then one line per change:
/// "  openid_provider.scopes_supported: modified by subset_of (ISSUER, ...),
/// was VALUE, now VALUE".
void printChangesText(std::ostream &out, std::string_view heading, const std::vector<ParameterChange> &changes);

} // namespace oidfed::cli
