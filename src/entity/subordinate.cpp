// One subordinate file: parsing and checking it (parseSubordinate) and
// writing it back (subordinateToJson). Every check names the file and the
// member, so that an operator can fix a reload failure from the message.

#include "entity/subordinate.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <oidfed/constraints.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/operator_registry.h>

namespace oidfed::entity {

namespace {

// The members of a subordinate file (see subordinate.h).
constexpr std::array<std::string_view, 11> kMembers = {
    "entity_id",   "jwks",        "entity_types",       "intermediate", "metadata", "metadata_policy",
    "metadata_policy_crit", "constraints", "statement_lifetime", "comment", "blocked",
};

constexpr std::array<std::string_view, 3> kConstraintMembers = {"max_path_length", "naming_constraints",
                                                                "allowed_entity_types"};
constexpr std::array<std::string_view, 2> kNamingMembers = {"permitted", "excluded"};

template <std::size_t N>
bool isOneOf(const std::array<std::string_view, N> &names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Every failure goes through here: "<file>: <member>: <what>", claim = member.
Unexpected problem(ErrorCode code, const std::string &source, std::string_view member, const std::string &what)
{
    return fail(Error(code, source + ": " + std::string(member) + ": " + what).withClaim(member));
}

Result<EntityId> parseEntityIdMember(const Json &json, const std::string &source, const EntityIdOptions &options)
{
    const Json *value = json.find("entity_id");
    if (!value)
        return problem(ErrorCode::InvalidArgument, source, "entity_id", "missing (REQUIRED)");
    if (!value->isString())
        return problem(ErrorCode::Malformed, source, "entity_id", "must be a string");
    auto id = EntityId::parse(value->asString(), options);
    if (!id)
        return problem(ErrorCode::InvalidArgument, source, "entity_id",
                       "\"" + value->asString() + "\" is not a valid Entity Identifier: " + id.error().message);
    return std::move(id).value();
}

Result<JwkSet> parseJwksMember(const Json &value, const std::string &source)
{
    if (!value.isObject())
        return problem(ErrorCode::InvalidKey, source, "jwks", "must be a JWK Set object {\"keys\": [...]}");
    auto set = JwkSet::fromJson(value);
    if (!set)
        return problem(ErrorCode::InvalidKey, source, "jwks", set.error().message);
    if (set->empty())
        return problem(ErrorCode::InvalidKey, source, "jwks", "must hold at least one key (omit jwks for a hosted entity)");
    return std::move(set).value();
}

Result<std::vector<std::string>> parseEntityTypes(const Json &value, const std::string &source)
{
    if (!value.isArray())
        return problem(ErrorCode::Malformed, source, "entity_types", "must be an array of strings");
    std::vector<std::string> types;
    for (const Json &element : value.asArray()) {
        if (!element.isString())
            return problem(ErrorCode::Malformed, source, "entity_types", "must hold strings only, got " + element.dump());
        if (element.asString().empty())
            return problem(ErrorCode::InvalidArgument, source, "entity_types", "holds an empty entity type");
        types.push_back(element.asString());
    }
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    return types;
}

// An object keyed by (non-empty) entity type whose values are objects.
Result<void> checkObjectOfObjects(const Json &value, const std::string &source, std::string_view member)
{
    if (!value.isObject())
        return problem(ErrorCode::Malformed, source, member, "must be an object keyed by entity type");
    for (const auto &[type, inner] : value.asObject()) {
        if (type.empty())
            return problem(ErrorCode::InvalidArgument, source, member, "has an empty entity type");
        if (!inner.isObject())
            return problem(ErrorCode::Malformed, source, member, type + " must be an object");
    }
    return ok();
}

// The dotted path of the first JSON null inside `value`, if any.
std::optional<std::string> findNull(const Json &value, const std::string &path)
{
    if (value.isNull())
        return path;
    if (value.isArray())
        for (std::size_t i = 0; i < value.asArray().size(); ++i)
            if (auto found = findNull(value.asArray()[i], path + "[" + std::to_string(i) + "]"))
                return found;
    if (value.isObject())
        for (const auto &[name, member] : value.asObject())
            if (auto found = findNull(member, path + "." + name))
                return found;
    return std::nullopt;
}

// Spec 5: no null values in metadata (at any depth: they would be signed and
// served as they are); 5.2.1: federation_entity metadata carries no keys
// (they belong in the statement's jwks).
Result<void> checkMetadata(const Json &metadata, const std::string &source)
{
    OIDFED_TRY_VOID(checkObjectOfObjects(metadata, source, "metadata"));
    for (const auto &[type, parameters] : metadata.asObject())
        if (auto null = findNull(parameters, type))
            return problem(ErrorCode::InvalidArgument, source, "metadata",
                           *null + " is null (metadata must not contain null values)");
    if (const Json *federation = metadata.find("federation_entity"))
        for (std::string_view forbidden : {"jwks", "jwks_uri", "signed_jwks_uri"})
            if (federation->contains(forbidden))
                return problem(ErrorCode::InvalidArgument, source, "metadata",
                               "federation_entity must not contain " + std::string(forbidden));
    return ok();
}

// The policy must be well-formed and mergeable: combined after an empty
// policy and with itself under the standard operators (6.1.4.1). Operators
// that are not standard are left to metadata_policy_crit.
Result<void> checkMetadataPolicy(const Json &policy, const std::string &source)
{
    OIDFED_TRY_VOID(checkObjectOfObjects(policy, source, "metadata_policy"));
    for (const auto &[type, parameters] : policy.asObject())
        for (const auto &[name, operators] : parameters.asObject())
            if (!operators.isObject())
                return problem(ErrorCode::Malformed, source, "metadata_policy",
                               type + "." + name + " must be an object of operators");
    const OperatorRegistry registry = OperatorRegistry::standard();
    const PolicyStatement statement{source, policy, {}};
    auto combine = [&](const PolicyStatement &superior) -> Result<void> {
        const std::array<PolicyStatement, 2> chain = {superior, statement};
        auto combined = combinePolicies(std::span<const PolicyStatement>(chain), registry);
        if (!combined)
            return problem(ErrorCode::InvalidArgument, source, "metadata_policy", combined.error().message);
        return ok();
    };
    OIDFED_TRY_VOID(combine(PolicyStatement{source, Json::object(), {}}));
    return combine(statement);
}

Result<void> checkConstraints(const Json &constraints, const std::string &source)
{
    if (!constraints.isObject())
        return problem(ErrorCode::Malformed, source, "constraints", "must be an object");
    for (const auto &[name, value] : constraints.asObject()) {
        if (!isOneOf(kConstraintMembers, name))
            return problem(ErrorCode::InvalidArgument, source, "constraints",
                           "unknown constraint \"" + name +
                               "\" (known: max_path_length, naming_constraints, allowed_entity_types)");
        if (name == "naming_constraints" && value.isObject())
            for (const auto &[inner, list] : value.asObject())
                if (!isOneOf(kNamingMembers, inner))
                    return problem(ErrorCode::InvalidArgument, source, "constraints",
                                   "unknown naming_constraints member \"" + inner + "\" (known: permitted, excluded)");
    }
    auto parsed = parseConstraints(constraints);
    if (!parsed)
        return problem(ErrorCode::InvalidArgument, source, "constraints", parsed.error().message);
    return ok();
}

Result<std::int64_t> parseLifetime(const Json &value, const std::string &source)
{
    if (!value.isInt())
        return problem(ErrorCode::Malformed, source, "statement_lifetime", "must be an integer number of seconds");
    if (value.asInt() < kMinStatementLifetime || value.asInt() > kMaxStatementLifetime)
        return problem(ErrorCode::InvalidArgument, source, "statement_lifetime",
                       std::to_string(value.asInt()) + " is outside " + std::to_string(kMinStatementLifetime) +
                           ".." + std::to_string(kMaxStatementLifetime) + " seconds");
    return value.asInt();
}

Result<SubordinateBlock> parseBlock(const Json &value, const std::string &source)
{
    if (!value.isObject())
        return problem(ErrorCode::Malformed, source, "blocked", "must be an object {\"reason\", \"since\"?}");
    SubordinateBlock block;
    for (const auto &[name, member] : value.asObject()) {
        if (name == "reason" && member.isString() && !member.asString().empty())
            block.reason = member.asString();
        else if (name == "since" && member.isInt() && member.asInt() >= 0)
            block.since = member.asInt();
        else if (name == "reason" || name == "since")
            return problem(ErrorCode::InvalidArgument, source, "blocked",
                           name == "reason" ? "reason must be a non-empty string" : "since must be a NumericDate");
        else
            return problem(ErrorCode::InvalidArgument, source, "blocked", "unknown member \"" + name + "\"");
    }
    if (block.reason.empty())
        return problem(ErrorCode::InvalidArgument, source, "blocked", "reason is REQUIRED: say why it is blocked");
    return block;
}

} // namespace

Result<void> checkMetadataPolicyMember(const Json &policy, const std::string &sourceName)
{
    return checkMetadataPolicy(policy, sourceName);
}

Result<std::vector<std::string>> parseMetadataPolicyCritMember(const Json &crit, const std::string &sourceName)
{
    auto names = parseMetadataPolicyCrit(crit);
    if (!names)
        return problem(ErrorCode::InvalidArgument, sourceName, "metadata_policy_crit", names.error().message);
    return std::move(names).value();
}

Result<void> checkConstraintsMember(const Json &constraints, const std::string &sourceName)
{
    return checkConstraints(constraints, sourceName);
}

Result<Subordinate> parseSubordinate(const Json &json, const std::string &sourceName, const EntityIdOptions &idOptions)
{
    if (!json.isObject())
        return fail(ErrorCode::Malformed, sourceName + ": a subordinate file must hold a JSON object");
    for (const auto &[name, value] : json.asObject())
        if (!isOneOf(kMembers, name))
            return problem(ErrorCode::InvalidArgument, sourceName, name, "unknown member");

    OIDFED_TRY(EntityId entityId, parseEntityIdMember(json, sourceName, idOptions));
    Subordinate out{.entityId = std::move(entityId)};
    out.sourceFile = sourceName;

    if (const Json *jwks = json.find("jwks")) {
        OIDFED_TRY(JwkSet set, parseJwksMember(*jwks, sourceName));
        out.jwks = std::move(set);
    }
    if (const Json *types = json.find("entity_types")) {
        OIDFED_TRY(auto parsed, parseEntityTypes(*types, sourceName));
        out.entityTypes = std::move(parsed);
    }
    if (const Json *intermediate = json.find("intermediate")) {
        if (!intermediate->isBool())
            return problem(ErrorCode::Malformed, sourceName, "intermediate", "must be true or false");
        out.intermediate = intermediate->asBool();
    }
    if (const Json *metadata = json.find("metadata")) {
        OIDFED_TRY_VOID(checkMetadata(*metadata, sourceName));
        out.metadata = *metadata;
    }
    if (const Json *policy = json.find("metadata_policy")) {
        OIDFED_TRY_VOID(checkMetadataPolicy(*policy, sourceName));
        out.metadataPolicy = *policy;
    }
    if (const Json *crit = json.find("metadata_policy_crit")) {
        OIDFED_TRY(out.metadataPolicyCrit, parseMetadataPolicyCritMember(*crit, sourceName));
    }
    if (const Json *constraints = json.find("constraints")) {
        OIDFED_TRY_VOID(checkConstraints(*constraints, sourceName));
        out.constraints = *constraints;
    }
    if (const Json *lifetime = json.find("statement_lifetime")) {
        OIDFED_TRY(std::int64_t seconds, parseLifetime(*lifetime, sourceName));
        out.statementLifetime = seconds;
    }
    if (const Json *comment = json.find("comment")) {
        if (!comment->isString())
            return problem(ErrorCode::Malformed, sourceName, "comment", "must be a string");
        out.comment = comment->asString();
    }
    if (const Json *blocked = json.find("blocked")) {
        OIDFED_TRY(out.blocked, parseBlock(*blocked, sourceName));
    }
    return out;
}

Json subordinateToJson(const Subordinate &subordinate)
{
    Json out = Json::object();
    out.set("entity_id", subordinate.entityId.str());
    if (!subordinate.comment.empty())
        out.set("comment", subordinate.comment);
    if (subordinate.jwks)
        out.set("jwks", subordinate.jwks->toJson());
    if (!subordinate.entityTypes.empty()) {
        Json types = Json::array();
        for (const std::string &type : subordinate.entityTypes)
            types.push(type);
        out.set("entity_types", std::move(types));
    }
    out.set("intermediate", subordinate.intermediate);
    if (!subordinate.metadata.isNull())
        out.set("metadata", subordinate.metadata);
    if (!subordinate.metadataPolicy.isNull())
        out.set("metadata_policy", subordinate.metadataPolicy);
    if (!subordinate.metadataPolicyCrit.empty()) {
        Json crit = Json::array();
        for (const std::string &name : subordinate.metadataPolicyCrit)
            crit.push(name);
        out.set("metadata_policy_crit", std::move(crit));
    }
    if (!subordinate.constraints.isNull())
        out.set("constraints", subordinate.constraints);
    if (subordinate.statementLifetime)
        out.set("statement_lifetime", *subordinate.statementLifetime);
    if (subordinate.blocked) {
        Json blocked = Json::object();
        blocked.set("reason", subordinate.blocked->reason);
        if (subordinate.blocked->since != 0)
            blocked.set("since", subordinate.blocked->since);
        out.set("blocked", std::move(blocked));
    }
    return out;
}

} // namespace oidfed::entity
