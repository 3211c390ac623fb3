#include "entity/subordinate_defaults.h"

#include <algorithm>
#include <array>
#include <span>

#include <oidfed/metadata_policy.h>
#include <oidfed/operator_registry.h>

namespace oidfed::entity {

namespace {

const std::string kSource(kSubordinateDefaultsFile);

Unexpected conflict(const Subordinate &subordinate, std::string_view member, const std::string &what)
{
    return fail(Error(ErrorCode::InvalidArgument, subordinate.sourceFile + ": " + std::string(member) + ": " + what +
                                                      " (conflicts with " + kSource + ")")
                    .withClaim(member)
                    .withEntity(subordinate.entityId.str()));
}

bool allStandard(const Json &operators)
{
    return std::all_of(operators.asObject().begin(), operators.asObject().end(),
                       [](const auto &entry) { return isStandardOperator(entry.first); });
}

// The two policies of one parameter combined (6.1.4.1), the defaults as
// the superior.
Result<Json> combineParameter(const std::string &type, const std::string &parameter, const Json &fromDefaults,
                              const Json &own, const Subordinate &subordinate)
{
    const std::string where = type + "." + parameter;
    if (!allStandard(fromDefaults) || !allStandard(own))
        return conflict(subordinate, "metadata_policy",
                        where + " has a policy in both files and one of them uses an operator that is not standard, "
                                "which cannot be combined here: keep it in one file");
    auto single = [&](const Json &operators) {
        Json parameters = Json::object();
        parameters.set(parameter, operators);
        Json policy = Json::object();
        policy.set(type, std::move(parameters));
        return policy;
    };
    const std::array<PolicyStatement, 2> statements = {PolicyStatement{kSource, single(fromDefaults), {}},
                                                       PolicyStatement{subordinate.sourceFile, single(own), {}}};
    auto combined = combinePolicies(std::span<const PolicyStatement>(statements), OperatorRegistry::standard());
    if (!combined)
        return conflict(subordinate, "metadata_policy", where + ": " + combined.error().message);
    const Json json = combined->toJson();
    const Json *types = json.find(type);
    const Json *operators = types ? types->find(parameter) : nullptr;
    return operators ? *operators : Json::object();
}

Result<Json> mergePolicy(const Json &defaults, const Json &own, const Subordinate &subordinate)
{
    if (defaults.isNull())
        return own;
    Json merged = own.isNull() ? Json::object() : own;
    for (const auto &[type, parameters] : defaults.asObject()) {
        if (!merged.contains(type))
            merged.set(type, Json::object());
        Json &typePolicy = *merged.find(type);
        for (const auto &[parameter, operators] : parameters.asObject()) {
            const Json *mine = typePolicy.find(parameter);
            if (!mine) {
                typePolicy.set(parameter, operators);
                continue;
            }
            OIDFED_TRY(Json combined, combineParameter(type, parameter, operators, *mine, subordinate));
            typePolicy.set(parameter, std::move(combined));
        }
    }
    return merged;
}

Result<Json> mergeConstraints(const Json &defaults, const Json &own, const Subordinate &subordinate)
{
    if (defaults.isNull())
        return own;
    Json merged = own.isNull() ? Json::object() : own;
    for (const auto &[name, value] : defaults.asObject()) {
        const Json *mine = merged.find(name);
        if (!mine)
            merged.set(name, value);
        else if (*mine != value)
            return conflict(subordinate, "constraints",
                            name + " is " + mine->dump() + " here and " + value.dump() + " in the defaults");
    }
    return merged;
}

} // namespace

Result<SubordinateDefaults> parseSubordinateDefaults(const Json &json, const std::string &sourceName)
{
    if (!json.isObject())
        return fail(ErrorCode::Malformed, sourceName + ": the defaults file must hold a JSON object");
    SubordinateDefaults out;
    for (const auto &[name, value] : json.asObject()) {
        if (name == "metadata_policy") {
            OIDFED_TRY_VOID(checkMetadataPolicyMember(value, sourceName));
            out.metadataPolicy = value;
        } else if (name == "metadata_policy_crit") {
            OIDFED_TRY(out.metadataPolicyCrit, parseMetadataPolicyCritMember(value, sourceName));
        } else if (name == "constraints") {
            OIDFED_TRY_VOID(checkConstraintsMember(value, sourceName));
            out.constraints = value;
        } else if (name == "comment" && value.isString()) {
            out.comment = value.asString();
        } else {
            return fail(Error(ErrorCode::InvalidArgument,
                              sourceName + ": " + name +
                                  (name == "comment" ? ": must be a string"
                                                     : ": unknown member (a defaults file holds metadata_policy, "
                                                       "metadata_policy_crit, constraints and comment)"))
                            .withClaim(name));
        }
    }
    return out;
}

Result<Subordinate> applySubordinateDefaults(Subordinate subordinate, const SubordinateDefaults &defaults)
{
    OIDFED_TRY(subordinate.metadataPolicy, mergePolicy(defaults.metadataPolicy, subordinate.metadataPolicy, subordinate));
    OIDFED_TRY(subordinate.constraints, mergeConstraints(defaults.constraints, subordinate.constraints, subordinate));
    std::vector<std::string> &crit = subordinate.metadataPolicyCrit;
    crit.insert(crit.end(), defaults.metadataPolicyCrit.begin(), defaults.metadataPolicyCrit.end());
    std::sort(crit.begin(), crit.end());
    crit.erase(std::unique(crit.begin(), crit.end()), crit.end());
    return subordinate;
}

} // namespace oidfed::entity
