// The seven standard metadata policy operators of 6.1.3.1, as PolicyOperator
// implementations, and the small helpers they share. Private to src/policy/.
#pragma once

#include <memory>
#include <string>

#include <oidfed/error.h>
#include <oidfed/policy_operator.h>
#include <oidfed/result.h>

namespace oidfed::policy {

std::shared_ptr<const PolicyOperator> makeValueOperator();
std::shared_ptr<const PolicyOperator> makeAddOperator();
std::shared_ptr<const PolicyOperator> makeDefaultOperator();
std::shared_ptr<const PolicyOperator> makeOneOfOperator();
std::shared_ptr<const PolicyOperator> makeSubsetOfOperator();
std::shared_ptr<const PolicyOperator> makeSupersetOfOperator();
std::shared_ptr<const PolicyOperator> makeEssentialOperator();

/// A policy error (6.1.3): PolicyConflict with `message`.
inline Unexpected policyError(std::string message)
{
    return fail(Error(ErrorCode::PolicyConflict, std::move(message)).withRule("6.1.3.1"));
}

/// A disallowed combination with operator `other` (see PolicyOperator::checkCombination).
inline Unexpected combinationError(std::string_view other, std::string message)
{
    return fail(Error(ErrorCode::PolicyConflict, std::move(message)).withRule("6.1.3.1").withClaim(other));
}

/// Metadata that does not comply with an operator (6.1.4.2).
inline Unexpected violation(std::string message)
{
    return fail(Error(ErrorCode::PolicyViolation, std::move(message)).withRule("6.1.4.2"));
}

/// Checks that `value` is an array whose elements are strings, numbers or
/// objects (the element types of 6.1.3.1); `nonEmpty` also rejects [].
Result<void> checkArrayOperand(std::string_view op, const Json &value, bool nonEmpty);

} // namespace oidfed::policy
