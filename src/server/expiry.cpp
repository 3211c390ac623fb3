#include "server/expiry.h"

#include <cstdlib>

#include "core/time_text.h"

namespace oidfed::server {

std::string_view expiryKindName(ExpiryKind kind) noexcept
{
    switch (kind) {
    case ExpiryKind::Delegation:
        return "delegation";
    case ExpiryKind::TrustMarkIssued:
        return "trust_mark_issued";
    case ExpiryKind::TrustMarkHeld:
        return "trust_mark_held";
    case ExpiryKind::KeyRetired:
        return "key_retired";
    case ExpiryKind::AnchorPin:
        return "anchor_pin";
    case ExpiryKind::EntityConfiguration:
        return "entity_configuration";
    case ExpiryKind::SubordinateStatement:
        return "subordinate_statement";
    }
    return "unknown";
}

bool dueWithin(const ExpiringItem &item, UnixTime now, std::chrono::seconds window) noexcept
{
    if (item.expiresAt < 0 || item.expiresAt <= now)
        return true;
    return !item.renewed && item.expiresAt - now <= window.count();
}

std::string describeDuration(std::int64_t seconds)
{
    const std::int64_t magnitude = std::llabs(seconds);
    if (magnitude >= 86400)
        return std::to_string(magnitude / 86400) + " d";
    if (magnitude >= 3600)
        return std::to_string(magnitude / 3600) + " h";
    if (magnitude >= 60)
        return std::to_string(magnitude / 60) + " m";
    return std::to_string(magnitude) + " s";
}

Json expiringItemToJson(const ExpiringItem &item, UnixTime now)
{
    Json out = Json::object();
    out.set("entity", item.entity);
    out.set("kind", expiryKindName(item.kind));
    out.set("item", item.item);
    if (!item.file.empty())
        out.set("file", item.file);
    if (item.expiresAt >= 0) {
        out.set("expires_at", formatRfc3339(item.expiresAt));
        out.set("seconds_left", item.expiresAt - now);
    } else {
        out.set("expires_at", Json());
        out.set("seconds_left", Json());
    }
    out.set("renewed", item.renewed);
    if (!item.note.empty())
        out.set("note", item.note);
    return out;
}

std::string describeExpiring(const ExpiringItem &item, UnixTime now)
{
    std::string text = item.entity + ": " + std::string(expiryKindName(item.kind)) + " " + item.item;
    if (!item.file.empty() && item.file != item.item)
        text += " (" + item.file + ")";
    if (item.expiresAt < 0)
        text += " is at risk";
    else if (item.expiresAt <= now)
        text += " expired at " + formatRfc3339(item.expiresAt) + " (" + describeDuration(now - item.expiresAt) + " ago)";
    else
        text += " expires at " + formatRfc3339(item.expiresAt) + " (in " + describeDuration(item.expiresAt - now) + ")";
    if (item.renewed)
        text += "; renewed by its publisher";
    if (!item.note.empty())
        text += ": " + item.note;
    return text;
}

} // namespace oidfed::server
