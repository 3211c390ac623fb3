// The demo federation (trust-anchors/demo) served with a trust API on its
// OP (docs/trust-api.md) and a protocol key generated at run time in its
// RP's metadata, and what the trust API tests send and check: form bodies,
// the RP's Request Objects and client assertions, a spec 8.8 caller's
// assertion, the answers. Shared by trust_api_serve_test and
// trust_api_redis_test.
#pragma once

#include <atomic>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <oidfed/clock.h>
#include <oidfed/jws.h>

#include "served_federation.h"
#include "test_support.h"

namespace oidfed::test::trust_api {

namespace fs = std::filesystem;

inline UnixTime now()
{
    return static_cast<UnixTime>(std::time(nullptr));
}

std::string hexSha256(const std::string &text)
{
    unsigned char digest[32];
    unsigned int length = 0;
    REQUIRE(EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) == 1);
    static const char *hex = "0123456789abcdef";
    std::string out;
    for (unsigned char byte : digest) {
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
    return out;
}

inline std::string randomToken()
{
    std::random_device random;
    std::string token = "tok-";
    for (int i = 0; i < 4; ++i)
        token += std::to_string(random());
    return token;
}

inline std::string formEncode(const std::string &text)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

inline std::string form(const std::vector<std::pair<std::string, std::string>> &params)
{
    std::string out;
    for (const auto &[name, value] : params)
        out += (out.empty() ? "" : "&") + name + "=" + formEncode(value);
    return out;
}

inline std::string uniqueJti()
{
    static std::atomic<int> counter{0};
    return "jti-" + std::to_string(now()) + "-" + std::to_string(++counter);
}

inline Json jwksOf(const Jwk &key)
{
    Json keys = Json::array();
    keys.push(key.toPublicJson());
    Json set = Json::object();
    set.set("keys", keys);
    return set;
}

inline std::string sign(const Json &claims, const std::string &typ, const Jwk &key, const Json &extraHeader = Json::object())
{
    Json header = extraHeader;
    header.set("typ", typ);
    auto jwt = signJws(header, claims.dump(), key);
    REQUIRE(jwt);
    return *jwt;
}

/// The demo with a trust_api on the OP and a protocol key in the RP's
/// metadata; `apiExtra` is inserted into the trust_api object.
struct TrustApiFederation {
    std::string token = randomToken();
    Jwk protocolKey = Jwk::generate(JwsAlgorithm::ES256).value();
    std::unique_ptr<ServedFederation> fed;

    /// `opExtra`: members added to the OP's entity ("%TA%" its anchor's id).
    /// `topExtra`: top-level members added (e.g. "redis").
    explicit TrustApiFederation(const std::string &apiExtra = {}, const std::string &anchors = {},
                                const std::string &opExtra = {}, const std::string &topExtra = {})
    {
        const std::string digest = hexSha256(token);
        const std::string rpJwks = jwksOf(protocolKey).dump();
        fed = std::make_unique<ServedFederation>("", "", [&](ServedFederation &f) {
            const fs::path config = f.dir() / "oidfed.json";
            std::string text = test::readText(config);
            const std::string callers = R"([{"name": "op-module", "token_sha256": ")" + digest +
                                        R"("}, {"name": "issuer-module", "entity_id": ")" + f.id("ci") + R"("}])";
            const std::string api = R"("trust_api": {"trust_anchors": )" +
                                    (anchors.empty() ? R"([{"entity_id": ")" + f.id("ta") + R"("}])" : anchors) +
                                    R"(, "callers": )" + callers + apiExtra + "},\n      " +
                                    test::replaceAll(opExtra, "%TA%", f.id("ta"));
            if (!opExtra.empty())
                fs::create_directories(f.dir() / "subordinates" / "op");
            text = test::replaceAll(text, "\"explicit_registration\": {", api + "\"explicit_registration\": {");
            if (!topExtra.empty())
                text = test::replaceAll(text, "\"threads\": 2,", "\"threads\": 2, " + topExtra);
            text = test::replaceAll(text, "\"jwks_uri\": \"" + f.id("rp") + "/jwks\"", "\"jwks\": " + rpJwks);
            // An RP that names the intermediate as its superior, which has
            // no statement about it: no path to the anchor. And one whose
            // superior's statement vouches for other keys than its own: no
            // valid chain.
            const Jwk other = Jwk::generate(JwsAlgorithm::ES256).value();
            test::writeText(f.dir() / "subordinates" / "ia" / "forged.json",
                            R"({"entity_id": ")" + f.id("forged") + R"(", "jwks": )" + jwksOf(other).dump() + "}");
            const std::string forged = R"({"entity_id": ")" + f.id("forged") +
                                       R"(", "keys_dir": "keys/forged", "authority_hints": [")" + f.id("ia") +
                                       R"("], "metadata": {"openid_relying_party": {"jwks": )" + rpJwks + "}}},\n    ";
            const std::string orphan = R"({"entity_id": ")" + f.id("orphan") +
                                       R"(", "keys_dir": "keys/orphan", "authority_hints": [")" + f.id("ia") +
                                       R"("], "metadata": {"openid_relying_party": {"jwks": )" + rpJwks + "}}},\n    ";
            text = test::replaceAll(text, "\"entities\": [\n    ", "\"entities\": [\n    " + orphan + forged);
            test::writeText(config, text);
        });
    }

    std::string rp() const { return fed->id("rp"); }
    std::string op() const { return fed->id("op"); }

    HttpReply post(const std::string &call, const std::string &body, const std::vector<std::string> &extra = {}) const
    {
        std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded", "Expect:"};
        headers.insert(headers.end(), extra.begin(), extra.end());
        return test::httpRequest(fed->id("op") + "/trust-api/" + call, headers, "POST", body);
    }
    /// A call of the bearer caller.
    HttpReply call(const std::string &call, const std::vector<std::pair<std::string, std::string>> &params) const
    {
        return post(call, form(params), {"Authorization: Bearer " + token});
    }

    Json requestObjectClaims() const
    {
        Json claims = Json::object();
        claims.set("iss", rp());
        claims.set("client_id", rp());
        claims.set("aud", op());
        claims.set("jti", uniqueJti());
        claims.set("iat", now());
        claims.set("exp", now() + 300);
        claims.set("response_type", "code");
        claims.set("redirect_uri", rp() + "/callback");
        claims.set("scope", "openid");
        return claims;
    }
    Json assertionClaims(const std::string &client, const std::string &audience) const
    {
        Json claims = Json::object();
        claims.set("iss", client);
        claims.set("sub", client);
        claims.set("aud", audience);
        claims.set("jti", uniqueJti());
        claims.set("iat", now());
        claims.set("exp", now() + 60);
        return claims;
    }
    /// The issuer module's spec 8.8 authentication parameters, signed with
    /// `key` (default: the credential issuer's Federation Entity Key).
    std::vector<std::pair<std::string, std::string>> callerAuth(const std::string &call, const Jwk *key = nullptr,
                                                                const std::string &jti = {}) const
    {
        // `call`: a trust API call, or "/<endpoint>" for a federation endpoint.
        Json claims = assertionClaims(fed->id("ci"), op() + (call.front() == '/' ? call : "/trust-api/" + call));
        if (!jti.empty())
            claims.set("jti", jti);
        const Jwk signer = key ? *key : fed->activeKeyOf("ci");
        return {{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                {"client_assertion", sign(claims, "JWT", signer)}};
    }
};

inline Json bodyOf(const HttpReply &reply)
{
    auto body = parseJson(reply.body);
    REQUIRE_MESSAGE(body, reply.body);
    return *body;
}

/// A refusal with the trust API's members: status, code, rule (when given).
inline void checkRefusal(const HttpReply &reply, long status, const std::string &code, const std::string &rule = {})
{
    test::checkSpecError(reply, status, code);
    CHECK(reply.header("cache-control") == "no-store");
    if (!rule.empty()) {
        Json body = bodyOf(reply);
        REQUIRE_MESSAGE(body.findString("rule"), reply.body);
        CHECK_MESSAGE(*body.findString("rule") == rule, reply.body);
    }
}

inline void checkUnauthenticated(const HttpReply &reply)
{
    checkRefusal(reply, 401, "invalid_client");
    CHECK(reply.header("www-authenticate") == "Bearer");
}

/// A 200 answer about the demo RP.
inline void checkVerified(const TrustApiFederation &t, const HttpReply &reply, bool withClaims)
{
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    CHECK(reply.header("content-type") == "application/json");
    CHECK(reply.header("cache-control") == "no-store");
    Json body = bodyOf(reply);
    CHECK(*body.findString("client_id") == t.rp());
    CHECK(*body.findString("entity_type") == "openid_relying_party");
    CHECK(*body.findString("trust_anchor") == t.fed->id("ta"));
    CHECK(body.find("expires_at")->asInt() > now());
    CHECK(*body.findString("keys_source") == "jwks");
    CHECK(*body.find("client_metadata")->findString("client_id") == t.rp());
    CHECK(body.find("jwks")->dump() == jwksOf(t.protocolKey).dump());
    CHECK(body.find("trust_chain")->size() == 4);
    CHECK(body.contains("claims") == withClaims);
}

} // namespace oidfed::test::trust_api
