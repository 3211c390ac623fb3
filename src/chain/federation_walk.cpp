#include "chain/federation_walk.h"

#include <deque>
#include <set>
#include <utility>

#include <oidfed/federation_urls.h>

#include "chain/federation_list.h"

namespace oidfed::detail {

namespace {

constexpr UnixTime kClockSkew = 60;

WalkedStatement checkedStatement(const Result<FetchResponse> &response, const std::string &issuer,
                                 const std::string &subject, const JwkSet &issuerKeys, const WalkOptions &options,
                                 UnixTime now)
{
    WalkedStatement walked{.issuer = issuer, .subject = subject};
    auto check = [&]() -> Result<void> {
        if (!response)
            return fail(response.error());
        OIDFED_TRY(EntityStatement statement, EntityStatement::parse(response->body, options.statements));
        walked.expiresAt = statement.expiresAt();
        if (statement.issuer().str() != issuer || statement.subject().str() != subject)
            return fail(Error(ErrorCode::InvalidClaim, "the fetch endpoint of " + issuer + " answered a statement by " +
                                                           statement.issuer().str() + " about " +
                                                           statement.subject().str())
                            .withRule("8.1.2 iss and sub")
                            .withEntity(issuer));
        OIDFED_TRY_VOID(statement.verifySignature(issuerKeys));
        return statement.checkValidityPeriod(now, kClockSkew);
    };
    if (auto checked = check(); !checked)
        walked.problem = std::move(checked).error();
    return walked;
}

} // namespace

FederationWalk walkFederation(const TrustAnchor &anchor, Fetcher &fetcher, const WalkOptions &options, UnixTime now)
{
    FederationWalk walk{.trustAnchor = anchor.entityId.str()};
    std::set<std::string, std::less<>> seen{anchor.entityId.str()};
    std::vector<std::string> level{anchor.entityId.str()};
    for (std::size_t depth = 0; !level.empty(); ++depth) {
        // The level's Entity Configurations, in parallel.
        std::vector<FetchRequest> requests;
        for (const std::string &id : level)
            requests.push_back(entityConfigurationRequest(id));
        std::vector<Result<FetchResponse>> answers = fetcher.fetchAll(requests);
        std::vector<std::string> next;
        for (std::size_t i = 0; i < level.size(); ++i) {
            WalkedEntity entity{.entityId = level[i], .depth = depth};
            auto configuration = checkedConfiguration(answers[i], level[i], depth == 0 ? &anchor.jwks : nullptr,
                                                      options.statements, now);
            if (!configuration) {
                entity.problem = std::move(configuration).error();
                walk.entities.push_back(std::move(entity));
                continue;
            }
            entity.entityTypes = configuration->entityTypes();
            entity.expiresAt = configuration->expiresAt();
            const std::string *list = federationEndpoint(*configuration, "federation_list_endpoint");
            const std::string *fetch = federationEndpoint(*configuration, "federation_fetch_endpoint");
            entity.authority = list && fetch;
            if (!entity.authority || depth == options.maxDepth) {
                walk.truncated = walk.truncated || (entity.authority && depth == options.maxDepth);
                walk.entities.push_back(std::move(entity));
                continue;
            }
            bool cut = false;
            auto ids = listedEntityIds(fetcher.fetch({.url = *list, .expectedMediaType = "application/json"}), *list,
                                       options.maxListSize, cut);
            walk.truncated = walk.truncated || cut;
            if (!ids) {
                entity.problem = std::move(ids).error();
                walk.entities.push_back(std::move(entity));
                continue;
            }
            std::vector<FetchRequest> statementRequests;
            for (const std::string &subject : *ids) {
                auto url = fetchEndpointUrl(*fetch, subject);
                statementRequests.push_back({.url = url ? *url : *fetch, .expectedMediaType = std::string(kEntityStatementMediaType)});
            }
            std::vector<Result<FetchResponse>> statements = fetcher.fetchAll(statementRequests);
            for (std::size_t j = 0; j < ids->size(); ++j) {
                const std::string &subject = (*ids)[j];
                walk.statements.push_back(
                    checkedStatement(statements[j], level[i], subject, configuration->jwks(), options, now));
                if (seen.contains(subject))
                    continue;
                if (seen.size() == options.maxEntities) {
                    walk.truncated = true;
                    continue;
                }
                seen.insert(subject);
                next.push_back(subject);
            }
            walk.entities.push_back(std::move(entity));
        }
        level = std::move(next);
    }
    return walk;
}

} // namespace oidfed::detail
