#include "entity/key_manifest.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>

#include <oidfed/json.h>
#include <oidfed/jwk.h>

namespace oidfed::entity {

namespace {

constexpr std::int64_t kManifestVersion = 1;
constexpr std::array<std::string_view, 3> kRevocationReasons = {"unspecified", "compromised", "superseded"};
constexpr std::array<std::string_view, 9> kRecordMembers = {
    "kid", "alg", "state", "created_at", "activated_at", "retired_at", "expires_at", "revoked", "jwk"};

Unexpected malformed(const std::string &where, std::string_view member, const std::string &what)
{
    std::string message = "keys.json: " + where;
    if (!member.empty())
        message += ": \"" + std::string(member) + "\"";
    return fail(Error(ErrorCode::Malformed, message + " " + what).withClaim(member));
}

std::optional<KeyState> parseKeyState(std::string_view name)
{
    for (KeyState state : {KeyState::Next, KeyState::Active, KeyState::Retired})
        if (keyStateName(state) == name)
            return state;
    return std::nullopt;
}

template <std::size_t N>
Result<void> onlyMembers(const Json &object, const std::array<std::string_view, N> &allowed, const std::string &where)
{
    for (const auto &[name, value] : object.asObject())
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            return malformed(where, name, "is not a known member");
    return ok();
}

Result<std::string> requiredString(const Json &object, std::string_view name, const std::string &where)
{
    const Json *value = object.find(name);
    if (!value)
        return malformed(where, name, "is missing");
    if (!value->isString() || value->asString().empty())
        return malformed(where, name, "must be a non-empty string");
    return value->asString();
}

/// A NumericDate member: 0 when absent (and not required).
Result<UnixTime> timeMember(const Json &object, std::string_view name, bool required, const std::string &where)
{
    const Json *value = object.find(name);
    if (!value) {
        if (required)
            return malformed(where, name, "is missing");
        return UnixTime{0};
    }
    if (!value->isInt() || value->asInt() < 0)
        return malformed(where, name, "must be a non-negative integer NumericDate");
    return UnixTime{value->asInt()};
}

Result<KeyRevocation> parseRevocation(const Json &value, const std::string &where)
{
    if (!value.isObject())
        return malformed(where, "revoked", "must be an object");
    constexpr std::array<std::string_view, 2> members = {"revoked_at", "reason"};
    OIDFED_TRY_VOID(onlyMembers(value, members, where + " revoked"));
    KeyRevocation revocation;
    OIDFED_TRY(revocation.revokedAt, timeMember(value, "revoked_at", true, where + " revoked"));
    OIDFED_TRY(revocation.reason, requiredString(value, "reason", where + " revoked"));
    if (!isKeyRevocationReason(revocation.reason))
        return malformed(where + " revoked", "reason", "is not unspecified, compromised or superseded");
    return revocation;
}

/// The record's public key: "jwk" must be a public JWK whose thumbprint is
/// the kid and which supports alg; its kid, alg and use are set.
Result<Jwk> parsePublicKey(const Json &jwk, const std::string &kid, JwsAlgorithm alg, const std::string &where)
{
    if (!jwk.isObject())
        return malformed(where, "jwk", "must be an object");
    if (const std::string *jwkKid = jwk.findString("kid"); jwkKid && *jwkKid != kid)
        return malformed(where, "jwk", "has a kid other than the record's");
    if (const std::string *jwkAlg = jwk.findString("alg"); jwkAlg && *jwkAlg != jwsAlgorithmName(alg))
        return malformed(where, "jwk", "has an alg other than the record's");
    OIDFED_TRY(Jwk parsed, Jwk::fromPublicJson(jwk));
    if (parsed.thumbprint() != kid)
        return malformed(where, "kid", "is not the RFC 7638 thumbprint of the record's jwk");
    if (!parsed.supports(alg))
        return malformed(where, "alg", "is not an algorithm this key can sign with");
    return publishedPublicKey(parsed, alg);
}

Result<KeyRecord> parseRecord(const Json &value, std::size_t index)
{
    std::string where = "key " + std::to_string(index);
    if (!value.isObject())
        return malformed(where, "", "is not an object");
    OIDFED_TRY_VOID(onlyMembers(value, kRecordMembers, where));
    OIDFED_TRY(std::string kid, requiredString(value, "kid", where));
    where = "key " + kid;
    OIDFED_TRY(std::string algName, requiredString(value, "alg", where));
    const auto alg = parseJwsAlgorithm(algName);
    if (!alg)
        return malformed(where, "alg", "is not a supported JWS algorithm");
    OIDFED_TRY(std::string stateName, requiredString(value, "state", where));
    const auto state = parseKeyState(stateName);
    if (!state)
        return malformed(where, "state", "is not next, active or retired");
    const Json *jwk = value.find("jwk");
    if (!jwk)
        return malformed(where, "jwk", "is missing");
    OIDFED_TRY(Jwk publicKey, parsePublicKey(*jwk, kid, *alg, where));

    KeyRecord record{.kid = kid, .alg = *alg, .state = *state, .publicKey = publicKey};
    const bool activated = *state != KeyState::Next;
    const bool retired = *state == KeyState::Retired;
    OIDFED_TRY(record.createdAt, timeMember(value, "created_at", true, where));
    OIDFED_TRY(record.activatedAt, timeMember(value, "activated_at", activated, where));
    OIDFED_TRY(record.retiredAt, timeMember(value, "retired_at", retired, where));
    OIDFED_TRY(record.expiresAt, timeMember(value, "expires_at", retired, where));
    if (!activated && value.contains("activated_at"))
        return malformed(where, "activated_at", "is not allowed on a next key");
    if (!retired && (value.contains("retired_at") || value.contains("expires_at")))
        return malformed(where, value.contains("retired_at") ? "retired_at" : "expires_at",
                         "is allowed on a retired key only");
    if (retired && record.expiresAt < record.retiredAt)
        return malformed(where, "expires_at", "is before retired_at");
    if (const Json *revoked = value.find("revoked")) {
        if (*state == KeyState::Active)
            return malformed(where, "revoked", "is not allowed on the active key");
        OIDFED_TRY(record.revoked, parseRevocation(*revoked, where));
    }
    return record;
}

} // namespace

bool isKeyRevocationReason(std::string_view reason) noexcept
{
    return std::find(kRevocationReasons.begin(), kRevocationReasons.end(), reason) != kRevocationReasons.end();
}

Result<Jwk> publishedPublicKey(const Jwk &key, JwsAlgorithm alg)
{
    Json json = key.toPublicJson();
    json.set("kid", key.thumbprint());
    json.set("alg", std::string(jwsAlgorithmName(alg)));
    json.set("use", "sig");
    return Jwk::fromPublicJson(json);
}

Result<std::vector<KeyRecord>> parseKeyManifest(std::string_view text)
{
    auto parsed = parseJson(text);
    if (!parsed)
        return fail(Error(ErrorCode::Malformed, "keys.json is not valid JSON: " + parsed.error().message));
    const Json &root = *parsed;
    if (!root.isObject())
        return malformed("top level", "", "is not an object");
    constexpr std::array<std::string_view, 2> members = {"version", "keys"};
    OIDFED_TRY_VOID(onlyMembers(root, members, "top level"));
    const Json *version = root.find("version");
    if (!version || !version->isInt() || version->asInt() != kManifestVersion)
        return malformed("top level", "version", "must be 1");
    const Json *keys = root.find("keys");
    if (!keys || !keys->isArray())
        return malformed("top level", "keys", "must be an array");

    std::vector<KeyRecord> records;
    std::set<std::string, std::less<>> kids;
    std::size_t active = 0;
    std::size_t next = 0;
    for (const Json &value : keys->asArray()) {
        OIDFED_TRY(KeyRecord record, parseRecord(value, records.size()));
        if (!kids.insert(record.kid).second)
            return malformed("key " + record.kid, "kid", "appears twice");
        active += record.state == KeyState::Active ? 1 : 0;
        next += record.state == KeyState::Next && !record.revoked ? 1 : 0;
        records.push_back(std::move(record));
    }
    if (active != 1)
        return malformed("top level", "keys", "must hold exactly one active key, not " + std::to_string(active));
    if (next > 1)
        return malformed("top level", "keys", "holds " + std::to_string(next) + " next keys; at most one is allowed");
    return records;
}

std::string serializeKeyManifest(const std::vector<KeyRecord> &records)
{
    Json keys = Json::array();
    for (const KeyRecord &record : records) {
        Json entry = Json::object();
        entry.set("kid", record.kid);
        entry.set("alg", std::string(jwsAlgorithmName(record.alg)));
        entry.set("state", std::string(keyStateName(record.state)));
        entry.set("created_at", record.createdAt);
        if (record.state != KeyState::Next)
            entry.set("activated_at", record.activatedAt);
        if (record.state == KeyState::Retired) {
            entry.set("retired_at", record.retiredAt);
            entry.set("expires_at", record.expiresAt);
        }
        if (record.revoked) {
            Json revoked = Json::object();
            revoked.set("revoked_at", record.revoked->revokedAt);
            revoked.set("reason", record.revoked->reason);
            entry.set("revoked", std::move(revoked));
        }
        entry.set("jwk", record.publicKey.toPublicJson());
        keys.push(std::move(entry));
    }
    Json root = Json::object();
    root.set("version", kManifestVersion);
    root.set("keys", std::move(keys));
    return root.dump(true) + "\n";
}

} // namespace oidfed::entity
