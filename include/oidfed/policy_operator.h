/// oidfed::PolicyOperator — one metadata policy operator (6.1.3): the
/// extension point of the metadata policy engine.
///
/// The seven standard operators of 6.1.3.1 are implementations of this
/// interface, and a federation may add its own (6.1.3.2): subclass
/// PolicyOperator and register an instance in an OperatorRegistry (see
/// operator_registry.h), which is then passed explicitly to combinePolicies()
/// and applyPolicy(). There is no global registry.
///
/// An operator declares: its unique case-sensitive name; its place in the
/// order of application (order()); which operator values it accepts
/// (checkOperatorValue); how two statements' values merge (merge); which
/// combinations with other operators of the same parameter it allows
/// (checkCombination); and what it does to a parameter (apply).
///
/// Thread safety: implementations MUST be immutable after construction; all
/// methods are const and may be called from any number of threads at once.
#pragma once

#include <optional>
#include <string_view>

#include <oidfed/json.h>
#include <oidfed/parameter_policy.h>
#include <oidfed/result.h>

namespace oidfed {

/// Positions of the standard operators in the order of application (6.1.3.1).
/// Lower runs first. An additional operator picks a position strictly between
/// kValue and kEssential: modifiers MUST run after `value` and checks MUST run
/// before `essential` (6.1.3.2); checks SHOULD run after modifiers (6.1.3).
namespace operator_order {
inline constexpr int kValue = 100;
inline constexpr int kAdd = 200;
inline constexpr int kDefault = 300;
inline constexpr int kOneOf = 400;
inline constexpr int kSubsetOf = 500;
inline constexpr int kSupersetOf = 600;
inline constexpr int kEssential = 700;
} // namespace operator_order

class PolicyOperator {
public:
    PolicyOperator() = default;
    virtual ~PolicyOperator() = default;
    PolicyOperator(const PolicyOperator &) = delete;
    PolicyOperator &operator=(const PolicyOperator &) = delete;

    /// Unique, case-sensitive operator name, e.g. "subset_of". Never empty.
    virtual std::string_view name() const noexcept = 0;

    /// Position in the order of application (see operator_order). Operators
    /// with equal positions run in name order.
    virtual int order() const noexcept = 0;

    /// Checks that `value` is an operator value of a type this operator
    /// supports (6.1.3). Returns PolicyConflict (a policy error) otherwise.
    /// The message describes the problem; the engine adds the parameter and
    /// the issuer.
    virtual Result<void> checkOperatorValue(const Json &value) const = 0;

    /// Merges the value of a superior statement with the value of a
    /// subordinate one (6.1.4.1, operator level). REQUIRES: both values passed
    /// checkOperatorValue. Returns the merged value, or PolicyConflict when
    /// the values cannot be merged.
    virtual Result<Json> merge(const Json &superior, const Json &subordinate) const = 0;

    /// Checks that this operator, with value `own`, may be combined with the
    /// other operators of `policy` (6.1.3, allowed combinations). Called for
    /// every statement's parameter policy and again after each merge.
    /// Operators it does not know about MUST be ignored. On a disallowed
    /// combination returns PolicyConflict with Error::claim set to the name
    /// of the other operator involved (so the engine can name both and their
    /// issuers) and a message stating the rule.
    virtual Result<void> checkCombination(const Json &own, const ParameterPolicy &policy) const = 0;

    /// Applies the operator with value `own` to a parameter (6.1.4.2).
    /// `current` is the parameter's value, or nullopt when it is absent
    /// (never a Json null). Returns the new value, nullopt to remove the
    /// parameter; MUST NOT return a Json null (6.1.3). Returns
    /// PolicyViolation when the metadata does not satisfy the operator or the
    /// parameter has a type the operator does not support.
    virtual Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const = 0;
};

} // namespace oidfed
