// oidfed policy combine P1.json [P2.json ...] [--crit NAME ...]
// oidfed policy apply POLICY.json METADATA.json [--explain]
//
// `combine` merges `metadata_policy` objects (keyed by Entity Type), superior
// first, as a Trust Chain would (6.1.4.1), and prints the merged policy; each
// file stands for one Subordinate Statement and is named as its issuer in
// errors. `apply` validates POLICY.json as a resolved policy and applies it to
// METADATA.json (both keyed by Entity Type, 6.1.4.2) and prints the resolved
// metadata; --explain prints {"metadata", "changes"} instead, with every
// change and the operator and statement that made it. Exit codes: 0 ok, 1
// the policies cannot be combined or the metadata violates the policy (JSON
// error "invalid_metadata"), 2 usage errors and unreadable or non-JSON files.
// With --format text, the policy or metadata as indented "name: value" lines.

#include "commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/metadata_policy.h>

#include "text_output.h"

namespace oidfed::cli {

namespace {

struct CombineArgs {
    std::vector<std::string> files;
    std::vector<std::string> crit;
};

struct ApplyArgs {
    std::string policyFile;
    std::string metadataFile;
    bool explain = false;
};

/// Reads and parses a JSON file; unreadable or malformed input is a usage
/// error (exit 2), not a verdict on the policy.
Result<Json> readJsonFile(const std::string &path)
{
    OIDFED_TRY(auto text, readInput(path));
    auto parsed = parseJson(text);
    if (!parsed)
        return fail(Error(ErrorCode::InvalidArgument, path + ": " + parsed.error().message));
    return std::move(parsed).value();
}

Json changeToJson(const ParameterChange &change)
{
    Json out = Json::object();
    out.set("entity_type", change.entityType);
    if (!change.parameter.empty())
        out.set("parameter", change.parameter);
    out.set("source", change.source);
    Json issuers = Json::array();
    for (const std::string &issuer : change.issuers)
        issuers.push(issuer);
    out.set("issuers", std::move(issuers));
    out.set("effect", std::string(changeEffectName(change.effect)));
    if (change.before)
        out.set("before", *change.before);
    if (change.after)
        out.set("after", *change.after);
    return out;
}

/// Metadata is {"<entity type>": {<parameters>}}. Metadata of one entity
/// type given flat ({"scopes_supported": [...]}) would pass every policy
/// untouched, since no entity type matches: say so on stderr.
void warnIfNotKeyedByEntityType(const Json &metadata, const std::string &file)
{
    for (const auto &[name, value] : metadata.asObject()) {
        if (value.isObject())
            continue;
        std::cerr << "warning: " << file << " is not keyed by entity type: \"" << name
                  << "\" is not an object, so no policy applies to it (expected {\"<entity type>\": {<parameters>}}, "
                     "e.g. {\"openid_provider\": {...}})\n";
        return;
    }
}

// PRODUCT.md 3.1: a policy that cannot be combined or applied is reported as
// "invalid_metadata" whatever the reason (conflict, violation, an unknown
// critical operator, a malformed metadata_policy_crit).
constexpr std::string_view kInvalidPolicy = "invalid_metadata";

int runCombine(const CombineArgs &args, Format format)
{
    std::vector<PolicyStatement> statements;
    for (const std::string &file : args.files) {
        auto policy = readJsonFile(file);
        if (!policy)
            return reportError(policy.error(), format);
        statements.push_back(PolicyStatement{file, std::move(policy).value(), args.crit});
    }
    auto merged = combinePolicies(statements, OperatorRegistry::standard());
    if (!merged)
        return reportError(merged.error(), format, kInvalidPolicy);
    if (format == Format::Json)
        printJson(merged->toJson());
    else
        printValueText(std::cout, merged->toJson());
    return kExitOk;
}

int runApply(const ApplyArgs &args, Format format)
{
    auto policyJson = readJsonFile(args.policyFile);
    if (!policyJson)
        return reportError(policyJson.error(), format);
    auto metadata = readJsonFile(args.metadataFile);
    if (!metadata)
        return reportError(metadata.error(), format);
    if (!metadata->isObject())
        return reportError(Error(ErrorCode::InvalidArgument, args.metadataFile + ": metadata must be a JSON object "
                                                                                 "keyed by Entity Type"),
                           format);
    warnIfNotKeyedByEntityType(*metadata, args.metadataFile);

    const OperatorRegistry registry = OperatorRegistry::standard();
    std::vector<PolicyStatement> statements{PolicyStatement{args.policyFile, std::move(policyJson).value(), {}}};
    auto policy = combinePolicies(statements, registry);
    if (!policy)
        return reportError(policy.error(), format, kInvalidPolicy);
    auto resolved = applyPolicy(*policy, std::move(metadata).value(), registry);
    if (!resolved)
        return reportError(resolved.error(), format, kInvalidPolicy);
    if (format == Format::Text) {
        printValueText(std::cout, resolved->metadata);
        if (args.explain)
            printChangesText(std::cout, "changes", resolved->changes);
        return kExitOk;
    }
    if (!args.explain) {
        printJson(resolved->metadata);
        return kExitOk;
    }
    Json out = Json::object();
    out.set("metadata", resolved->metadata);
    Json changes = Json::array();
    for (const ParameterChange &change : resolved->changes)
        changes.push(changeToJson(change));
    out.set("changes", std::move(changes));
    printJson(out);
    return kExitOk;
}

} // namespace

void addPolicyCommand(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("policy", "Combine metadata policies and apply them to metadata (spec 6.1)");
    cmd->require_subcommand(1);

    auto combineArgs = std::make_shared<CombineArgs>();
    auto *combine = cmd->add_subcommand("combine", "Merge metadata_policy objects, superior first; print the result");
    combine->add_option("policies", combineArgs->files, "metadata_policy JSON files keyed by Entity Type, superior first")
        ->required();
    combine->add_option("--crit", combineArgs->crit,
                        "Operator names to treat as critical (metadata_policy_crit); repeatable");
    combine->callback([combineArgs, &ctx] { ctx.exitCode = runCombine(*combineArgs, ctx.global.resolved()); });

    auto applyArgs = std::make_shared<ApplyArgs>();
    auto *apply = cmd->add_subcommand("apply", "Apply a metadata policy to metadata; print the resolved metadata");
    apply->add_option("policy", applyArgs->policyFile, "metadata_policy JSON file keyed by Entity Type")->required();
    apply->add_option("metadata", applyArgs->metadataFile, "metadata JSON file keyed by Entity Type")->required();
    apply->add_flag("--explain", applyArgs->explain,
                    "Print {\"metadata\", \"changes\"}: each change with its operator and statement");
    apply->callback([applyArgs, &ctx] { ctx.exitCode = runApply(*applyArgs, ctx.global.resolved()); });

    addPolicyImpactCommand(*cmd, ctx);
}

} // namespace oidfed::cli
