// The issuer-wide defaults of a subordinate directory: one file,
// "_defaults.json" (kSubordinateDefaultsFile), beside the subordinates'
// files, holding what an authority says about all of its subordinates — a
// metadata_policy, metadata_policy_crit and constraints — so that it is
// written once instead of copied into every file. Each subordinate's
// statement carries the defaults merged with its own file's members:
//  - metadata_policy: a parameter only one side has a policy for keeps it;
//    one both have gets the two combined under the standard operators
//    (6.1.4.1). A combination that fails, or one that involves an operator
//    that is not standard, is a conflict.
//  - constraints: a member only one side has is kept; one both have must be
//    equal, or it is a conflict.
//  - metadata_policy_crit: both lists, merged.
// A conflict is an error of the subordinate's file, naming both files; the
// server then treats that file as bad (its previous record, or left out).
#pragma once

#include <string>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/result.h>

#include "entity/subordinate.h"

namespace oidfed::entity {

struct SubordinateDefaults {
    Json metadataPolicy{};                          ///< object or null
    std::vector<std::string> metadataPolicyCrit{};
    Json constraints{};                             ///< object or null
    std::string comment{};                          ///< for reviewers; never signed
};

/// Parses the defaults file's JSON: an object with only metadata_policy,
/// metadata_policy_crit, constraints and comment, each checked as in a
/// subordinate file. Errors name `sourceName` and the member (claim).
Result<SubordinateDefaults> parseSubordinateDefaults(const Json &json, const std::string &sourceName);

/// `subordinate` with `defaults` merged in (see the file comment).
/// InvalidArgument naming both files, with claim the member, on a conflict.
Result<Subordinate> applySubordinateDefaults(Subordinate subordinate, const SubordinateDefaults &defaults);

} // namespace oidfed::entity
