// oidfed chain ENTITY_ID ...   (PRODUCT.md 3.1)
//
// Same arguments as resolve; prints the chain as a readable tree, issuer
// above subject, with kid, alg, iat/exp and the policy each hop adds, then
// the verdict. On failure: every candidate path and why it was rejected.

#include "commands.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "resolver_setup.h"
#include "text_output.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

void printTree(const Json &report)
{
    const Json &statements = *report.find("statements");
    std::size_t depth = 0;
    for (const Json &s : statements.asArray()) {
        std::string indent(depth * 2, ' ');
        if (const std::string *error = s.findString("error")) {
            std::cout << indent << "(unparsable statement: " << *error << ")\n";
            continue;
        }
        bool ec = s.find("kind")->asString() == "entity_configuration";
        std::cout << indent << (depth ? "^ " : "") << s.find("iss")->asString()
                  << (ec ? "  [Entity Configuration]" : "  [Subordinate Statement about " + s.find("sub")->asString() + "]")
                  << "\n"
                  << indent << "    kid " << s.find("kid")->asString() << ", " << s.find("alg")->asString() << ", iat "
                  << s.find("iat")->asString() << ", exp " << s.find("exp")->asString() << "\n";
        for (const char *claim : {"metadata_policy", "constraints", "metadata"})
            if (const Json *value = s.find(claim))
                std::cout << indent << "    " << claim << ": " << value->dump() << "\n";
        ++depth;
    }
    std::cout << "verdict: " << report.find("verdict")->asString();
    if (const Json *exp = report.find("exp"))
        std::cout << " (chain expires " << exp->asString() << ")";
    std::cout << "\n";
}

int runChain(const ResolveArgs &args, Format format)
{
    auto bundle = makeResolver(args);
    if (!bundle)
        return reportError(bundle.error(), format);
    auto request = makeRequest(args, args.subject);
    if (!request)
        return reportError(request.error(), format);
    request->explain = true;  // the candidates are part of what chain shows
    ResolveOutcome outcome = bundle->resolver->resolve(*request);

    StatementOptions statementOptions;
    statementOptions.entityIds.allowHttp = args.allowHttp;
    Json report = Json::object();
    report.set("sub", args.subject);
    if (outcome.chain) {
        const TrustChain &chain = **outcome.chain;
        report.set("verdict", "valid");
        report.set("trust_anchor", chain.trustAnchor().str());
        report.set("exp", formatRfc3339(chain.expiresAt()));
        Json statements = Json::array();
        for (const std::string &jwt : chain.statements())
            statements.push(describeStatement(jwt, statementOptions));
        report.set("statements", std::move(statements));
        report.set("metadata", chain.metadata());
    } else {
        report.set("verdict", "invalid");
        report.set("error", std::string(specErrorCode(outcome.chain.error().code)));
        report.set("error_description", outcome.chain.error().describe());
        report.set("statements", Json::array());
    }
    report.set("explain", explainJson(outcome));

    if (format == Format::Json) {
        printJson(report);
    } else {
        printAlarmsText(std::cout, outcome);
        if (outcome.chain) {
            printTree(report);
            std::cout << "resolved metadata:\n";
            printValueText(std::cout, *report.find("metadata"), 2);
        } else {
            std::cout << "verdict: INVALID: " << outcome.chain.error().describe() << "\n";
            printCandidatesText(std::cout, *report.find("explain"));
        }
    }
    return outcome.chain ? kExitOk : exitCodeFor(outcome.chain.error());
}

} // namespace

void addChainCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<ResolveArgs>();
    auto *cmd = app.add_subcommand("chain", "Show a trust chain as a tree: who signed what, with which key, and the verdict");
    cmd->add_option("entity_id", args->subject, "Entity Identifier of the subject")->required();
    addResolveOptions(*cmd, *args);
    cmd->callback([args, &ctx] { ctx.exitCode = runChain(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
