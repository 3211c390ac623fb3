// Trust Chain constraints, 6.2: parsing the `constraints` claim and checking
// max_path_length (6.2.1), naming_constraints (6.2.2) and
// allowed_entity_types (6.2.3).

#include <oidfed/constraints.h>

#include <algorithm>
#include <cctype>
#include <string>

#include <oidfed/entity_id.h>

namespace oidfed {

namespace {

constexpr std::string_view kFederationEntity = "federation_entity";

Unexpected invalid(std::string message, std::string_view rule)
{
    return fail(Error(ErrorCode::InvalidClaim, std::move(message)).withRule(rule).withClaim("constraints"));
}

std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Result<std::vector<std::string>> parseNameList(const Json &value, std::string_view member)
{
    if (!value.isArray())
        return invalid("naming_constraints." + std::string(member) + " must be an array of host names", "6.2.2");
    std::vector<std::string> names;
    for (const Json &element : value.asArray()) {
        if (!element.isString() || element.asString().empty() || element.asString() == ".")
            return invalid("naming_constraints." + std::string(member) + " must hold non-empty host names",
                           "6.2.2");
        std::string name = lowercase(element.asString());
        if (name.size() > 1 && name.back() == '.')
            name.pop_back();  // a fully qualified name's root dot
        names.push_back(std::move(name));
    }
    return names;
}

} // namespace

Result<Constraints> parseConstraints(const Json &claim)
{
    if (!claim.isObject())
        return invalid("constraints must be a JSON object", "6.2");
    Constraints out;
    if (const Json *maxPath = claim.find("max_path_length")) {
        if (!maxPath->isInt() || maxPath->asInt() < 0)
            return invalid("max_path_length must be an integer >= 0", "6.2.1");
        out.maxPathLength = maxPath->asInt();
    }
    if (const Json *naming = claim.find("naming_constraints")) {
        if (!naming->isObject())
            return invalid("naming_constraints must be a JSON object", "6.2.2");
        NamingConstraints names;
        if (const Json *permitted = naming->find("permitted")) {
            OIDFED_TRY(auto list, parseNameList(*permitted, "permitted"));
            names.permitted = std::move(list);
        }
        if (const Json *excluded = naming->find("excluded")) {
            OIDFED_TRY(auto list, parseNameList(*excluded, "excluded"));
            names.excluded = std::move(list);
        }
        out.namingConstraints = std::move(names);
    }
    if (const Json *allowed = claim.find("allowed_entity_types")) {
        if (!allowed->isArray())
            return invalid("allowed_entity_types must be an array of Entity Type Identifiers", "6.2.3");
        std::vector<std::string> types;
        for (const Json &element : allowed->asArray()) {
            if (!element.isString() || element.asString().empty())
                return invalid("allowed_entity_types must hold Entity Type Identifiers", "6.2.3");
            if (element.asString() == kFederationEntity)
                return invalid("allowed_entity_types must not list federation_entity", "6.2.3");
            types.push_back(element.asString());
        }
        out.allowedEntityTypes = std::move(types);
    }
    return out;
}

Result<std::string> entityIdHost(std::string_view entityId)
{
    // One parser for Entity Identifiers (core); http is accepted here because
    // the scheme is the chain validator's business, not the constraint's.
    EntityIdOptions options;
    options.allowHttp = true;
    OIDFED_TRY(auto id, EntityId::parse(entityId, options));
    std::string host = lowercase(id.host());
    if (host.size() > 1 && host.back() == '.')
        host.pop_back();
    return host;
}

bool hostMatchesName(std::string_view host, std::string_view name) noexcept
{
    if (name.empty())
        return false;
    if (name.front() == '.')  // any host below the domain, not the domain itself
        return host.size() > name.size() && host.substr(host.size() - name.size()) == name;
    return host == name;
}

NamingVerdict checkHost(const NamingConstraints &constraints, std::string_view host) noexcept
{
    auto matchesAny = [&](const std::vector<std::string> &names) {
        return std::any_of(names.begin(), names.end(), [&](const std::string &n) { return hostMatchesName(host, n); });
    };
    if (constraints.excluded && matchesAny(*constraints.excluded))
        return NamingVerdict::Excluded;
    if (constraints.permitted && !matchesAny(*constraints.permitted))
        return NamingVerdict::NotPermitted;
    return NamingVerdict::Permitted;
}

Result<void> checkChainConstraints(std::span<const ConstrainedStatement> statements)
{
    for (std::size_t k = 0; k < statements.size(); ++k) {
        const ConstrainedStatement &statement = statements[k];
        const Constraints &constraints = statement.constraints;
        if (constraints.maxPathLength && static_cast<std::int64_t>(k) > *constraints.maxPathLength)
            return fail(Error(ErrorCode::ConstraintViolation,
                              "max_path_length " + std::to_string(*constraints.maxPathLength) + " set by " +
                                  statement.issuer + " allows fewer than the " + std::to_string(k) +
                                  " Intermediate(s) between it and the chain subject")
                            .withRule("6.2.1")
                            .withClaim("max_path_length")
                            .withEntity(statement.issuer));
        if (!constraints.namingConstraints)
            continue;
        for (std::size_t j = 0; j <= k; ++j) {
            OIDFED_TRY(auto host, entityIdHost(statements[j].subject));
            const NamingVerdict verdict = checkHost(*constraints.namingConstraints, host);
            if (verdict == NamingVerdict::Permitted)
                continue;
            return fail(Error(ErrorCode::ConstraintViolation,
                              "naming_constraints of " + statement.issuer + ": host " + host + " of " +
                                  statements[j].subject +
                                  (verdict == NamingVerdict::Excluded ? " is excluded" : " is not permitted"))
                            .withRule("6.2.2")
                            .withClaim("naming_constraints")
                            .withEntity(statement.issuer));
        }
    }
    return ok();
}

bool isEntityTypeAllowed(std::span<const std::string> allowed, std::string_view entityType) noexcept
{
    return entityType == kFederationEntity || std::find(allowed.begin(), allowed.end(), entityType) != allowed.end();
}

EntityTypeFilterResult filterEntityTypes(Json metadata, std::span<const ConstrainedStatement> statements)
{
    EntityTypeFilterResult out;
    if (metadata.isObject()) {
        std::vector<std::string> doomed;
        for (const auto &[typeName, value] : metadata.asObject()) {
            (void)value;
            for (const ConstrainedStatement &statement : statements) {
                const auto &allowed = statement.constraints.allowedEntityTypes;
                if (allowed && !isEntityTypeAllowed(*allowed, typeName)) {
                    doomed.push_back(typeName);
                    break;
                }
            }
        }
        for (const std::string &typeName : doomed)
            metadata.erase(typeName);
        out.removed = std::move(doomed);
    }
    out.metadata = std::move(metadata);
    return out;
}

} // namespace oidfed
