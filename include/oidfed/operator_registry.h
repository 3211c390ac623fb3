/// oidfed::OperatorRegistry — the set of metadata policy operators an engine
/// understands, by name, in their order of application.
///
/// Build one with OperatorRegistry::standard() (the seven operators of
/// 6.1.3.1) and add(), at set-up time, any additional operators the
/// federation defines (6.1.3.2). Pass it by const reference to
/// combinePolicies() and applyPolicy(). An operator name that is not
/// registered is "not understood": it is ignored unless a statement of the
/// chain lists it in `metadata_policy_crit`, in which case resolution fails.
///
/// Thread safety: a const registry may be shared by any number of threads.
/// add() must not race with any other use. Copies share the (immutable)
/// operator objects.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <oidfed/policy_operator.h>
#include <oidfed/result.h>

namespace oidfed {

/// Whether `name` is one of the seven standard operators of 6.1.3.1.
bool isStandardOperator(std::string_view name) noexcept;

class OperatorRegistry {
public:
    /// An empty registry: no operator is understood.
    OperatorRegistry() = default;

    /// A registry with the standard operators value, add, default, one_of,
    /// subset_of, superset_of and essential.
    static OperatorRegistry standard();

    /// Registers `op`. Returns InvalidArgument when `op` is null, its name is
    /// empty or already registered, or its order() is not strictly between
    /// operator_order::kValue and operator_order::kEssential (6.1.3.2); the
    /// standard operators are registered only through standard().
    Result<void> add(std::shared_ptr<const PolicyOperator> op);

    /// The operator named `name`, or nullptr when not understood. The pointer
    /// stays valid while this registry (or a copy of it) lives.
    const PolicyOperator *find(std::string_view name) const noexcept;

    /// All registered operators, in order of application.
    const std::vector<std::shared_ptr<const PolicyOperator>> &inApplicationOrder() const noexcept
    {
        return operators_;
    }

private:
    void insertSorted(std::shared_ptr<const PolicyOperator> op);

    std::vector<std::shared_ptr<const PolicyOperator>> operators_;
};

} // namespace oidfed
