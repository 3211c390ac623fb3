// The modifying standard operators: value (6.1.3.1.1), add (6.1.3.1.2) and
// default (6.1.3.1.3). Each class also holds the combination rules of its row
// of the combination table (value: every other standard operator; add:
// one_of and subset_of).

#include "policy/standard_operators.h"

#include "policy/json_set.h"

namespace oidfed::policy {

Result<void> checkArrayOperand(std::string_view op, const Json &value, bool nonEmpty)
{
    if (!value.isArray())
        return policyError(std::string(op) + " value must be an array, got " + brief(value));
    if (nonEmpty && value.asArray().empty())
        return policyError(std::string(op) + " value must not be an empty array");
    for (const Json &element : value.asArray())
        if (!isSetElement(element))
            return policyError(std::string(op) + " values must be strings, numbers or objects, got " +
                               brief(element));
    return ok();
}

namespace {

class ValueOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "value"; }
    int order() const noexcept override { return operator_order::kValue; }

    Result<void> checkOperatorValue(const Json &) const override
    {
        // string, number, boolean, array, object (optional, supported) or null.
        return ok();
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        if (!equalAsSets(superior, subordinate))
            return policyError("the values differ; merged value operators must be equal");
        return superior;
    }

    Result<void> checkCombination(const Json &own, const ParameterPolicy &policy) const override
    {
        const Json::Array values = valuesOf(own);
        if (const OperatorValue *add = policy.find("add")) {
            if (add->value.isArray() && !isSubset(add->value.asArray(), values))
                return combinationError("add", "the values of add must be a subset of the values of value");
        }
        if (policy.find("default") && own.isNull())
            return combinationError("default", "value must not be null when default is present");
        if (const OperatorValue *oneOf = policy.find("one_of")) {
            if (!oneOf->value.isArray() || !containsValue(oneOf->value.asArray(), own))
                return combinationError("one_of", "value must be one of the one_of values");
        }
        if (const OperatorValue *subsetOf = policy.find("subset_of")) {
            if (subsetOf->value.isArray() && !isSubset(values, subsetOf->value.asArray()))
                return combinationError("subset_of", "the values of value must be a subset of subset_of");
        }
        if (const OperatorValue *supersetOf = policy.find("superset_of")) {
            if (supersetOf->value.isArray() && !isSubset(supersetOf->value.asArray(), values))
                return combinationError("superset_of", "the values of value must be a superset of superset_of");
        }
        if (const OperatorValue *essential = policy.find("essential")) {
            if (own.isNull() && essential->value.isBool() && essential->value.asBool())
                return combinationError("essential", "value must not be null when essential is true");
        }
        return ok();
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json>) const override
    {
        if (own.isNull())
            return std::optional<Json>();  // null removes the parameter
        return std::optional<Json>(own);
    }
};

class AddOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "add"; }
    int order() const noexcept override { return operator_order::kAdd; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        return checkArrayOperand(name(), value, false);
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        return Json(setUnion(superior.asArray(), subordinate.asArray()));
    }

    Result<void> checkCombination(const Json &own, const ParameterPolicy &policy) const override
    {
        if (policy.find("one_of"))
            return combinationError("one_of", "add and one_of cannot be combined");
        if (const OperatorValue *subsetOf = policy.find("subset_of")) {
            if (subsetOf->value.isArray() && !isSubset(own.asArray(), subsetOf->value.asArray()))
                return combinationError("subset_of", "the values of add must be a subset of the values of subset_of");
        }
        return ok();
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current)
            return std::optional<Json>(Json(setUnion({}, own.asArray())));
        if (!current->isArray())
            return violation("add needs an array parameter, got " + brief(*current));
        return std::optional<Json>(Json(setUnion(current->asArray(), own.asArray())));
    }
};

class DefaultOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "default"; }
    int order() const noexcept override { return operator_order::kDefault; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        if (value.isNull())
            return policyError("default value must not be null");
        return ok();
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        if (!equalAsSets(superior, subordinate))
            return policyError("the values differ; merged default operators must be equal");
        return superior;
    }

    Result<void> checkCombination(const Json &, const ParameterPolicy &) const override
    {
        // default combines with every other standard operator; its pair with
        // value is checked by value (value must not be null).
        return ok();
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (current)
            return current;
        return std::optional<Json>(own);
    }
};

} // namespace

std::shared_ptr<const PolicyOperator> makeValueOperator()
{
    return std::make_shared<const ValueOperator>();
}

std::shared_ptr<const PolicyOperator> makeAddOperator()
{
    return std::make_shared<const AddOperator>();
}

std::shared_ptr<const PolicyOperator> makeDefaultOperator()
{
    return std::make_shared<const DefaultOperator>();
}

} // namespace oidfed::policy
