// The checking standard operators: one_of (6.1.3.1.4), subset_of
// (6.1.3.1.5, which also modifies), superset_of (6.1.3.1.6) and essential
// (6.1.3.1.7), with the combination rules of their rows of the table.

#include "policy/standard_operators.h"

#include "policy/json_set.h"

namespace oidfed::policy {

namespace {

class OneOfOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "one_of"; }
    int order() const noexcept override { return operator_order::kOneOf; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        return checkArrayOperand(name(), value, true);
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        Json::Array merged = setIntersection(superior.asArray(), subordinate.asArray());
        if (merged.empty())
            return policyError("the values have nothing in common; a merged one_of must not be empty");
        return Json(std::move(merged));
    }

    Result<void> checkCombination(const Json &, const ParameterPolicy &policy) const override
    {
        if (policy.find("subset_of"))
            return combinationError("subset_of", "one_of and subset_of cannot be combined");
        if (policy.find("superset_of"))
            return combinationError("superset_of", "one_of and superset_of cannot be combined");
        return ok();
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current)
            return current;
        if (current->isArray() || current->isBool())
            return violation("one_of needs a single string, number or object parameter, got " + brief(*current));
        if (!containsValue(own.asArray(), *current))
            return violation(brief(*current) + " is not one of the one_of values");
        return current;
    }
};

class SubsetOfOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "subset_of"; }
    int order() const noexcept override { return operator_order::kSubsetOf; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        return checkArrayOperand(name(), value, false);
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        // An empty intersection is allowed: the parameter becomes [] (6.1.3.1.5).
        return Json(setIntersection(superior.asArray(), subordinate.asArray()));
    }

    Result<void> checkCombination(const Json &own, const ParameterPolicy &policy) const override
    {
        if (const OperatorValue *supersetOf = policy.find("superset_of")) {
            if (supersetOf->value.isArray() && !isSubset(supersetOf->value.asArray(), own.asArray()))
                return combinationError("superset_of",
                                        "the values of subset_of must be a superset of the values of superset_of");
        }
        return ok();
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current)
            return current;  // absent stays absent; never created
        if (!current->isArray())
            return violation("subset_of needs an array parameter, got " + brief(*current));
        return std::optional<Json>(Json(setIntersection(current->asArray(), own.asArray())));
    }
};

class SupersetOfOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "superset_of"; }
    int order() const noexcept override { return operator_order::kSupersetOf; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        return checkArrayOperand(name(), value, false);
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        return Json(setUnion(superior.asArray(), subordinate.asArray()));
    }

    Result<void> checkCombination(const Json &, const ParameterPolicy &) const override
    {
        return ok();  // its pairs are checked by value, one_of and subset_of
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current)
            return current;
        if (!current->isArray())
            return violation("superset_of needs an array parameter, got " + brief(*current));
        Json::Array missing = setDifference(own.asArray(), current->asArray());
        if (!missing.empty())
            return violation("lacks " + brief(Json(std::move(missing))) + " required by superset_of");
        return current;
    }
};

class EssentialOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "essential"; }
    int order() const noexcept override { return operator_order::kEssential; }

    Result<void> checkOperatorValue(const Json &value) const override
    {
        if (!value.isBool())
            return policyError("essential value must be a boolean, got " + brief(value));
        return ok();
    }

    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        return Json(superior.asBool() || subordinate.asBool());
    }

    Result<void> checkCombination(const Json &, const ParameterPolicy &) const override
    {
        return ok();  // its pair with value is checked by value
    }

    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (own.asBool() && !current)
            return violation("is absent but essential");
        return current;
    }
};

} // namespace

std::shared_ptr<const PolicyOperator> makeOneOfOperator()
{
    return std::make_shared<const OneOfOperator>();
}

std::shared_ptr<const PolicyOperator> makeSubsetOfOperator()
{
    return std::make_shared<const SubsetOfOperator>();
}

std::shared_ptr<const PolicyOperator> makeSupersetOfOperator()
{
    return std::make_shared<const SupersetOfOperator>();
}

std::shared_ptr<const PolicyOperator> makeEssentialOperator()
{
    return std::make_shared<const EssentialOperator>();
}

} // namespace oidfed::policy
