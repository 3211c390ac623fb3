#include "chain/chain_graph.h"

#include <limits>
#include <map>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/reverse_graph.hpp>

namespace oidfed::detail {

namespace {

struct VertexData {
    std::string entityId;
};
using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::bidirectionalS, VertexData>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

} // namespace

struct ChainGraph::Impl {
    Graph graph;
    std::map<std::string, Vertex> vertices;

    Vertex vertex(const std::string &id)
    {
        auto it = vertices.find(id);
        if (it != vertices.end())
            return it->second;
        Vertex v = boost::add_vertex(VertexData{id}, graph);
        vertices.emplace(id, v);
        return v;
    }
};

ChainGraph::ChainGraph() : impl_(std::make_unique<Impl>()) {}
ChainGraph::~ChainGraph() = default;

void ChainGraph::addEdge(const std::string &subordinate, const std::string &superior)
{
    Vertex from = impl_->vertex(subordinate);
    Vertex to = impl_->vertex(superior);
    boost::add_edge(from, to, impl_->graph);  // setS: a duplicate edge is ignored
}

std::vector<std::vector<std::string>> ChainGraph::paths(const std::string &from, const std::string &to,
                                                        std::size_t maxEdges, std::size_t maxPaths) const
{
    std::vector<std::vector<std::string>> result;
    auto fromIt = impl_->vertices.find(from);
    auto toIt = impl_->vertices.find(to);
    if (fromIt == impl_->vertices.end() || toIt == impl_->vertices.end() || maxPaths == 0)
        return result;
    const Graph &g = impl_->graph;
    const std::size_t n = boost::num_vertices(g);
    constexpr std::size_t kUnreachable = std::numeric_limits<std::size_t>::max();

    // Distance of every vertex to the target, by BFS over the reversed graph:
    // the DFS below only steps where the target stays reachable in time.
    std::vector<std::size_t> distance(n, kUnreachable);
    distance[toIt->second] = 0;
    auto reversed = boost::make_reverse_graph(g);
    boost::breadth_first_search(
        reversed, toIt->second,
        boost::visitor(boost::make_bfs_visitor(boost::record_distances(
            boost::make_iterator_property_map(distance.begin(), boost::get(boost::vertex_index, reversed)),
            boost::on_tree_edge()))));
    if (distance[fromIt->second] == kUnreachable)
        return result;

    // Iterative deepening: all simple paths of exactly L edges, for L from the
    // shortest upwards, so the output is ordered by length.
    std::vector<Vertex> stack{fromIt->second};
    std::vector<bool> onPath(n, false);
    onPath[fromIt->second] = true;
    for (std::size_t length = distance[fromIt->second]; length <= maxEdges && result.size() < maxPaths; ++length) {
        auto dfs = [&](auto &self, Vertex v, std::size_t left) -> void {
            if (result.size() >= maxPaths)
                return;
            if (left == 0) {
                if (v == toIt->second) {
                    std::vector<std::string> path;
                    for (Vertex p : stack)
                        path.push_back(g[p].entityId);
                    result.push_back(std::move(path));
                }
                return;
            }
            if (v == toIt->second)
                return;  // a path ends at the target
            for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
                Vertex w = boost::target(*e, g);
                if (onPath[w] || distance[w] == kUnreachable || distance[w] > left - 1)
                    continue;
                onPath[w] = true;
                stack.push_back(w);
                self(self, w, left - 1);
                stack.pop_back();
                onPath[w] = false;
            }
        };
        dfs(dfs, fromIt->second, length);
    }
    return result;
}

std::string ChainGraph::toDot() const
{
    std::ostringstream out;
    boost::write_graphviz(out, impl_->graph, boost::make_label_writer(boost::get(&VertexData::entityId, impl_->graph)));
    return out.str();
}

} // namespace oidfed::detail
