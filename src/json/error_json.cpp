#include <oidfed/error_json.h>

#include <string>

namespace oidfed {

Json errorToJson(const Error &error, std::string_view specCode)
{
    Json out = Json::object();
    out.set("error", std::string(specCode.empty() ? specErrorCode(error.code) : specCode));
    out.set("error_description", error.message);
    out.set("code", std::string(errorCodeName(error.code)));
    if (!error.rule.empty())
        out.set("rule", error.rule);
    if (!error.claim.empty())
        out.set("claim", error.claim);
    if (!error.entityId.empty())
        out.set("entity_id", error.entityId);
    return out;
}

} // namespace oidfed
