// The one JSON form of a VerifiedClient (docs/trust-api.md).

#include <oidfed/automatic_registration.h>

namespace oidfed {

Json verifiedClientJson(const VerifiedClient &client)
{
    Json out = Json::object();
    out.set("client_id", client.clientId.str());
    out.set("entity_type", client.entityType);
    out.set("trust_anchor", client.trustAnchor.str());
    out.set("expires_at", client.expiresAt);
    out.set("client_metadata", client.clientMetadata);
    if (client.keys) {
        out.set("jwks", client.keys->keys.toJson());
        out.set("keys_source", std::string(protocolKeySourceName(client.keys->source)));
        if (!client.keys->uri.empty())
            out.set("keys_uri", client.keys->uri);
        out.set("keys_expires_at", client.keys->expiresAt);
    }
    if (client.chain) {
        Json statements = Json::array();
        for (const std::string &jwt : client.chain->statements())
            statements.push(jwt);
        out.set("trust_chain", std::move(statements));
    }
    if (!client.claims.isNull())
        out.set("claims", client.claims);
    return out;
}

} // namespace oidfed
