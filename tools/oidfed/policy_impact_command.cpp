// oidfed policy impact --issuer AUTHORITY_ID [--sub SUB_ID ...]
//     (--metadata-policy FILE | --constraints FILE)... --trust-anchor-file F
//     [--max-entities N] + the resolve options
//
// What a change to the statements an authority issues would do, before it is
// published: the federation is crawled once (crawl::crawlFederation, every
// chain verified as it is today), then every valid chain that passes through
// a changed statement — one the issuer makes about one of --sub, or about
// any of its subordinates without --sub — has its policy applied again with
// the proposed metadata_policy and/or constraints in place of that
// statement's (detail::applyChainPolicy, the validator's own code; the
// proposal is never signed nor published). It reports, per entity, the
// resolved metadata parameters that would change (before and after) and the
// entities whose chain would break, with the error and its rule.
//
// Exit codes: 0 nothing breaks; 1 something would break; 2 usage; 3 a
// trust anchor is unreachable.

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/error_json.h>
#include <oidfed/operator_registry.h>

#include "chain/validator.h"
#include "commands.h"
#include "crawl_support.h"
#include "resolver_setup.h"

namespace oidfed::cli {

namespace {

struct ImpactArgs {
    std::string issuer;
    std::vector<std::string> subs;
    std::string policyFile;
    std::string constraintsFile;
    std::size_t maxEntities = 100000;
    ResolveArgs resolve;
};

/// A proposed claim: absent (not changed), null (removed) or an object.
struct ProposedClaim {
    bool given = false;
    Json value{};
    const Json *pointer() const { return value.isNull() ? nullptr : &value; }
};

Result<ProposedClaim> readProposal(const std::string &file, std::string_view what)
{
    if (file.empty())
        return ProposedClaim{};
    OIDFED_TRY(std::string text, readInput(file, what));
    auto json = parseJson(text);
    if (!json)
        return fail(Error(ErrorCode::InvalidArgument, std::string(what) + " " + file + ": " + json.error().message));
    if (!json->isObject() && !json->isNull())
        return fail(ErrorCode::InvalidArgument,
                    std::string(what) + " " + file + " must hold a JSON object (or null to remove the claim)");
    return ProposedClaim{.given = true, .value = std::move(json).value()};
}

/// Parameter by parameter, what differs between two resolved metadata.
Json metadataDiff(const Json &before, const Json &after)
{
    Json changes = Json::array();
    std::set<std::string> types;
    for (const Json *side : {&before, &after})
        if (side->isObject())
            for (const auto &[type, value] : side->asObject())
                types.insert(type);
    for (const std::string &type : types) {
        const Json *was = before.find(type);
        const Json *now = after.find(type);
        std::set<std::string> parameters;
        for (const Json *side : {was, now})
            if (side && side->isObject())
                for (const auto &[name, value] : side->asObject())
                    parameters.insert(name);
        for (const std::string &parameter : parameters) {
            const Json *a = was ? was->find(parameter) : nullptr;
            const Json *b = now ? now->find(parameter) : nullptr;
            if (a && b && *a == *b)
                continue;
            Json change = Json::object();
            change.set("entity_type", type);
            change.set("parameter", parameter);
            if (a)
                change.set("before", *a);
            if (b)
                change.set("after", *b);
            changes.push(std::move(change));
        }
    }
    return changes;
}

struct Impact {
    Json changed = Json::array();
    Json broken = Json::array();
    std::size_t affected = 0;
    std::size_t unchanged = 0;
    std::size_t unaffected = 0;
    std::size_t alreadyInvalid = 0;
};

void judgeEntity(const crawl::CrawledEntity &entity, const ImpactArgs &args, const ProposedClaim &policy,
                 const ProposedClaim &constraints, const StatementOptions &options, Impact &impact)
{
    if (!entity.chain || entity.error) {
        ++impact.alreadyInvalid;
        return;
    }
    const std::vector<std::string> &jwts = entity.chain->statements();
    std::vector<EntityStatement> statements;
    for (const std::string &jwt : jwts) {
        auto parsed = EntityStatement::parse(jwt, options);  // verified by the crawl's resolver
        if (!parsed)
            return;
        statements.push_back(std::move(parsed).value());
    }
    std::vector<detail::PolicyHop> today, proposed;
    bool touched = false;
    for (const EntityStatement &statement : statements) {
        if (statement.isEntityConfiguration())
            continue;
        detail::PolicyHop hop = detail::policyHopOf(statement);
        today.push_back(hop);
        const bool changed =
            hop.issuer == args.issuer &&
            (args.subs.empty() || std::find(args.subs.begin(), args.subs.end(), hop.subject) != args.subs.end());
        if (changed) {
            touched = true;
            if (policy.given)
                hop.metadataPolicy = policy.pointer();
            if (constraints.given)
                hop.constraints = constraints.pointer();
        }
        proposed.push_back(hop);
    }
    if (!touched) {
        ++impact.unaffected;
        return;
    }
    ++impact.affected;
    const Json *metadata = statements.front().claim("metadata");
    const Json subjectMetadata = metadata ? *metadata : Json::object();
    const OperatorRegistry registry = OperatorRegistry::standard();
    auto before = detail::applyChainPolicy(std::span<const detail::PolicyHop>(today), subjectMetadata, entity.entityId,
                                           registry);
    auto after = detail::applyChainPolicy(std::span<const detail::PolicyHop>(proposed), subjectMetadata,
                                          entity.entityId, registry);
    if (!after) {
        Json entry = Json::object();
        entry.set("entity_id", entity.entityId);
        entry.set("error", errorToJson(after.error()));
        impact.broken.push(std::move(entry));
        return;
    }
    Json changes = metadataDiff(before ? before->metadata : entity.chain->metadata(), after->metadata);
    if (changes.asArray().empty()) {
        ++impact.unchanged;
        return;
    }
    Json entry = Json::object();
    entry.set("entity_id", entity.entityId);
    entry.set("changes", std::move(changes));
    impact.changed.push(std::move(entry));
}

void printText(const Json &out)
{
    std::cout << "proposed change to the statements of " << *out.findString("issuer") << ": "
              << out.find("affected")->asInt() << " chains pass through them, " << out.find("changed")->asArray().size()
              << " would change, " << out.find("broken")->asArray().size() << " would break, "
              << out.find("unchanged")->asInt() << " unchanged\n";
    for (const Json &entity : out.find("broken")->asArray()) {
        const Json &error = *entity.find("error");
        std::cout << "  BREAKS " << *entity.findString("entity_id") << ": " << *error.findString("error_description");
        if (const std::string *rule = error.findString("rule"))
            std::cout << " (" << *rule << ")";
        std::cout << "\n";
    }
    for (const Json &entity : out.find("changed")->asArray()) {
        std::cout << "  changes " << *entity.findString("entity_id") << "\n";
        for (const Json &change : entity.find("changes")->asArray()) {
            std::cout << "    " << *change.findString("entity_type") << "." << *change.findString("parameter") << ": "
                      << (change.find("before") ? change.find("before")->dump() : std::string("(absent)")) << " -> "
                      << (change.find("after") ? change.find("after")->dump() : std::string("(absent)")) << "\n";
        }
    }
}

int runImpact(const ImpactArgs &args, Format format)
{
    if (args.policyFile.empty() && args.constraintsFile.empty())
        return reportError(Error(ErrorCode::InvalidArgument, "give --metadata-policy FILE, --constraints FILE or both"),
                           format);
    auto policy = readProposal(args.policyFile, "--metadata-policy");
    if (!policy)
        return reportError(policy.error(), format);
    auto constraints = readProposal(args.constraintsFile, "--constraints");
    if (!constraints)
        return reportError(constraints.error(), format);
    auto bundle = makeResolver(args.resolve, ResolverUse::Batch);
    if (!bundle)
        return reportError(bundle.error(), format);

    const crawl::CrawlOptions options{.maxEntities = args.maxEntities};
    StatementOptions statementOptions;  // the chains' statements, parsed again as the crawl parsed them
    statementOptions.entityIds.allowHttp = args.resolve.allowHttp;
    Impact impact;
    bool unreachable = false, truncated = false;
    for (const crawl::CrawlReport &report : crawlPinnedAnchors(*bundle, args.resolve, options)) {
        truncated = truncated || report.truncated;
        unreachable = unreachable || anchorUnreachable(report);
        for (const crawl::CrawledEntity &entity : report.entities)
            judgeEntity(entity, args, *policy, *constraints, statementOptions, impact);
    }
    if (unreachable)
        return reportError(Error(ErrorCode::Unavailable, "a trust anchor could not be reached: nothing was judged"),
                           format);

    Json out = Json::object();
    out.set("issuer", args.issuer);
    out.set("affected", static_cast<std::int64_t>(impact.affected));
    out.set("unchanged", static_cast<std::int64_t>(impact.unchanged));
    out.set("unaffected", static_cast<std::int64_t>(impact.unaffected));
    out.set("already_invalid", static_cast<std::int64_t>(impact.alreadyInvalid));
    out.set("truncated", truncated);
    const bool breaks = !impact.broken.asArray().empty();
    out.set("changed", std::move(impact.changed));
    out.set("broken", std::move(impact.broken));
    if (format == Format::Json)
        printJson(out);
    else
        printText(out);
    return breaks ? kExitInvalid : kExitOk;
}

} // namespace

void addPolicyImpactCommand(CLI::App &policy, CommandContext &ctx)
{
    auto args = std::make_shared<ImpactArgs>();
    CLI::App *command = policy.add_subcommand(
        "impact", "What a proposed metadata_policy or constraints would change or break, before it is published");
    command->add_option("--issuer", args->issuer, "The authority whose statements the proposal changes")->required();
    command->add_option("--sub", args->subs,
                        "Only its statements about these subordinates; repeatable (default: all of them)");
    command->add_option("--metadata-policy", args->policyFile,
                        "The proposed metadata_policy (JSON object keyed by entity type; null removes it)");
    command->add_option("--constraints", args->constraintsFile,
                        "The proposed constraints (JSON object; null removes them)");
    command->add_option("--max-entities", args->maxEntities, "Entities to crawl at most per anchor (default 100000)")
        ->check(CLI::Range(1, 10000000));
    addResolveOptions(*command, args->resolve);
    command->callback([args, &ctx]() { ctx.exitCode = runImpact(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
