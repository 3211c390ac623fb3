#include "server/item_problem.h"

namespace oidfed::server {

namespace {

// Bounded and printable, like the spec 8.9 error descriptions.
std::string cleanMessage(std::string_view message)
{
    constexpr std::size_t kMaxBytes = 512;
    std::string out;
    for (char c : message.substr(0, kMaxBytes)) {
        auto byte = static_cast<unsigned char>(c);
        out += byte < 0x20 || byte == 0x7F ? ' ' : c;
    }
    if (message.size() > kMaxBytes)
        out += "...";
    return out;
}

} // namespace

std::string_view itemKindName(ItemKind kind) noexcept
{
    switch (kind) {
    case ItemKind::Configuration:
        return "configuration";
    case ItemKind::Keys:
        return "keys";
    case ItemKind::Entity:
        return "entity";
    case ItemKind::Subordinates:
        return "subordinates";
    case ItemKind::Subordinate:
        return "subordinate";
    case ItemKind::TrustMarkIssuer:
        return "trust_mark_issuer";
    case ItemKind::TrustMarkType:
        return "trust_mark_type";
    case ItemKind::Delegation:
        return "delegation";
    case ItemKind::TrustMarkOwner:
        return "trust_mark_owner";
    case ItemKind::TrustAnchor:
        return "trust_anchor";
    case ItemKind::Resolver:
        return "resolver";
    case ItemKind::Authority:
        return "authority";
    case ItemKind::Registration:
        return "registration";
    case ItemKind::TrustApi:
        return "trust_api";
    case ItemKind::RegisteredClient:
        return "registered_client";
    case ItemKind::HeldTrustMark:
        return "held_trust_mark";
    }
    return "unknown";
}

std::string_view itemFallbackName(ItemFallback fallback) noexcept
{
    switch (fallback) {
    case ItemFallback::LeftOut:
        return "left_out";
    case ItemFallback::Previous:
        return "previous";
    case ItemFallback::Degraded:
        return "degraded";
    }
    return "unknown";
}

Json problemToJson(const ItemProblem &problem)
{
    Json out = Json::object();
    out.set("entity", problem.entity);
    out.set("kind", itemKindName(problem.kind));
    out.set("item", problem.item);
    if (!problem.file.empty())
        out.set("file", problem.file);
    out.set("code", errorCodeName(problem.error.code));
    out.set("error", cleanMessage(problem.error.message));
    out.set("serving", itemFallbackName(problem.fallback));
    return out;
}

std::string describeProblem(const ItemProblem &problem)
{
    std::string text = problem.entity.empty() ? std::string() : problem.entity + ": ";
    text += std::string(itemKindName(problem.kind)) + " " + problem.item;
    if (!problem.file.empty() && problem.file != problem.item)
        text += " (" + problem.file + ")";
    text += ": " + problem.error.describe();
    switch (problem.fallback) {
    case ItemFallback::LeftOut:
        text += "; left out";
        break;
    case ItemFallback::Previous:
        text += "; its previous state is served";
        break;
    case ItemFallback::Degraded:
        text += "; still served while valid";
        break;
    }
    return text;
}

} // namespace oidfed::server
