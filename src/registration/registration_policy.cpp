// The OP's checks and defaults for client metadata (12.2.2 step 8): OpenID
// Connect Dynamic Client Registration 1.0 section 2 for an
// openid_relying_party, RFC 7591 section 2 for an oauth_client. One function
// per parameter (or group that must agree), run in order by
// applyClientMetadataPolicy().

#include <oidfed/registration_policy.h>

#include <algorithm>
#include <set>
#include <sstream>

#include <oidfed/jwk.h>

#include "core/range_check.h"
#include "registration/redirect_uri.h"

namespace oidfed {

namespace {

using registration::isLoopbackHost;
using registration::parseAbsoluteUri;

// What the checks share: the policy and the rule prefix of the client kind.
struct Checker {
    const RegistrationPolicy &policy;
    bool oidc;

    std::string rule(std::string_view parameter) const
    {
        return std::string(oidc ? "OIDC Registration 2 " : "RFC 7591 2 ") + std::string(parameter);
    }
    Unexpected refuse(std::string_view parameter, std::string message) const
    {
        return fail(Error(ErrorCode::InvalidClientMetadata, std::move(message))
                        .withRule(rule(parameter))
                        .withClaim(parameter));
    }
    Unexpected refuseRedirect(std::string message) const
    {
        return fail(Error(ErrorCode::InvalidRedirectUri, std::move(message))
                        .withRule(rule("redirect_uris"))
                        .withClaim("redirect_uris"));
    }
};

bool contains(const std::vector<std::string> &list, std::string_view value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

// "code id_token" and "id_token code" are the same response type.
std::string normalizedResponseType(std::string_view value)
{
    std::istringstream words{std::string(value)};
    std::set<std::string> parts;
    for (std::string word; words >> word;)
        parts.insert(word);
    std::string out;
    for (const std::string &part : parts)
        out += (out.empty() ? "" : " ") + part;
    return out;
}

Result<std::vector<std::string>> stringArray(const Json &metadata, std::string_view name, const Checker &c)
{
    const Json *value = metadata.find(name);
    std::vector<std::string> out;
    if (!value)
        return out;
    if (!value->isArray() || value->size() == 0)
        return c.refuse(name, std::string(name) + " must be a non-empty array of strings");
    for (const Json &item : value->asArray()) {
        if (!item.isString() || item.asString().empty())
            return c.refuse(name, std::string(name) + " must be a non-empty array of strings");
        if (contains(out, item.asString()))
            return c.refuse(name, std::string(name) + " lists " + item.asString() + " twice");
        out.push_back(item.asString());
    }
    return out;
}

Json toArray(const std::vector<std::string> &values)
{
    Json out = Json::array();
    for (const std::string &value : values)
        out.push(value);
    return out;
}

// 5.1.2, RFC 7591 3.2.1: what only the OP writes (in the response).
Result<void> checkResponseOnlyAbsent(const Json &metadata)
{
    for (std::string_view name : {"client_id", "client_secret", "client_secret_expires_at", "client_id_issued_at",
                                  "registration_access_token", "registration_client_uri"})
        if (metadata.contains(name))
            return fail(Error(ErrorCode::InvalidClientMetadata,
                              std::string(name) + " is assigned by the OP; a client must not ask for it")
                            .withRule("5.1.2 response-only parameter")
                            .withClaim(name));
    return ok();
}

Result<std::string> applicationType(Json &metadata, const Checker &c)
{
    if (!c.oidc)
        return std::string();
    if (!metadata.contains("application_type"))
        metadata.set("application_type", "web");
    const std::string *type = metadata.findString("application_type");
    if (!type || (*type != "web" && *type != "native"))
        return c.refuse("application_type", "application_type must be \"web\" or \"native\"");
    return *type;
}

Result<std::vector<std::string>> responseTypes(Json &metadata, const Checker &c)
{
    if (!metadata.contains("response_types"))
        metadata.set("response_types", toArray({"code"}));
    OIDFED_TRY(std::vector<std::string> types, stringArray(metadata, "response_types", c));
    for (const std::string &type : types) {
        bool supported = std::any_of(c.policy.responseTypesSupported.begin(), c.policy.responseTypesSupported.end(),
                                     [&](const std::string &s) {
                                         return normalizedResponseType(s) == normalizedResponseType(type);
                                     });
        if (!supported)
            return c.refuse("response_types", "response type \"" + type + "\" is not supported by this OP");
    }
    return types;
}

// The grant types each response type needs (OIDC Registration 2, the
// table under grant_types; RFC 7591 2.1).
std::vector<std::string> grantsNeeded(const std::vector<std::string> &responseTypes)
{
    bool code = false;
    bool implicit = false;
    for (const std::string &type : responseTypes) {
        std::istringstream words(type);
        for (std::string word; words >> word;) {
            code = code || word == "code";
            implicit = implicit || word == "id_token" || word == "token";
        }
    }
    std::vector<std::string> needed;
    if (code)
        needed.push_back("authorization_code");
    if (implicit)
        needed.push_back("implicit");
    return needed;
}

Result<std::vector<std::string>> grantTypes(Json &metadata, const std::vector<std::string> &responseTypes,
                                            const Checker &c)
{
    const std::vector<std::string> needed = grantsNeeded(responseTypes);
    if (!metadata.contains("grant_types"))
        metadata.set("grant_types", toArray(needed.empty() ? std::vector<std::string>{"authorization_code"} : needed));
    OIDFED_TRY(std::vector<std::string> grants, stringArray(metadata, "grant_types", c));
    for (const std::string &grant : grants)
        if (!contains(c.policy.grantTypesSupported, grant))
            return c.refuse("grant_types", "grant type \"" + grant + "\" is not supported by this OP");
    for (const std::string &grant : needed)
        if (!contains(grants, grant))
            return c.refuse("grant_types", "the response types need the grant type \"" + grant +
                                               "\", which grant_types does not list");
    return grants;
}

Result<void> redirectUri(const std::string &uri, const std::string &applicationType, bool implicit, const Checker &c)
{
    auto parts = parseAbsoluteUri(uri);
    if (!parts)
        return c.refuseRedirect("redirect URI \"" + uri + "\" is not an absolute URI");
    if (parts->hasFragment)
        return c.refuseRedirect("redirect URI \"" + uri + "\" has a fragment");
    const bool http = parts->scheme == "http";
    const bool https = parts->scheme == "https";
    if ((http || https) && !parts->hasAuthority)
        return c.refuseRedirect("redirect URI \"" + uri + "\" has no host");
    const bool loopback = parts->hasAuthority && isLoopbackHost(parts->host);
    for (std::string_view forbidden : {"javascript", "data", "file", "vbscript", "about", "blob"})
        if (parts->scheme == forbidden)
            return c.refuseRedirect("redirect URI \"" + uri + "\" uses the scheme " + parts->scheme);
    if (applicationType == "native") {
        // Custom schemes, https, or http on a loopback host (RFC 8252 7).
        if (http && !loopback)
            return c.refuseRedirect("a native client's http redirect URI must use a loopback host: \"" + uri + "\"");
        return ok();
    }
    // Web clients (and RFC 7591 clients): https; http on a loopback host only
    // with the test switch.
    if (!https && !(http && loopback && c.policy.allowHttpLoopbackForWeb))
        return c.refuseRedirect("a web client's redirect URI must use https: \"" + uri + "\"");
    if (c.oidc && implicit && parts->host == "localhost")
        return c.refuseRedirect("a web client using the implicit grant must not use localhost: \"" + uri + "\"");
    return ok();
}

Result<void> redirectUris(const Json &metadata, const std::string &applicationType,
                          const std::vector<std::string> &grants, const Checker &c)
{
    const bool implicit = contains(grants, "implicit");
    const bool redirects = implicit || contains(grants, "authorization_code");
    const Json *value = metadata.find("redirect_uris");
    if (!value) {
        if (redirects)
            return c.refuseRedirect("redirect_uris is required for the authorization_code and implicit grants");
        return ok();
    }
    if (!value->isArray() || value->size() == 0)
        return c.refuseRedirect("redirect_uris must be a non-empty array of URIs");
    for (const Json &uri : value->asArray()) {
        if (!uri.isString())
            return c.refuseRedirect("redirect_uris must be a non-empty array of URIs");
        OIDFED_TRY_VOID(redirectUri(uri.asString(), applicationType, implicit, c));
    }
    return ok();
}

Result<void> keys(const Json &metadata, const Checker &c)
{
    if (metadata.contains("jwks") && metadata.contains("jwks_uri"))
        return c.refuse("jwks", "jwks and jwks_uri must not both be present");
    if (const Json *jwks = metadata.find("jwks")) {
        auto set = JwkSet::fromJson(*jwks);
        if (!set)
            return c.refuse("jwks", "jwks is not a valid JWK Set: " + set.error().message);
    }
    return ok();
}

Result<void> tokenEndpointAuthMethod(Json &metadata, const Checker &c)
{
    if (!metadata.contains("token_endpoint_auth_method"))
        metadata.set("token_endpoint_auth_method", c.policy.tokenEndpointAuthMethodsSupported.front());
    const std::string *method = metadata.findString("token_endpoint_auth_method");
    if (!method)
        return c.refuse("token_endpoint_auth_method", "token_endpoint_auth_method must be a string");
    if (!contains(c.policy.tokenEndpointAuthMethodsSupported, *method))
        return c.refuse("token_endpoint_auth_method",
                        "token_endpoint_auth_method \"" + *method + "\" is not supported by this OP");
    if (*method == "private_key_jwt" && !metadata.contains("jwks") && !metadata.contains("jwks_uri") &&
        !metadata.contains("signed_jwks_uri"))
        return c.refuse("token_endpoint_auth_method",
                        "private_key_jwt needs the client's keys: jwks, jwks_uri or signed_jwks_uri");
    return ok();
}

// URL parameters: absolute https URLs without a fragment (http on a
// loopback host with the test switch, as for redirect URIs).
Result<void> urls(const Json &metadata, const Checker &c)
{
    for (std::string_view name : {"jwks_uri", "signed_jwks_uri", "sector_identifier_uri", "initiate_login_uri",
                                  "logo_uri", "client_uri", "policy_uri", "tos_uri"}) {
        const Json *value = metadata.find(name);
        if (!value)
            continue;
        auto parts = value->isString() ? parseAbsoluteUri(value->asString()) : std::nullopt;
        const bool testHttp = parts && parts->scheme == "http" && parts->hasAuthority &&
                              isLoopbackHost(parts->host) && c.policy.allowHttpLoopbackForWeb;
        if (!parts || (parts->scheme != "https" && !testHttp) || !parts->hasAuthority || parts->hasFragment)
            return c.refuse(name, std::string(name) + " must be an absolute https URL without a fragment");
    }
    return ok();
}

Result<void> otherParameters(const Json &metadata, const std::vector<std::string> &responseTypes, const Checker &c)
{
    if (const Json *contacts = metadata.find("contacts")) {
        if (!contacts->isArray() ||
            !std::all_of(contacts->asArray().begin(), contacts->asArray().end(), [](const Json &e) { return e.isString(); }))
            return c.refuse("contacts", "contacts must be an array of strings");
    }
    for (std::string_view name : {"client_name", "subject_type", "id_token_signed_response_alg",
                                  "userinfo_signed_response_alg", "request_object_signing_alg",
                                  "token_endpoint_auth_signing_alg", "scope", "software_id", "software_version"}) {
        const Json *value = metadata.find(name);
        if (value && !value->isString())
            return c.refuse(name, std::string(name) + " must be a string");
    }
    if (const std::string *subject = metadata.findString("subject_type");
        subject && !c.policy.subjectTypesSupported.empty() && !contains(c.policy.subjectTypesSupported, *subject))
        return c.refuse("subject_type", "subject_type \"" + *subject + "\" is not supported by this OP");
    if (const std::string *alg = metadata.findString("id_token_signed_response_alg"); alg && *alg == "none") {
        bool idTokenFromAuthorization = std::any_of(responseTypes.begin(), responseTypes.end(), [](const std::string &t) {
            return (" " + t + " ").find(" id_token ") != std::string::npos;
        });
        if (idTokenFromAuthorization)
            return c.refuse("id_token_signed_response_alg",
                            "id_token_signed_response_alg none is not allowed with a response type returning an ID Token");
    }
    if (const Json *maxAge = metadata.find("default_max_age"); maxAge && (!maxAge->isInt() || maxAge->asInt() < 0))
        return c.refuse("default_max_age", "default_max_age must be a non-negative integer");
    if (const Json *authTime = metadata.find("require_auth_time"); authTime && !authTime->isBool())
        return c.refuse("require_auth_time", "require_auth_time must be a boolean");
    return ok();
}

Result<std::vector<std::string>> supportedList(const Json &metadata, std::string_view name,
                                               std::vector<std::string> fallback)
{
    const Json *value = metadata.find(name);
    if (!value)
        return fallback;
    std::vector<std::string> out;
    if (!value->isArray())
        return fail(Error(ErrorCode::InvalidArgument, std::string(name) + " must be an array of strings").withClaim(name));
    for (const Json &item : value->asArray()) {
        if (!item.isString())
            return fail(Error(ErrorCode::InvalidArgument, std::string(name) + " must be an array of strings").withClaim(name));
        out.push_back(item.asString());
    }
    return out;
}

} // namespace

Result<void> validateRegistrationPolicy(const RegistrationPolicy &p)
{
    using namespace std::chrono;
    if (p.entityType != "openid_relying_party" && p.entityType != "oauth_client")
        return fail(detail::outOfRange("entityType", "openid_relying_party or oauth_client"));
    OIDFED_TRY_VOID(detail::checkRange<seconds>("maxLifetime", p.maxLifetime, minutes(1), hours(24 * 366)));
    if (p.responseTypesSupported.empty())
        return fail(detail::outOfRange("responseTypesSupported", "a non-empty list"));
    if (p.grantTypesSupported.empty())
        return fail(detail::outOfRange("grantTypesSupported", "a non-empty list"));
    if (p.tokenEndpointAuthMethodsSupported.empty())
        return fail(detail::outOfRange("tokenEndpointAuthMethodsSupported", "a non-empty list"));
    if (!p.defaults.isObject())
        return fail(detail::outOfRange("defaults", "an object of client metadata parameters"));
    return ok();
}

Result<RegistrationPolicy> registrationPolicyFor(std::string_view entityType, const Json &providerMetadata)
{
    RegistrationPolicy policy;
    if (entityType == "openid_provider")
        policy.entityType = "openid_relying_party";
    else if (entityType == "oauth_authorization_server")
        policy.entityType = "oauth_client";
    else
        return fail(Error(ErrorCode::InvalidArgument, "explicit registration is for an openid_provider or an "
                                                      "oauth_authorization_server, not " +
                                                          std::string(entityType))
                        .withClaim("entity_type"));
    if (!providerMetadata.isObject())
        return fail(Error(ErrorCode::InvalidArgument, "the provider metadata is not an object").withClaim("metadata"));
    OIDFED_TRY(policy.responseTypesSupported,
               supportedList(providerMetadata, "response_types_supported", policy.responseTypesSupported));
    OIDFED_TRY(policy.grantTypesSupported,
               supportedList(providerMetadata, "grant_types_supported", {"authorization_code", "implicit"}));
    OIDFED_TRY(policy.tokenEndpointAuthMethodsSupported,
               supportedList(providerMetadata, "token_endpoint_auth_methods_supported", {"client_secret_basic"}));
    OIDFED_TRY(policy.subjectTypesSupported, supportedList(providerMetadata, "subject_types_supported", {}));
    OIDFED_TRY_VOID(validateRegistrationPolicy(policy));
    return policy;
}

Result<Json> applyClientMetadataPolicy(const Json &clientMetadata, const RegistrationPolicy &policy)
{
    if (!clientMetadata.isObject())
        return fail(Error(ErrorCode::Malformed, "client metadata must be a JSON object").withClaim("metadata"));
    const Checker c{policy, policy.entityType == "openid_relying_party"};
    OIDFED_TRY_VOID(checkResponseOnlyAbsent(clientMetadata));
    Json metadata = clientMetadata;
    if (policy.defaults.isObject())
        for (const auto &[name, value] : policy.defaults.asObject())
            if (!metadata.contains(name))
                metadata.set(name, value);
    OIDFED_TRY(std::string type, applicationType(metadata, c));
    OIDFED_TRY(std::vector<std::string> responses, responseTypes(metadata, c));
    OIDFED_TRY(std::vector<std::string> grants, grantTypes(metadata, responses, c));
    OIDFED_TRY_VOID(redirectUris(metadata, type, grants, c));
    OIDFED_TRY_VOID(keys(metadata, c));
    OIDFED_TRY_VOID(tokenEndpointAuthMethod(metadata, c));
    OIDFED_TRY_VOID(urls(metadata, c));
    OIDFED_TRY_VOID(otherParameters(metadata, responses, c));
    return metadata;
}

} // namespace oidfed
