#include "server/trust_mark_fetch.h"

#include <oidfed/federation_urls.h>
#include <oidfed/trust_mark.h>

#include "statement/claims.h"

namespace oidfed::server {

namespace {

Result<std::string> discoverEndpoint(Fetcher &fetcher, const EntityId &issuer, const StatementOptions &options)
{
    OIDFED_TRY(std::string url, entityConfigurationUrl(issuer.str()));
    OIDFED_TRY(FetchResponse response,
               fetcher.fetch(FetchRequest{.url = url, .expectedMediaType = "application/entity-statement+jwt"}));
    OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(response.body, options));
    if (!configuration.isEntityConfiguration() || configuration.issuer() != issuer)
        return fail(ErrorCode::InvalidClaim, url + " is not the Entity Configuration of " + issuer.str());
    const Json *metadata = configuration.claim("metadata");
    const Json *federation = metadata ? metadata->find("federation_entity") : nullptr;
    const std::string *endpoint = federation ? federation->findString("federation_trust_mark_endpoint") : nullptr;
    if (!endpoint || !claims::isEndpointUrl(*endpoint, options.entityIds.allowHttp))
        return fail(ErrorCode::InvalidClaim, issuer.str() + " publishes no federation_trust_mark_endpoint");
    return *endpoint;
}

} // namespace

Result<std::string> fetchHeldTrustMark(Fetcher &fetcher, const entity::HeldTrustMarkSetting &setting,
                                       const EntityId &holder, const StatementOptions &options)
{
    std::string endpoint = setting.endpoint;
    if (endpoint.empty()) {
        OIDFED_TRY(endpoint, discoverEndpoint(fetcher, setting.issuer, options));
    }
    std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
                      "trust_mark_type=" + percentEncode(setting.trustMarkType) + "&sub=" + percentEncode(holder.str());
    OIDFED_TRY(FetchResponse response,
               fetcher.fetch(FetchRequest{.url = url, .expectedMediaType = std::string(kTrustMarkMediaType)}));
    return std::move(response.body);
}

} // namespace oidfed::server
