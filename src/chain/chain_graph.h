// The federation topology discovered by the collector, as a Boost.Graph
// graph: entities are vertices, and a Subordinate Statement about S issued by
// I is an edge S -> I. Candidate trust chains are the simple paths from the
// subject to a trust anchor. Boost stays inside chain_graph.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace oidfed::detail {

class ChainGraph {
public:
    ChainGraph();
    ~ChainGraph();
    ChainGraph(const ChainGraph &) = delete;
    ChainGraph &operator=(const ChainGraph &) = delete;

    /// Adds the edge subordinate -> superior (vertices are created on demand).
    void addEdge(const std::string &subordinate, const std::string &superior);

    /// Simple paths (no entity twice: chains never loop, 17.1) from `from` to
    /// `to` with at most `maxEdges` edges, shortest first, at most `maxPaths`
    /// of them. Each path lists entity ids from `from` to `to`.
    std::vector<std::vector<std::string>> paths(const std::string &from, const std::string &to, std::size_t maxEdges,
                                                std::size_t maxPaths) const;

    /// Graphviz DOT text of the topology, for --explain.
    std::string toDot() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed::detail
