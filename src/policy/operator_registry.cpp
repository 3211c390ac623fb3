#include <oidfed/operator_registry.h>

#include <algorithm>
#include <array>
#include <string>

#include "policy/standard_operators.h"

namespace oidfed {

namespace {

constexpr std::array<std::string_view, 7> kStandardNames = {
    "value", "add", "default", "one_of", "subset_of", "superset_of", "essential",
};

bool applicationLess(const std::shared_ptr<const PolicyOperator> &a, const std::shared_ptr<const PolicyOperator> &b)
{
    if (a->order() != b->order())
        return a->order() < b->order();
    return a->name() < b->name();
}

} // namespace

bool isStandardOperator(std::string_view name) noexcept
{
    return std::find(kStandardNames.begin(), kStandardNames.end(), name) != kStandardNames.end();
}

OperatorRegistry OperatorRegistry::standard()
{
    OperatorRegistry registry;
    registry.insertSorted(policy::makeValueOperator());
    registry.insertSorted(policy::makeAddOperator());
    registry.insertSorted(policy::makeDefaultOperator());
    registry.insertSorted(policy::makeOneOfOperator());
    registry.insertSorted(policy::makeSubsetOfOperator());
    registry.insertSorted(policy::makeSupersetOfOperator());
    registry.insertSorted(policy::makeEssentialOperator());
    return registry;
}

Result<void> OperatorRegistry::add(std::shared_ptr<const PolicyOperator> op)
{
    if (!op)
        return fail(ErrorCode::InvalidArgument, "cannot register a null policy operator");
    const std::string name(op->name());
    if (name.empty())
        return fail(ErrorCode::InvalidArgument, "a policy operator needs a name");
    if (isStandardOperator(name))
        return fail(ErrorCode::InvalidArgument, "\"" + name + "\" is a standard operator (6.1.3.1)");
    if (find(name))
        return fail(ErrorCode::InvalidArgument, "policy operator \"" + name + "\" is already registered");
    if (op->order() <= operator_order::kValue || op->order() >= operator_order::kEssential)
        return fail(Error(ErrorCode::InvalidArgument,
                          "policy operator \"" + name + "\" must run after value and before essential (order " +
                              std::to_string(op->order()) + " not in (" + std::to_string(operator_order::kValue) +
                              ", " + std::to_string(operator_order::kEssential) + "))")
                        .withRule("6.1.3.2"));
    insertSorted(std::move(op));
    return ok();
}

const PolicyOperator *OperatorRegistry::find(std::string_view name) const noexcept
{
    for (const auto &op : operators_)
        if (op->name() == name)
            return op.get();
    return nullptr;
}

void OperatorRegistry::insertSorted(std::shared_ptr<const PolicyOperator> op)
{
    auto at = std::upper_bound(operators_.begin(), operators_.end(), op, applicationLess);
    operators_.insert(at, std::move(op));
}

} // namespace oidfed
