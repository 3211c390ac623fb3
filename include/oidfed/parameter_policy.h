/// oidfed::ParameterPolicy — the policy of one metadata parameter (6.1.2).
///
/// A parameter policy is the set of operators that apply to one parameter of
/// one Entity Type, e.g. `openid_relying_party` / `grant_types` /
/// {"subset_of": [...], "essential": true}. Each operator value remembers the
/// Subordinate Statements (by issuer) that contributed to it, so that a failure
/// can say who set what and a successful resolution can explain itself.
/// These are plain values: copies are deep, and a const one may be read from
/// any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>

namespace oidfed {

/// One operator of a parameter policy, e.g. {"subset_of": ["a", "b"]}.
struct OperatorValue {
    std::string name;                  ///< operator name, e.g. "subset_of"
    Json value;                        ///< operator value (after merging, when merged)
    std::vector<std::string> issuers;  ///< statements that contributed `value`, most superior first
};

/// The policy of one parameter of one Entity Type.
struct ParameterPolicy {
    std::string entityType;               ///< e.g. "openid_relying_party"
    std::string parameter;                ///< metadata parameter name, possibly with a #lang tag
    std::vector<OperatorValue> operators; ///< in order of first appearance, not of application

    /// The operator named `name`, or nullptr. The pointer stays valid until
    /// `operators` is modified.
    const OperatorValue *find(std::string_view name) const;
    OperatorValue *find(std::string_view name);
};

} // namespace oidfed
