// The OP's client metadata checks and defaults (12.2.2 step 8; OIDC
// Dynamic Client Registration 2, RFC 7591 2, RFC 8252 7), table-driven:
// every rule refuses with its code (invalid_redirect_uri or
// invalid_client_metadata), parameter and rule, and the defaults are filled.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <oidfed/registration_policy.h>

#include "test_support.h"

using namespace oidfed;
using test::json;

namespace {

RegistrationPolicy oidcPolicy()
{
    RegistrationPolicy policy;
    policy.responseTypesSupported = {"code", "id_token", "code id_token"};
    policy.grantTypesSupported = {"authorization_code", "implicit", "refresh_token"};
    policy.tokenEndpointAuthMethodsSupported = {"private_key_jwt", "client_secret_basic"};
    policy.subjectTypesSupported = {"public", "pairwise"};
    return policy;
}

Json base()
{
    return json(R"({"redirect_uris": ["https://rp.example/cb"], "jwks_uri": "https://rp.example/jwks"})");
}

struct Row {
    const char *name;
    const char *patch;  ///< members set over base()
    ErrorCode code;
    const char *claim;
    const char *rule;
};

} // namespace

TEST_CASE("defaults: response_types, grant_types, token_endpoint_auth_method, application_type")
{
    auto registered = applyClientMetadataPolicy(base(), oidcPolicy());
    REQUIRE_MESSAGE(registered, registered.error().describe());
    CHECK(*registered->find("response_types") == json(R"(["code"])"));
    CHECK(*registered->find("grant_types") == json(R"(["authorization_code"])"));
    CHECK(*registered->find("token_endpoint_auth_method") == Json("private_key_jwt"));
    CHECK(*registered->find("application_type") == Json("web"));
    CHECK(*registered->find("redirect_uris") == *base().find("redirect_uris"));

    // The OP's own defaults come first, and never override the client's.
    RegistrationPolicy policy = oidcPolicy();
    policy.defaults = json(R"({"token_endpoint_auth_method": "client_secret_basic", "subject_type": "pairwise"})");
    Json asked = base();
    asked.set("subject_type", "public");
    auto withDefaults = applyClientMetadataPolicy(asked, policy);
    REQUIRE_MESSAGE(withDefaults, withDefaults.error().describe());
    CHECK(*withDefaults->find("token_endpoint_auth_method") == Json("client_secret_basic"));
    CHECK(*withDefaults->find("subject_type") == Json("public"));

    // grant_types follow the response types when absent.
    Json hybrid = base();
    hybrid.set("response_types", json(R"(["id_token code"])"));
    auto derived = applyClientMetadataPolicy(hybrid, oidcPolicy());
    REQUIRE_MESSAGE(derived, derived.error().describe());
    CHECK(*derived->find("grant_types") == json(R"(["authorization_code","implicit"])"));
}

TEST_CASE("accepted redirect URIs: native custom schemes and loopback, web https")
{
    const std::vector<std::pair<const char *, const char *>> accepted = {
        {"web", "https://rp.example/cb?x=1"},
        {"web", "https://rp.example:8443/cb"},
        {"native", "com.example.app:/callback"},
        {"native", "http://127.0.0.1:51004/cb"},
        {"native", "http://[::1]/cb"},
        {"native", "http://localhost:8080/cb"},
        {"native", "https://app.example/cb"},
    };
    for (const auto &row : accepted) {
        // Not a structured binding: clang 14 does not let CAPTURE's lambda
        // refer to one (the sanitizer build).
        const auto &[type, uri] = row;
        CAPTURE(row.second);
        Json metadata = base();
        metadata.set("application_type", type);
        Json uris = Json::array();
        uris.push(uri);
        metadata.set("redirect_uris", uris);
        auto r = applyClientMetadataPolicy(metadata, oidcPolicy());
        CHECK_MESSAGE(r, (r ? "" : r.error().describe()));
    }
    // The test switch lets web clients use http on loopback.
    RegistrationPolicy lax = oidcPolicy();
    lax.allowHttpLoopbackForWeb = true;
    Json metadata = base();
    metadata.set("redirect_uris", json(R"(["http://127.0.0.1:8080/cb"])"));
    CHECK(applyClientMetadataPolicy(metadata, lax));
    CHECK_FALSE(applyClientMetadataPolicy(metadata, oidcPolicy()));
    // And URL parameters on loopback (the demo RP's jwks_uri), never on
    // another host.
    metadata.set("redirect_uris", json(R"(["https://rp.example/cb"])"));
    metadata.set("jwks_uri", "http://127.0.0.1:8777/rp/jwks");
    CHECK(applyClientMetadataPolicy(metadata, lax));
    auto strict = applyClientMetadataPolicy(metadata, oidcPolicy());
    REQUIRE_FALSE(strict);
    CHECK(strict.error().claim == "jwks_uri");
    metadata.set("jwks_uri", "http://rp.example/jwks");
    auto remote = applyClientMetadataPolicy(metadata, lax);
    REQUIRE_FALSE(remote);
    CHECK(remote.error().code == ErrorCode::InvalidClientMetadata);
    CHECK(remote.error().claim == "jwks_uri");
}

TEST_CASE("every refusal names its parameter and rule")
{
    const std::vector<Row> rows = {
        {"no redirect_uris", R"({"redirect_uris": null})", ErrorCode::InvalidRedirectUri, "redirect_uris",
         "OIDC Registration 2 redirect_uris"},
        {"empty redirect_uris", R"({"redirect_uris": []})", ErrorCode::InvalidRedirectUri, "redirect_uris",
         "OIDC Registration 2 redirect_uris"},
        {"relative redirect", R"({"redirect_uris": ["/cb"]})", ErrorCode::InvalidRedirectUri, "redirect_uris",
         "OIDC Registration 2 redirect_uris"},
        {"fragment", R"({"redirect_uris": ["https://rp.example/cb#x"]})", ErrorCode::InvalidRedirectUri,
         "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"web http", R"({"redirect_uris": ["http://rp.example/cb"]})", ErrorCode::InvalidRedirectUri, "redirect_uris",
         "OIDC Registration 2 redirect_uris"},
        {"web http loopback without the switch", R"({"redirect_uris": ["http://127.0.0.1/cb"]})",
         ErrorCode::InvalidRedirectUri, "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"web custom scheme", R"({"redirect_uris": ["com.example.app:/cb"]})", ErrorCode::InvalidRedirectUri,
         "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"native http on a public host", R"({"application_type": "native", "redirect_uris": ["http://rp.example/cb"]})",
         ErrorCode::InvalidRedirectUri, "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"javascript scheme", R"({"application_type": "native", "redirect_uris": ["javascript:void"]})",
         ErrorCode::InvalidRedirectUri, "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"space in a URI", R"({"redirect_uris": ["https://rp.example/a b"]})", ErrorCode::InvalidRedirectUri,
         "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"implicit on localhost",
         R"({"response_types": ["id_token"], "grant_types": ["implicit"], "redirect_uris": ["https://localhost/cb"]})",
         ErrorCode::InvalidRedirectUri, "redirect_uris", "OIDC Registration 2 redirect_uris"},
        {"unsupported response type", R"({"response_types": ["token"]})", ErrorCode::InvalidClientMetadata,
         "response_types", "OIDC Registration 2 response_types"},
        {"response_types not an array", R"({"response_types": "code"})", ErrorCode::InvalidClientMetadata,
         "response_types", "OIDC Registration 2 response_types"},
        {"grant types inconsistent", R"({"response_types": ["code id_token"], "grant_types": ["authorization_code"]})",
         ErrorCode::InvalidClientMetadata, "grant_types", "OIDC Registration 2 grant_types"},
        {"unsupported grant type", R"({"grant_types": ["authorization_code", "password"]})",
         ErrorCode::InvalidClientMetadata, "grant_types", "OIDC Registration 2 grant_types"},
        {"unsupported auth method", R"({"token_endpoint_auth_method": "client_secret_post"})",
         ErrorCode::InvalidClientMetadata, "token_endpoint_auth_method",
         "OIDC Registration 2 token_endpoint_auth_method"},
        {"private_key_jwt without keys", R"({"jwks_uri": null})", ErrorCode::InvalidClientMetadata,
         "token_endpoint_auth_method", "OIDC Registration 2 token_endpoint_auth_method"},
        {"jwks and jwks_uri", R"({"jwks": {"keys": []}})", ErrorCode::InvalidClientMetadata, "jwks",
         "OIDC Registration 2 jwks"},
        {"application_type other", R"({"application_type": "desktop"})", ErrorCode::InvalidClientMetadata,
         "application_type", "OIDC Registration 2 application_type"},
        {"client_id asked for", R"({"client_id": "mine"})", ErrorCode::InvalidClientMetadata, "client_id",
         "5.1.2 response-only parameter"},
        {"client_secret asked for", R"({"client_secret": "s"})", ErrorCode::InvalidClientMetadata, "client_secret",
         "5.1.2 response-only parameter"},
        {"jwks_uri over http", R"({"jwks_uri": "http://rp.example/jwks"})", ErrorCode::InvalidClientMetadata,
         "jwks_uri", "OIDC Registration 2 jwks_uri"},
        {"logo_uri with a fragment", R"({"logo_uri": "https://rp.example/logo#x"})", ErrorCode::InvalidClientMetadata,
         "logo_uri", "OIDC Registration 2 logo_uri"},
        {"unsupported subject type", R"({"subject_type": "ephemeral"})", ErrorCode::InvalidClientMetadata,
         "subject_type", "OIDC Registration 2 subject_type"},
        {"contacts not strings", R"({"contacts": [1]})", ErrorCode::InvalidClientMetadata, "contacts",
         "OIDC Registration 2 contacts"},
        {"alg none with an ID Token",
         R"({"response_types": ["id_token"], "grant_types": ["implicit"], "id_token_signed_response_alg": "none"})",
         ErrorCode::InvalidClientMetadata, "id_token_signed_response_alg",
         "OIDC Registration 2 id_token_signed_response_alg"},
        {"client_name not a string", R"({"client_name": ["x"]})", ErrorCode::InvalidClientMetadata, "client_name",
         "OIDC Registration 2 client_name"},
    };
    for (const Row &row : rows) {
        INFO(std::string(row.name));
        Json metadata = base();
        const Json patch = json(row.patch);
        for (const auto &[name, value] : patch.asObject()) {
            if (value.isNull())
                metadata.erase(name);
            else
                metadata.set(name, value);
        }
        auto r = applyClientMetadataPolicy(metadata, oidcPolicy());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == row.code);
        CHECK(r.error().claim == row.claim);
        CHECK(r.error().rule == row.rule);
    }
}

TEST_CASE("an oauth_client follows RFC 7591: no application_type, its own rule names")
{
    RegistrationPolicy policy = oidcPolicy();
    policy.entityType = "oauth_client";
    auto registered = applyClientMetadataPolicy(base(), policy);
    REQUIRE_MESSAGE(registered, registered.error().describe());
    CHECK_FALSE(registered->contains("application_type"));
    Json bad = base();
    bad.set("redirect_uris", json(R"(["http://rp.example/cb"])"));
    auto r = applyClientMetadataPolicy(bad, policy);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidRedirectUri);
    CHECK(r.error().rule == "RFC 7591 2 redirect_uris");
    // client_credentials needs no redirect URI.
    policy.grantTypesSupported.push_back("client_credentials");
    Json machine = json(R"({"grant_types": ["client_credentials"], "response_types": ["code"], "jwks_uri": "https://m.example/jwks"})");
    machine.set("grant_types", json(R"(["client_credentials", "authorization_code"])"));
    CHECK_FALSE(applyClientMetadataPolicy(machine, policy));  // authorization_code still needs them
}

TEST_CASE("the policy of an OP from its metadata, and its validation")
{
    auto policy = registrationPolicyFor("openid_provider", json(R"({
        "response_types_supported": ["code"], "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "subject_types_supported": ["public"]})"));
    REQUIRE_MESSAGE(policy, policy.error().describe());
    CHECK(policy->entityType == "openid_relying_party");
    CHECK(policy->responseTypesSupported == std::vector<std::string>{"code"});
    // OIDC Discovery defaults for what the OP leaves out.
    CHECK(policy->grantTypesSupported == std::vector<std::string>{"authorization_code", "implicit"});
    auto as = registrationPolicyFor("oauth_authorization_server", json(R"({"response_types_supported": ["code"]})"));
    REQUIRE(as);
    CHECK(as->entityType == "oauth_client");
    CHECK(as->tokenEndpointAuthMethodsSupported == std::vector<std::string>{"client_secret_basic"});
    auto wrong = registrationPolicyFor("federation_entity", Json::object());
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == ErrorCode::InvalidArgument);
    auto badType = registrationPolicyFor("openid_provider", json(R"({"grant_types_supported": "code"})"));
    REQUIRE_FALSE(badType);
    CHECK(badType.error().claim == "grant_types_supported");

    RegistrationPolicy p;
    CHECK(validateRegistrationPolicy(p));
    p.maxLifetime = std::chrono::seconds(5);
    CHECK(validateRegistrationPolicy(p).error().claim == "maxLifetime");
    p = {};
    p.entityType = "openid_provider";
    CHECK(validateRegistrationPolicy(p).error().claim == "entityType");
    p = {};
    p.tokenEndpointAuthMethodsSupported.clear();
    CHECK(validateRegistrationPolicy(p).error().claim == "tokenEndpointAuthMethodsSupported");
}
