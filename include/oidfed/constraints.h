/// Trust Chain constraints (OpenID Federation 1.0, section 6.2):
/// `max_path_length`, `naming_constraints` and `allowed_entity_types`, as
/// carried in the `constraints` claim of Subordinate Statements.
///
/// Each statement's constraints apply independently (6.2); unknown
/// constraint parameters are ignored. All functions are pure; the types are
/// plain values, safe to share between threads once built.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

namespace oidfed {

/// `naming_constraints` (6.2.2): RFC 5280 4.2.1.10-style host constraints.
/// A name with a leading "." ("`.example.com`") matches any host below it
/// (one or more labels added), but not the domain itself; a name without one
/// matches exactly that host. Matching is ASCII case-insensitive.
struct NamingConstraints {
    std::optional<std::vector<std::string>> permitted;  ///< absent: no restriction
    std::optional<std::vector<std::string>> excluded;   ///< absent: nothing excluded
};

/// A parsed `constraints` claim.
struct Constraints {
    std::optional<std::int64_t> maxPathLength;                 ///< 6.2.1
    std::optional<NamingConstraints> namingConstraints;        ///< 6.2.2
    std::optional<std::vector<std::string>> allowedEntityTypes; ///< 6.2.3
};

/// Parses a `constraints` claim. Returns InvalidClaim when it is not an
/// object, `max_path_length` is not an integer >= 0, `naming_constraints` is
/// not an object of arrays of non-empty strings, or `allowed_entity_types` is
/// not an array of strings or lists `federation_entity` (6.2.3 MUST NOT).
/// Unknown members are ignored.
Result<Constraints> parseConstraints(const Json &claim);

/// The host of an Entity Identifier ("https://Host.example:8443/x" ->
/// "host.example"), lowercased; IPv6 literals keep their brackets. Parsed by
/// EntityId::parse (http accepted); returns its Malformed errors.
Result<std::string> entityIdHost(std::string_view entityId);

/// Whether `host` (lowercase) matches one naming constraint name.
bool hostMatchesName(std::string_view host, std::string_view name) noexcept;

/// Outcome of checking one host against naming constraints.
enum class NamingVerdict { Permitted, NotPermitted, Excluded };

/// Excluded wins over permitted; with `permitted` present, a host matching
/// none of its names is NotPermitted (an empty `permitted` permits nothing).
NamingVerdict checkHost(const NamingConstraints &constraints, std::string_view host) noexcept;

/// One Subordinate Statement of a chain, for constraint checking.
struct ConstrainedStatement {
    std::string issuer;       ///< `iss`
    std::string subject;      ///< `sub`
    Constraints constraints;  ///< parsed `constraints` (all empty when absent)
};

/// Checks `max_path_length` and `naming_constraints` of every statement of a
/// chain. `statements[0]` is the statement about the chain subject, the last
/// one is the Trust Anchor's. The statement at index k has k Intermediates
/// between its issuer and the subject, so it requires k <= max_path_length;
/// its naming constraints apply to the hosts of the subjects of statements
/// 0..k (every Entity below its issuer). Returns ConstraintViolation (with
/// entityId = the issuer of the constraining statement) or Malformed (an
/// unparsable Entity Identifier).
Result<void> checkChainConstraints(std::span<const ConstrainedStatement> statements);

/// Whether `entityType` is allowed by an `allowed_entity_types` list;
/// `federation_entity` always is (6.2.3).
bool isEntityTypeAllowed(std::span<const std::string> allowed, std::string_view entityType) noexcept;

/// Removes from `metadata` (keyed by Entity Type) every Entity Type that an
/// `allowed_entity_types` constraint of `statements` does not allow (6.2.3).
/// Statements without that constraint allow every type. Returns the filtered
/// metadata and the names of the removed Entity Types.
struct EntityTypeFilterResult {
    Json metadata;
    std::vector<std::string> removed;
};
EntityTypeFilterResult filterEntityTypes(Json metadata, std::span<const ConstrainedStatement> statements);

} // namespace oidfed
