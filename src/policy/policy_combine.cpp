// Combination (merging) of the metadata policies of a Trust Chain, 6.1.4.1:
// validate each Subordinate Statement's policy (structure, operator value
// types, allowed combinations, metadata_policy_crit), then merge them most
// Superior first, per Entity Type, parameter and operator, re-checking the
// allowed combinations after every parameter merge.

#include <oidfed/metadata_policy.h>

#include <algorithm>
#include <string>

#include "policy/json_set.h"

namespace oidfed {

const OperatorValue *ParameterPolicy::find(std::string_view name) const
{
    for (const OperatorValue &op : operators)
        if (op.name == name)
            return &op;
    return nullptr;
}

OperatorValue *ParameterPolicy::find(std::string_view name)
{
    return const_cast<OperatorValue *>(std::as_const(*this).find(name));
}

const EntityTypePolicy *ResolvedPolicy::find(std::string_view entityType) const
{
    for (const EntityTypePolicy &type : entityTypes)
        if (type.entityType == entityType)
            return &type;
    return nullptr;
}

const ParameterPolicy *ResolvedPolicy::find(std::string_view entityType, std::string_view parameter) const
{
    const EntityTypePolicy *type = find(entityType);
    if (!type)
        return nullptr;
    for (const ParameterPolicy &param : type->parameters)
        if (param.parameter == parameter)
            return &param;
    return nullptr;
}

Json ResolvedPolicy::toJson() const
{
    Json out = Json::object();
    for (const EntityTypePolicy &type : entityTypes) {
        Json params = Json::object();
        for (const ParameterPolicy &param : type.parameters) {
            Json ops = Json::object();
            for (const OperatorValue &op : param.operators)
                ops.set(op.name, op.value);
            params.set(param.parameter, std::move(ops));
        }
        out.set(type.entityType, std::move(params));
    }
    return out;
}

Result<std::vector<std::string>> parseMetadataPolicyCrit(const Json &claim)
{
    auto invalid = [](std::string message) {
        return fail(Error(ErrorCode::InvalidClaim, std::move(message))
                        .withRule("3.1.3 metadata_policy_crit")
                        .withClaim("metadata_policy_crit"));
    };
    if (!claim.isArray())
        return invalid("metadata_policy_crit must be an array of operator names");
    if (claim.asArray().empty())
        return invalid("metadata_policy_crit must not be empty");
    std::vector<std::string> names;
    for (const Json &element : claim.asArray()) {
        if (!element.isString() || element.asString().empty())
            return invalid("metadata_policy_crit must hold non-empty strings, got " + policy::brief(element));
        const std::string &name = element.asString();
        if (isStandardOperator(name))
            return invalid("metadata_policy_crit must not list the standard operator \"" + name + "\"");
        if (std::find(names.begin(), names.end(), name) != names.end())
            return invalid("metadata_policy_crit lists \"" + name + "\" twice");
        names.push_back(name);
    }
    return names;
}

namespace {

using CritSet = std::vector<std::string>;

std::string describeIssuers(const std::vector<std::string> &issuers)
{
    std::string out = "(from ";
    for (std::size_t i = 0; i < issuers.size(); ++i) {
        if (i)
            out += ", ";
        out += issuers[i].empty() ? std::string("<unnamed statement>") : issuers[i];
    }
    return out + ")";
}

std::string describeOperator(const OperatorValue &op)
{
    return op.name + " " + policy::brief(op.value) + " " + describeIssuers(op.issuers);
}

std::string where(std::string_view entityType, std::string_view parameter)
{
    std::string out = "metadata_policy ";
    out += entityType;
    if (!parameter.empty()) {
        out += '.';
        out += parameter;
    }
    return out + ": ";
}

Unexpected conflict(std::string message, std::string_view rule, std::string_view parameter, std::string_view issuer)
{
    return fail(Error(ErrorCode::PolicyConflict, std::move(message))
                    .withRule(rule)
                    .withClaim(parameter)
                    .withEntity(issuer));
}

/// Re-checks the allowed combinations of one parameter policy (6.1.3).
Result<void> checkCombinations(const ParameterPolicy &param, const OperatorRegistry &registry,
                               std::string_view issuer, std::string_view context)
{
    for (const OperatorValue &entry : param.operators) {
        const PolicyOperator *op = registry.find(entry.name);
        if (!op)
            continue;
        auto checked = op->checkCombination(entry.value, param);
        if (checked)
            continue;
        const Error &reason = checked.error();
        std::string message = where(param.entityType, param.parameter) + describeOperator(entry);
        if (const OperatorValue *other = param.find(reason.claim))
            message += " and " + describeOperator(*other);
        message += " cannot be combined" + std::string(context) + ": " + reason.message;
        return conflict(std::move(message), "6.1.3.1", param.parameter, issuer);
    }
    return ok();
}

/// Validates one statement's metadata_policy and turns it into parameter
/// policies attributed to `issuer` (6.1.4.1 step 3).
Result<std::vector<EntityTypePolicy>> parseStatementPolicy(const Json &claim, const std::string &issuer,
                                                           const CritSet &crit, const OperatorRegistry &registry)
{
    if (!claim.isObject())
        return conflict("metadata_policy must be a JSON object, got " + policy::brief(claim), "6.1.2", "",
                        issuer);
    std::vector<EntityTypePolicy> types;
    types.reserve(claim.size());
    for (const auto &[typeName, typeClaim] : claim.asObject()) {
        if (!typeClaim.isObject())
            return conflict(where(typeName, "") + "the policy of an Entity Type must be a JSON object", "6.1.2", "",
                            issuer);
        EntityTypePolicy type{typeName, {}};
        type.parameters.reserve(typeClaim.size());
        for (const auto &[paramName, paramClaim] : typeClaim.asObject()) {
            if (!paramClaim.isObject())
                return conflict(where(typeName, paramName) + "a parameter policy must be a JSON object, got " +
                                    policy::brief(paramClaim),
                                "6.1.2", paramName, issuer);
            ParameterPolicy param{typeName, paramName, {}};
            param.operators.reserve(paramClaim.size());
            for (const auto &[opName, opValue] : paramClaim.asObject()) {
                const PolicyOperator *op = registry.find(opName);
                if (!op) {
                    if (std::find(crit.begin(), crit.end(), opName) != crit.end())
                        return fail(Error(ErrorCode::UnknownCritical,
                                          where(typeName, paramName) + "operator \"" + opName +
                                              "\" is listed in metadata_policy_crit but not understood")
                                        .withRule("6.1.3.2")
                                        .withClaim(paramName)
                                        .withEntity(issuer));
                    continue;  // not critical: ignored (6.1.3.2)
                }
                auto typed = op->checkOperatorValue(opValue);
                if (!typed)
                    return conflict(where(typeName, paramName) + typed.error().message + " " +
                                        describeIssuers({issuer}),
                                    "6.1.3", paramName, issuer);
                param.operators.push_back(OperatorValue{opName, opValue, {issuer}});
            }
            OIDFED_TRY_VOID(checkCombinations(param, registry, issuer, ""));
            type.parameters.push_back(std::move(param));
        }
        types.push_back(std::move(type));
    }
    return types;
}

/// Merges a subordinate's parameter policy into the current one (6.1.4.1,
/// parameter and operator levels), then re-checks the combinations.
Result<void> mergeParameter(ParameterPolicy &current, ParameterPolicy &&sub, const OperatorRegistry &registry,
                            const std::string &issuer)
{
    for (OperatorValue &subOp : sub.operators) {
        OperatorValue *curOp = current.find(subOp.name);
        if (!curOp) {
            current.operators.push_back(std::move(subOp));
            continue;
        }
        const PolicyOperator *op = registry.find(subOp.name);
        auto merged = op->merge(curOp->value, subOp.value);
        if (!merged)
            return conflict(where(current.entityType, current.parameter) + "cannot merge " +
                                describeOperator(*curOp) + " with " + describeOperator(subOp) + ": " +
                                merged.error().message,
                            "6.1.4.1", current.parameter, issuer);
        curOp->value = std::move(merged).value();
        for (std::string &who : subOp.issuers)
            if (std::find(curOp->issuers.begin(), curOp->issuers.end(), who) == curOp->issuers.end())
                curOp->issuers.push_back(std::move(who));
    }
    return checkCombinations(current, registry, issuer, " after merging");
}

Result<void> mergeInto(ResolvedPolicy &current, std::vector<EntityTypePolicy> &&sub, const OperatorRegistry &registry,
                       const std::string &issuer)
{
    for (EntityTypePolicy &subType : sub) {
        auto curType = std::find_if(current.entityTypes.begin(), current.entityTypes.end(),
                                    [&](const EntityTypePolicy &t) { return t.entityType == subType.entityType; });
        if (curType == current.entityTypes.end()) {
            current.entityTypes.push_back(std::move(subType));
            continue;
        }
        for (ParameterPolicy &subParam : subType.parameters) {
            auto curParam = std::find_if(curType->parameters.begin(), curType->parameters.end(),
                                         [&](const ParameterPolicy &p) { return p.parameter == subParam.parameter; });
            if (curParam == curType->parameters.end()) {
                curType->parameters.push_back(std::move(subParam));
                continue;
            }
            OIDFED_TRY_VOID(mergeParameter(*curParam, std::move(subParam), registry, issuer));
        }
    }
    return ok();
}

} // namespace

Result<ResolvedPolicy> combinePolicies(std::span<const PolicyStatement> statements, const OperatorRegistry &registry)
{
    // Step 1: the critical operators of every statement of the chain.
    CritSet crit;
    for (const PolicyStatement &statement : statements) {
        for (const std::string &name : statement.metadataPolicyCrit) {
            if (isStandardOperator(name))
                return fail(Error(ErrorCode::InvalidClaim, "metadata_policy_crit must not list the standard operator \"" +
                                                               name + "\"")
                                .withRule("3.1.3 metadata_policy_crit")
                                .withClaim("metadata_policy_crit")
                                .withEntity(statement.issuer));
            if (std::find(crit.begin(), crit.end(), name) == crit.end())
                crit.push_back(name);
        }
    }
    // Steps 2-5: validate each policy, most Superior first, and merge.
    ResolvedPolicy resolved;
    for (const PolicyStatement &statement : statements) {
        if (!statement.metadataPolicy)
            continue;
        OIDFED_TRY(auto types, parseStatementPolicy(*statement.metadataPolicy, statement.issuer, crit, registry));
        if (!resolved.present) {
            resolved.entityTypes = std::move(types);
            resolved.present = true;
            continue;
        }
        OIDFED_TRY_VOID(mergeInto(resolved, std::move(types), registry, statement.issuer));
    }
    return resolved;
}

} // namespace oidfed
