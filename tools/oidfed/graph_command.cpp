// oidfed graph TRUST_ANCHOR_ID --trust-anchor-file F [--max-entities N]
//     [--max-depth N] [--dot FILE] [--svg FILE] + the resolve options
//
// The federation under a trust anchor, walked top down through its list and
// fetch endpoints (detail::walkFederation), with each entity's verdict: its
// chain resolved under that anchor (valid until when, or the error and its
// rule). Output: JSON {"trust_anchor", "truncated", "entities": [...],
// "statements": [...]} or text; --dot writes it as Graphviz DOT (Boost.Graph's
// writer; "-": stdout), each edge subordinate -> superior labelled with the
// statement's expiry and each node with its verdict; --svg writes SVG
// through Graphviz's `dot` (exit 2 when it is not installed). Exit codes: 0
// every entity and statement is valid; 1 some are not; 2 usage; 3 the anchor
// itself is unavailable.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <CLI/CLI.hpp>

#include "chain/federation_graph.h"
#include "commands.h"
#include "core/file_write.h"
#include "resolver_setup.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

struct GraphArgs {
    std::string anchor;
    std::size_t maxEntities = 1000;
    std::size_t maxDepth = 8;
    std::string dotFile;
    std::string svgFile;
    ResolveArgs resolve;
};

using Node = detail::JudgedEntity;

std::string shortTime(UnixTime at) { return at > 0 ? formatRfc3339(at) : std::string("?"); }

// ---- Graphviz --------------------------------------------------------------

struct VertexData {
    std::string id;
    std::string label;
    std::string shape;
    std::string color;
};
struct EdgeData {
    std::string label;
    std::string color;
};
using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::bidirectionalS, VertexData, EdgeData>;

/// DOT string literal content: quotes and backslashes escaped (Boost's
/// writer quotes, the text is ours).
std::string dotText(const std::string &text)
{
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

/// What an error is about, shortly: its rule, else its spec error code.
std::string ruleOf(const std::optional<Error> &error)
{
    if (!error)
        return "?";
    return error->rule.empty() ? std::string(specErrorCode(error->code)) : error->rule;
}

std::string dotOf(const detail::FederationWalk &walk, const std::vector<Node> &nodes)
{
    Graph graph;
    std::map<std::string, Graph::vertex_descriptor, std::less<>> vertices;
    for (const Node &node : nodes) {
        const std::string verdict =
            node.valid ? "valid until " + shortTime(node.chainExpiresAt) : "invalid: " + ruleOf(node.why);
        const bool anchor = node.walked.depth == 0;
        vertices[node.walked.entityId] = boost::add_vertex(
            VertexData{.id = node.walked.entityId,
                       .label = dotText(node.walked.entityId) + "\\n" + dotText(verdict),
                       .shape = anchor ? "doubleoctagon" : node.walked.authority ? "box" : "ellipse",
                       .color = node.valid ? "darkgreen" : "red"},
            graph);
    }
    auto vertexOf = [&](const std::string &id) {
        auto it = vertices.find(id);
        if (it != vertices.end())
            return it->second;
        auto added = boost::add_vertex(VertexData{.id = id, .label = dotText(id) + "\\nnot visited (a bound was reached)",
                                                  .shape = "ellipse", .color = "gray"},
                                       graph);
        vertices.emplace(id, added);
        return added;
    };
    for (const detail::WalkedStatement &statement : walk.statements) {
        std::string label = statement.problem ? "invalid: " + dotText(ruleOf(statement.problem))
                                              : "exp " + shortTime(statement.expiresAt);
        boost::add_edge(vertexOf(statement.subject), vertexOf(statement.issuer),
                        EdgeData{.label = std::move(label), .color = statement.problem ? "red" : "black"}, graph);
    }
    std::ostringstream out;
    boost::write_graphviz(
        out, graph,
        [&graph](std::ostream &os, Graph::vertex_descriptor v) {
            const VertexData &data = graph[v];
            os << "[label=\"" << data.label << "\", shape=" << data.shape << ", color=" << data.color << "]";
        },
        [&graph](std::ostream &os, Graph::edge_descriptor e) {
            const EdgeData &data = graph[e];
            os << "[label=\"" << data.label << "\", color=" << data.color << ", fontsize=10]";
        },
        [](std::ostream &os) {
            os << "rankdir=BT;\nnode [fontname=\"Helvetica\", fontsize=11];\nedge [fontname=\"Helvetica\"];\n";
        });
    return out.str();
}

/// Runs Graphviz's `dot -Tsvg` on `dot`, writing `file`. InvalidArgument
/// when `dot` is not installed or fails.
Result<void> writeSvg(const std::string &dot, const std::string &file)
{
    int in[2];
    if (::pipe(in) != 0)
        return fail(ErrorCode::Internal, "cannot create a pipe");
    const pid_t child = ::fork();
    if (child < 0)
        return fail(ErrorCode::Internal, "cannot fork");
    if (child == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::close(in[0]);
        ::close(in[1]);
        ::execlp("dot", "dot", "-Tsvg", "-o", file.c_str(), static_cast<char *>(nullptr));
        ::_exit(127);
    }
    ::close(in[0]);
    std::size_t written = 0;
    while (written < dot.size()) {
        const ssize_t n = ::write(in[1], dot.data() + written, dot.size() - written);
        if (n <= 0)
            break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
        return fail(ErrorCode::InvalidArgument, "--svg needs Graphviz's dot (Debian package graphviz)");
    if (WEXITSTATUS(status) != 0)
        return fail(ErrorCode::InvalidArgument, "dot could not write " + file);
    return ok();
}

void printText(const detail::FederationWalk &walk, const std::vector<Node> &nodes)
{
    std::cout << "trust anchor: " << walk.trustAnchor << "\n"
              << nodes.size() << " entities, " << walk.statements.size() << " statements"
              << (walk.truncated ? " (truncated: a bound was reached)" : "") << "\n";
    for (const Node &node : nodes) {
        std::cout << std::string(2 * (node.walked.depth + 1), ' ') << node.walked.entityId
                  << (node.walked.authority ? "  [authority]" : "") << "  "
                  << (node.valid ? "valid until " + shortTime(node.chainExpiresAt)
                                 : "INVALID: " + (node.why ? node.why->describe() : std::string("?")))
                  << "\n";
    }
    for (const detail::WalkedStatement &statement : walk.statements)
        if (statement.problem)
            std::cout << "  statement by " << statement.issuer << " about " << statement.subject
                      << " INVALID: " << statement.problem->describe() << "\n";
}

int runGraph(const GraphArgs &args, Format format)
{
    auto bundle = makeResolver(args.resolve);
    if (!bundle)
        return reportError(bundle.error(), format);
    const TrustAnchor *anchor = nullptr;
    for (const TrustAnchor &pinned : bundle->resolver->trustAnchors())
        if (pinned.entityId.str() == args.anchor)
            anchor = &pinned;
    if (!anchor)
        return reportError(Error(ErrorCode::InvalidArgument, args.anchor + " is not among the pinned trust anchors "
                                                                            "(--trust-anchor-file)"),
                           format);
    detail::WalkOptions options{.maxEntities = args.maxEntities, .maxDepth = args.maxDepth};
    options.statements.entityIds.allowHttp = args.resolve.allowHttp;
    const UnixTime now = bundle->clock->now();
    detail::FederationWalk walk = detail::walkFederation(*anchor, *bundle->fetcher, options, now);
    if (walk.entities.front().problem &&
        (walk.entities.front().problem->code == ErrorCode::Unavailable ||
         walk.entities.front().problem->code == ErrorCode::Timeout))
        return reportError(*walk.entities.front().problem, format);
    std::vector<Node> nodes = detail::judgeWalk(walk, *bundle->resolver, args.resolve.explain);

    if (!args.dotFile.empty() || !args.svgFile.empty()) {
        const std::string dot = dotOf(walk, nodes);
        if (args.dotFile == "-")
            std::cout << dot;
        else if (!args.dotFile.empty())
            if (auto written = replaceFileAtomically(args.dotFile, dot, 0644); !written)
                return reportError(written.error(), format);
        if (!args.svgFile.empty())
            if (auto svg = writeSvg(dot, args.svgFile); !svg)
                return reportError(svg.error(), format);
    }
    if (args.dotFile != "-") {
        if (format == Format::Json)
            printJson(detail::federationGraphJson(walk, nodes));
        else
            printText(walk, nodes);
    }
    const bool allValid =
        std::all_of(nodes.begin(), nodes.end(), [](const Node &node) { return node.valid; }) &&
        std::none_of(walk.statements.begin(), walk.statements.end(),
                     [](const detail::WalkedStatement &statement) { return statement.problem.has_value(); });
    return allValid ? kExitOk : kExitInvalid;
}

} // namespace

void addGraphCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<GraphArgs>();
    CLI::App *command = app.add_subcommand(
        "graph", "Walk the federation under a trust anchor through its list endpoints, with each entity's verdict");
    command->add_option("trust_anchor", args->anchor, "The trust anchor's Entity Identifier (pinned in a file)")
        ->required();
    command->add_option("--max-entities", args->maxEntities, "Entities to visit at most (default 1000)")
        ->check(CLI::Range(1, 1000000));
    command->add_option("--max-depth", args->maxDepth, "Levels below the anchor at most (default 8)")
        ->check(CLI::Range(1, 64));
    command->add_option("--dot", args->dotFile, "Write Graphviz DOT to this file (- for stdout)");
    command->add_option("--svg", args->svgFile, "Write SVG to this file (needs Graphviz's dot)");
    addResolveOptions(*command, args->resolve);
    command->callback([args, &ctx]() { ctx.exitCode = runGraph(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
