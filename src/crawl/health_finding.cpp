#include "crawl/health_finding.h"

#include <array>

#include <oidfed/error_json.h>

namespace oidfed::crawl {

namespace {

constexpr std::array<std::string_view, kFindingKindCount> kKindNames = {
    "chain_invalid",      "policy_error",      "unreachable",        "configuration_expiring", "statement_expiring",
    "trust_mark_expiring", "trust_mark_invalid", "key_mismatch",      "hint_not_listed",        "listed_without_hint",
};

} // namespace

std::string_view findingKindName(FindingKind kind) noexcept { return kKindNames[static_cast<std::size_t>(kind)]; }

FindingKind findingKindAt(std::size_t index) noexcept { return static_cast<FindingKind>(index); }

std::string_view severityName(Severity severity) noexcept
{
    return severity == Severity::Error ? "error" : "warning";
}

std::optional<Severity> severityFromName(std::string_view name) noexcept
{
    if (name == "error")
        return Severity::Error;
    if (name == "warning")
        return Severity::Warning;
    return std::nullopt;
}

Json findingToJson(const Finding &finding)
{
    Json out = Json::object();
    out.set("kind", findingKindName(finding.kind));
    out.set("severity", severityName(finding.severity));
    out.set("entity_id", finding.entityId);
    if (!finding.related.empty())
        out.set("related", finding.related);
    out.set("message", finding.message);
    if (finding.expiresAt > 0)
        out.set("expires_at", finding.expiresAt);
    if (finding.error)
        out.set("error", errorToJson(*finding.error));
    return out;
}

} // namespace oidfed::crawl
