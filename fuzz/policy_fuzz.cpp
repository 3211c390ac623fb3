// libFuzzer target: metadata policy combination and application (spec
// 6.1.4; include/oidfed/metadata_policy.h).
//
// The input is a JSON document:
//   {"policies": [metadata_policy, ...],    1 to 4 statements, most Superior first
//    "metadata": {entity type: {...}},      the metadata to apply the result to
//    "metadata_policy_crit": [...]}         optional, on the last statement
// fuzz/make_seeds.py writes the Connect2id and spec vectors of ../shared in
// this shape. Other documents are ignored (the JSON target covers parsing).
//
// Invariants: only the documented error codes come back; a combined policy
// is a fixed point (combining its own JSON form alone gives it back); and
// resolved metadata complies with the policy that produced it (applying the
// policy again succeeds and changes nothing).

#include <cstddef>
#include <cstdint>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/operator_registry.h>

#include "fuzz_support.h"

using oidfed::ErrorCode;
using oidfed::Json;
using oidfed::PolicyStatement;
using oidfed::fuzz::check;

namespace {

constexpr std::size_t kMaxStatements = 4;

const oidfed::OperatorRegistry &registry()
{
    static const auto *standard = new oidfed::OperatorRegistry(oidfed::OperatorRegistry::standard());
    return *standard;
}

/// The statements the document describes; empty when it has the wrong shape.
std::vector<PolicyStatement> statementsOf(const Json &document)
{
    const Json *policies = document.find("policies");
    if (!policies || !policies->isArray() || policies->size() == 0 || policies->size() > kMaxStatements)
        return {};
    std::vector<PolicyStatement> statements;
    for (const Json &policy : policies->asArray())
        statements.push_back(
            PolicyStatement{"https://statement-" + std::to_string(statements.size()) + ".example", policy, {}});
    if (const Json *crit = document.find("metadata_policy_crit")) {
        auto names = oidfed::parseMetadataPolicyCrit(*crit);
        if (!names) {
            check(names.error().code == ErrorCode::InvalidClaim,
                  "parseMetadataPolicyCrit fails with InvalidClaim only");
            return {};
        }
        statements.back().metadataPolicyCrit = std::move(names).value();
    }
    return statements;
}

void checkFixedPoint(const oidfed::ResolvedPolicy &merged)
{
    const Json form = merged.toJson();
    std::vector<PolicyStatement> alone{PolicyStatement{"https://merged.example", form, {}}};
    auto again = oidfed::combinePolicies(alone, registry());
    check(again.has_value(), "a combined policy is itself a valid policy");
    check(again->toJson() == form, "combining a combined policy alone gives it back");
}

void checkApplied(const oidfed::ResolvedPolicy &merged, const Json &metadata)
{
    auto applied = oidfed::applyPolicy(merged, metadata, registry());
    if (!applied) {
        const auto code = applied.error().code;
        check(code == ErrorCode::Malformed || code == ErrorCode::PolicyViolation,
              "applyPolicy fails with Malformed or PolicyViolation only");
        return;
    }
    auto again = oidfed::applyPolicy(merged, applied->metadata, registry());
    check(again.has_value(), "resolved metadata complies with the policy that produced it");
    check(again->metadata == applied->metadata, "applying a policy twice changes nothing the second time");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    auto document = oidfed::parseJson(oidfed::fuzz::asText(data, size));
    if (!document || !document->isObject())
        return 0;
    const std::vector<PolicyStatement> statements = statementsOf(*document);
    if (statements.empty())
        return 0;

    auto merged = oidfed::combinePolicies(statements, registry());
    if (!merged) {
        const auto code = merged.error().code;
        check(code == ErrorCode::PolicyConflict || code == ErrorCode::UnknownCritical ||
                  code == ErrorCode::InvalidClaim,
              "combinePolicies fails with PolicyConflict, UnknownCritical or InvalidClaim only");
        return 0;
    }
    check(merged->present, "a combined policy of statements that have one is present");
    checkFixedPoint(*merged);
    if (const Json *metadata = document->find("metadata"))
        checkApplied(*merged, *metadata);
    return 0;
}
