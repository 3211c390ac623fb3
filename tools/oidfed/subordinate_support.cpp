#include "subordinate_support.h"

#include <cstdint>
#include <ctime>
#include <memory>

#include <CLI/CLI.hpp>

#include <oidfed/fetcher.h>

#include "cli_output.h"
#include "resolver_setup.h"

namespace oidfed::cli {

namespace {

/// Clock skew allowed when checking a fetched Entity Configuration's iat/exp.
constexpr std::int64_t kClockSkewSeconds = 60;

std::string keyTypeName(KeyType type)
{
    switch (type) {
    case KeyType::Rsa:
        return "RSA";
    case KeyType::Ec:
        return "EC";
    case KeyType::Okp:
        return "OKP";
    }
    return "?";
}

} // namespace

int failWith(const Error &error, Format format, int exitCode)
{
    (void)reportError(error, format);
    return exitCode;
}

Json keysJson(const JwkSet &jwks)
{
    Json keys = Json::array();
    for (const Jwk &key : jwks.keys()) {
        Json entry = Json::object();
        entry.set("kid", key.kid());
        entry.set("kty", keyTypeName(key.type()));
        if (!key.curve().empty())
            entry.set("crv", key.curve());
        if (key.rsaBits() > 0)
            entry.set("bits", key.rsaBits());
        entry.set("thumbprint", key.thumbprint());
        keys.push(std::move(entry));
    }
    return keys;
}

std::vector<std::string> thumbprintsOf(const JwkSet &jwks)
{
    std::vector<std::string> out;
    for (const Jwk &key : jwks.keys())
        out.push_back(key.thumbprint());
    return out;
}

Json stringsJson(const std::vector<std::string> &values)
{
    Json out = Json::array();
    for (const std::string &value : values)
        out.push(value);
    return out;
}

int fetchExitCode(const Error &error)
{
    switch (error.code) {
    case ErrorCode::InvalidArgument:
        return kExitUsage;
    case ErrorCode::Malformed:
    case ErrorCode::LimitExceeded:
        return kExitInvalid;
    default:
        return kExitUnavailable;
    }
}

Result<std::string> fetchEntityConfiguration(const EcFetchSwitches &switches, const std::string &url)
{
    OIDFED_TRY(std::unique_ptr<Fetcher> fetcher, makeCommandFetcher({.allowHttp = switches.allowHttp,
                                                                      .allowLoopback = switches.allowLoopback,
                                                                      .caFile = switches.caFile,
                                                                      .resolve = {}}));
    OIDFED_TRY(FetchResponse response, fetcher->fetch(FetchRequest{url, std::string(kEntityStatementMediaType), {}}));
    std::string body = std::move(response.body);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' '))
        body.pop_back();
    return body;
}

Result<EntityStatement> checkEntityConfiguration(const std::string &token, const EntityId &id,
                                                 const std::string &url, const EntityIdOptions &idOptions)
{
    StatementOptions statementOptions;
    statementOptions.entityIds = idOptions;
    OIDFED_TRY(EntityStatement statement, EntityStatement::parse(token, statementOptions));
    if (!statement.isEntityConfiguration() || statement.issuer() != id)
        return fail(Error(ErrorCode::InvalidClaim, url + " does not serve the Entity Configuration of " + id.str() +
                                                       " (iss " + statement.issuer().str() + ", sub " +
                                                       statement.subject().str() + ")")
                        .withRule("9 iss = sub = entity id")
                        .withClaim("sub")
                        .withEntity(id.str()));
    OIDFED_TRY_VOID(statement.verifySignature(statement.jwks()));
    OIDFED_TRY_VOID(statement.checkValidityPeriod(static_cast<UnixTime>(std::time(nullptr)), kClockSkewSeconds));
    return statement;
}

Result<ListedSubordinate> findSubordinate(const std::filesystem::path &dir, const std::string &entityId,
                                          const EntityIdOptions &idOptions)
{
    auto listed = entity::findSubordinate(dir, entityId, idOptions);
    if (!listed && listed.error().code == ErrorCode::NotFound) {
        Error error = std::move(listed).error();
        error.code = ErrorCode::InvalidArgument;
        return fail(std::move(error));
    }
    return listed;
}

void addDirOptions(CLI::App &cmd, DirArgs &args, bool entity)
{
    if (entity)
        cmd.add_option("entity_id", args.entityId, "Entity Identifier of the subordinate")->required();
    cmd.add_option("--dir", args.dir, "Subordinate directory (one JSON file per subordinate)")->required();
    cmd.add_flag("--allow-http", args.allowHttp, "TEST SWITCH: accept http:// entity ids");
}

std::optional<int> writeChecked(const ListedSubordinate &listed, const Json &next, const DirArgs &args,
                                Format format)
{
    if (auto checked = entity::checkSubordinateFile(next, listed.path, idOptionsOf(args)); !checked)
        return failWith(checked.error(), format, kExitInvalid);
    if (args.dryRun)
        return std::nullopt;
    if (auto written = entity::writeSubordinateFile(listed.path, next); !written)
        return failWith(written.error(), format, kExitUsage);
    return std::nullopt;
}

} // namespace oidfed::cli
