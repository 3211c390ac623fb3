#include "chain/federation_list.h"

#include <oidfed/federation_urls.h>
#include <oidfed/json.h>

namespace oidfed::detail {

namespace {

constexpr UnixTime kClockSkew = 60;

} // namespace

const std::string *federationEndpoint(const EntityStatement &configuration, std::string_view name)
{
    const Json *metadata = configuration.claim("metadata");
    const Json *federation = metadata ? metadata->find("federation_entity") : nullptr;
    return federation ? federation->findString(name) : nullptr;
}

FetchRequest entityConfigurationRequest(const std::string &entityId)
{
    auto url = entityConfigurationUrl(entityId);
    return {.url = url ? *url : entityId, .expectedMediaType = std::string(kEntityStatementMediaType)};
}

Result<EntityStatement> checkedConfiguration(const Result<FetchResponse> &response, const std::string &entityId,
                                             const JwkSet *pinned, const StatementOptions &options, UnixTime now)
{
    if (!response)
        return fail(response.error());
    OIDFED_TRY(EntityStatement statement, EntityStatement::parse(response->body, options));
    if (!statement.isEntityConfiguration() || statement.issuer().str() != entityId)
        return fail(Error(ErrorCode::InvalidClaim,
                          "the Entity Configuration at its well-known URL is not " + entityId + "'s")
                        .withRule("9 iss = sub = entity id")
                        .withEntity(entityId));
    OIDFED_TRY_VOID(statement.verifySignature(pinned ? *pinned : statement.jwks()));
    OIDFED_TRY_VOID(statement.checkValidityPeriod(now, kClockSkew));
    return statement;
}

Result<std::vector<std::string>> listedEntityIds(const Result<FetchResponse> &response, const std::string &endpoint,
                                                 std::size_t maxListSize, bool &cut)
{
    if (!response)
        return fail(response.error());
    OIDFED_TRY(Json list, parseJson(response->body));
    if (!list.isArray())
        return fail(Error(ErrorCode::Malformed, endpoint + " did not answer a JSON array").withRule("8.2.2 list"));
    std::vector<std::string> ids;
    for (const Json &id : list.asArray()) {
        if (!id.isString())
            return fail(Error(ErrorCode::Malformed, endpoint + " lists something that is not a string")
                            .withRule("8.2.2 list"));
        if (ids.size() == maxListSize) {
            cut = true;
            break;
        }
        ids.push_back(id.asString());
    }
    return ids;
}

} // namespace oidfed::detail
