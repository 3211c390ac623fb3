#include "chain/federation_graph.h"

#include <oidfed/error_json.h>

namespace oidfed::detail {

namespace {

Json errorOrNull(const std::optional<Error> &error) { return error ? errorToJson(*error) : Json(); }

} // namespace

std::vector<JudgedEntity> judgeWalk(const FederationWalk &walk, Resolver &resolver, bool explain)
{
    std::vector<JudgedEntity> nodes;
    for (const WalkedEntity &entity : walk.entities) {
        JudgedEntity node{.walked = entity};
        ResolveOutcome outcome = resolver.resolve(
            ResolveRequest{.subject = entity.entityId, .trustAnchors = {walk.trustAnchor}, .explain = explain});
        if (outcome.chain) {
            node.valid = !entity.problem;
            node.chainExpiresAt = (*outcome.chain)->expiresAt();
            node.why = entity.problem;
        } else {
            node.why = outcome.chain.error();
        }
        nodes.push_back(std::move(node));
    }
    return nodes;
}

Json federationGraphJson(const FederationWalk &walk, const std::vector<JudgedEntity> &nodes)
{
    Json entities = Json::array();
    for (const JudgedEntity &node : nodes) {
        Json entry = Json::object();
        entry.set("entity_id", node.walked.entityId);
        entry.set("depth", static_cast<std::int64_t>(node.walked.depth));
        entry.set("authority", node.walked.authority);
        Json types = Json::array();
        for (const std::string &type : node.walked.entityTypes)
            types.push(type);
        entry.set("entity_types", std::move(types));
        entry.set("verdict", node.valid ? "valid" : "invalid");
        entry.set("chain_expires_at", node.valid ? Json(node.chainExpiresAt) : Json());
        entry.set("error", errorOrNull(node.why));
        entities.push(std::move(entry));
    }
    Json statements = Json::array();
    for (const WalkedStatement &statement : walk.statements) {
        Json entry = Json::object();
        entry.set("iss", statement.issuer);
        entry.set("sub", statement.subject);
        entry.set("exp", statement.expiresAt > 0 ? Json(statement.expiresAt) : Json());
        entry.set("verdict", statement.problem ? "invalid" : "valid");
        entry.set("error", errorOrNull(statement.problem));
        statements.push(std::move(entry));
    }
    Json out = Json::object();
    out.set("trust_anchor", walk.trustAnchor);
    out.set("truncated", walk.truncated);
    out.set("entities", std::move(entities));
    out.set("statements", std::move(statements));
    return out;
}

} // namespace oidfed::detail
