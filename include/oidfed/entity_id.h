/// oidfed::EntityId — a validated Entity Identifier (OpenID Federation 1.2).
///
/// An EntityId is a URL with scheme https, a non-empty host, an optional port
/// and path, and no query, fragment or user info. Once built it is always
/// valid. Comparison is code point by code point, with no normalisation
/// (spec 16; threat D05): "https://A.example" and "https://a.example" differ.
/// A plain value; share freely.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/result.h>

namespace oidfed {

struct EntityIdOptions {
    /// Accept http:// identifiers. A test switch for federations served on
    /// loopback; never set it in production.
    bool allowHttp = false;
};

class EntityId {
public:
    /// Validates `text`. Malformed when: the scheme is not https (or http
    /// with allowHttp), the host is empty or has characters outside
    /// [A-Za-z0-9._~-] (or a bracketed IPv6 literal), the port is not 1-65535,
    /// there is user info, a query or a fragment, or any character is a
    /// control character, a space or non-ASCII.
    static Result<EntityId> parse(std::string_view text, const EntityIdOptions &options = {});

    const std::string &str() const noexcept { return value_; }
    /// Host as written (no port, brackets kept for IPv6 literals).
    std::string_view host() const noexcept;

    friend bool operator==(const EntityId &, const EntityId &) = default;
    friend auto operator<=>(const EntityId &, const EntityId &) = default;

private:
    EntityId(std::string value, std::size_t hostBegin, std::size_t hostLength)
        : value_(std::move(value)), hostBegin_(hostBegin), hostLength_(hostLength)
    {
    }
    std::string value_;
    std::size_t hostBegin_ = 0;
    std::size_t hostLength_ = 0;
};

} // namespace oidfed
