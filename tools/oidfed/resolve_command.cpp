// oidfed resolve ENTITY_ID | --batch FILE   (PRODUCT.md 3.1)
//
// Prints the resolve-response claims, unsigned, or with --batch one JSON line
// per entity and a summary on stderr; with --format text, the same for people. Exit: 0 valid; 1 invalid; 2 usage;
// 3 unavailable (for --batch: 1 if any entity is invalid, else 3 if any was
// unavailable, else 0).

#include "commands.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <CLI/CLI.hpp>

#include <oidfed/entity_statement.h>
#include <oidfed/trust_chain.h>

#include "resolver_setup.h"
#include "text_output.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

// Concurrent resolutions in --batch: enough to overlap network waits; all
// share the resolver's statement store, so shared statements are fetched once.
constexpr unsigned kBatchThreads = 32;

/// The resolve-response claims for people: subject, anchor, expiry, the
/// chain (one line per statement), the trust marks and the metadata.
void printChainText(const TrustChain &chain, const ResolveArgs &args)
{
    std::cout << "subject:      " << chain.subject().str() << "\n"
              << "trust anchor: " << chain.trustAnchor().str() << "\n"
              << "expires:      " << formatRfc3339(chain.expiresAt()) << "\n"
              << "trust chain:  " << chain.statements().size() << " statements, subject first\n";
    StatementOptions statementOptions;
    statementOptions.entityIds.allowHttp = args.allowHttp;
    for (const std::string &jwt : chain.statements()) {
        Json statement = describeStatement(jwt, statementOptions);
        if (const std::string *error = statement.findString("error")) {
            std::cout << "  (unparsable statement: " << *error << ")\n";
            continue;
        }
        std::cout << "  " << statement.find("iss")->asString()
                  << (statement.find("kind")->asString() == "entity_configuration"
                          ? "  [Entity Configuration]"
                          : "  [Subordinate Statement about " + statement.find("sub")->asString() + "]")
                  << "\n";
    }
    std::cout << "trust marks:  " << (chain.trustMarks().empty() ? "none" : "") << "\n";
    for (const VerifiedTrustMark &mark : chain.trustMarks())
        std::cout << "  " << mark.trustMarkType << " from " << mark.issuer
                  << (mark.expiresAt < 0 ? ", no expiry" : ", expires " + formatRfc3339(mark.expiresAt)) << "\n";
    std::cout << "metadata:\n";
    printValueText(std::cout, chain.metadata(), 2);
}

int resolveOne(const ResolveArgs &args, Format format)
{
    auto bundle = makeResolver(args);
    if (!bundle)
        return reportError(bundle.error(), format);
    auto request = makeRequest(args, args.subject);
    if (!request)
        return reportError(request.error(), format);
    ResolveOutcome outcome = bundle->resolver->resolve(*request);
    if (format == Format::Text) {
        printAlarmsText(std::cout, outcome);
        if (outcome.chain)
            printChainText(**outcome.chain, args);
        if (args.explain) {
            printExplainText(std::cout, explainJson(outcome));
            if (outcome.chain)
                printChangesText(std::cout, "metadata provenance", (*outcome.chain)->provenance());
        }
        return outcome.chain ? kExitOk : reportError(outcome.chain.error(), format);
    }
    if (!outcome.chain) {
        if (!args.explain)
            return reportError(outcome.chain.error(), format);
        Json out = Json::object();
        out.set("error", std::string(specErrorCode(outcome.chain.error().code)));
        out.set("error_description", outcome.chain.error().describe());
        out.set("explain", explainJson(outcome));
        printJson(out);
        return exitCodeFor(outcome.chain.error());
    }
    Json out = (*outcome.chain)->toJson();
    if (!out.contains("trust_marks"))
        out.set("trust_marks", Json::array());
    if (args.explain)
        out.set("explain", explainJson(outcome));
    printJson(out);
    return kExitOk;
}

Result<std::vector<std::string>> readBatch(const std::string &path)
{
    OIDFED_TRY(std::string text, readInput(path, "--batch file"));
    std::istringstream in(text);
    std::vector<std::string> ids;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty() && line[0] != '#')
            ids.push_back(line);
    }
    return ids;
}

enum class Verdict { Valid, Invalid, Unavailable };

/// One entity's answer in a batch: its JSON line and verdict.
struct BatchAnswer {
    std::string line;
    Verdict verdict = Verdict::Invalid;
};

/// A batch answer's line: JSON, or for people "SUB  valid  under TA, expires
/// T" / "SUB  invalid|unavailable  DESCRIPTION".
std::string batchLine(const Json &line, Format format)
{
    if (format == Format::Json)
        return line.dump();
    std::string text = line.find("sub")->asString() + "  " + line.find("verdict")->asString() + "  ";
    if (const std::string *anchor = line.findString("trust_anchor"))
        return text + "under " + *anchor + ", expires " + formatRfc3339(line.find("exp")->asInt());
    return text + line.find("error_description")->asString();
}

BatchAnswer resolveForBatch(const std::string &subject, const ResolveArgs &args, Resolver &resolver, Format format)
{
    BatchAnswer answer;
    Json line = Json::object();
    line.set("sub", subject);
    auto request = makeRequest(args, subject);
    ResolveOutcome outcome;
    if (request)
        outcome = resolver.resolve(*request);
    else
        outcome.chain = Unexpected{request.error()};
    if (outcome.chain) {
        answer.verdict = Verdict::Valid;
        line.set("verdict", "valid");
        line.set("trust_anchor", (*outcome.chain)->trustAnchor().str());
        line.set("exp", (*outcome.chain)->expiresAt());
    } else {
        const Error &error = outcome.chain.error();
        const bool down = exitCodeFor(error) == kExitUnavailable;
        answer.verdict = down ? Verdict::Unavailable : Verdict::Invalid;
        line.set("verdict", down ? "unavailable" : "invalid");
        line.set("error", std::string(specErrorCode(error.code)));
        line.set("error_description", error.describe());
    }
    answer.line = batchLine(line, format);
    return answer;
}

int resolveBatch(const ResolveArgs &args, Format format)
{
    auto bundle = makeResolver(args, ResolverUse::Batch);
    if (!bundle)
        return reportError(bundle.error(), format);
    auto ids = readBatch(args.batchFile);
    if (!ids)
        return reportError(ids.error(), format);

    // Each distinct entity is resolved once (the batch keeps no chain cache);
    // a repeated line gets the answer of its first occurrence.
    std::vector<std::string> distinct;
    std::vector<std::size_t> answerOf(ids->size());
    {
        std::unordered_map<std::string_view, std::size_t> seen;
        for (std::size_t i = 0; i < ids->size(); ++i) {
            auto [it, added] = seen.emplace((*ids)[i], distinct.size());
            if (added)
                distinct.push_back((*ids)[i]);
            answerOf[i] = it->second;
        }
    }

    std::vector<BatchAnswer> answers(distinct.size());
    std::atomic<std::size_t> next{0}, done{0};
    const bool progress = isatty(STDERR_FILENO);
    std::mutex progressMutex;
    auto start = std::chrono::steady_clock::now();

    auto worker = [&] {
        for (std::size_t i = next++; i < distinct.size(); i = next++) {
            answers[i] = resolveForBatch(distinct[i], args, *bundle->resolver, format);
            std::size_t finished = ++done;
            if (progress && (finished % 50 == 0 || finished == distinct.size())) {
                std::lock_guard lock(progressMutex);
                std::cerr << "\r" << finished << "/" << distinct.size() << " resolved" << std::flush;
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kBatchThreads; ++t)
        threads.emplace_back(worker);
    for (std::thread &thread : threads)
        thread.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::size_t valid = 0, invalid = 0, unavailable = 0;
    for (std::size_t i = 0; i < ids->size(); ++i) {
        const BatchAnswer &answer = answers[answerOf[i]];
        std::cout << answer.line << '\n';
        ++(answer.verdict == Verdict::Valid ? valid : answer.verdict == Verdict::Invalid ? invalid : unavailable);
    }
    if (progress)
        std::cerr << '\n';
    std::cerr << "resolved " << ids->size() << " entities (" << distinct.size() << " distinct) in " << seconds
              << " s: " << valid << " valid, " << invalid << " invalid, " << unavailable << " unavailable\n";
    if (invalid > 0)
        return kExitInvalid;
    return unavailable > 0 ? kExitUnavailable : kExitOk;
}

} // namespace

void addResolveCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<ResolveArgs>();
    auto *cmd = app.add_subcommand("resolve", "Resolve and validate a trust chain; print the resolved metadata");
    cmd->add_option("entity_id", args->subject, "Entity Identifier of the subject");
    cmd->add_option("--batch", args->batchFile, "Resolve every entity id in FILE (one per line) concurrently");
    addResolveOptions(*cmd, *args);
    cmd->callback([args, &ctx] {
        Format format = ctx.global.resolved();
        if (args->batchFile.empty() == args->subject.empty()) {
            ctx.exitCode = reportError(Error(ErrorCode::InvalidArgument, "give either ENTITY_ID or --batch FILE"), format);
            return;
        }
        ctx.exitCode = args->batchFile.empty() ? resolveOne(*args, format) : resolveBatch(*args, format);
    });
}

} // namespace oidfed::cli
