// oidfed inspect JWT|FILE|- [--jwks FILE] [--at TIME]
//
// Decodes any federation JWT, pretty-prints header and claims, checks its typ
// and, for Entity Statements, every structural rule of spec 3.2. Verifies the
// signature with --jwks (a JWK Set, a trust anchor pin {"entity_id","jwks"},
// or an Entity Statement whose jwks vouch for the signer); an Entity
// Configuration without --jwks is checked against its own jwks.

#include "commands.h"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

#include "resolver_setup.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

// typ -> kind, for the JWTs of spec 0.1.
const std::map<std::string, std::string, std::less<>> kKnownTypes = {
    {"entity-statement+jwt", "entity_statement"},
    {"trust-mark+jwt", "trust_mark"},
    {"trust-mark-delegation+jwt", "trust_mark_delegation"},
    {"resolve-response+jwt", "resolve_response"},
    {"trust-mark-status-response+jwt", "trust_mark_status_response"},
    {"jwk-set+jwt", "jwk_set"},
    {"explicit-registration-response+jwt", "explicit_registration_response"},
};

struct InspectArgs {
    std::string input;
    std::string jwksFile;
    std::string at;
    std::string caFile;
    bool allowHttp = false;
    bool allowLoopback = false;
};

std::string trim(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    std::size_t start = text.find_first_not_of(" \n\r\t");
    return start == std::string::npos ? std::string() : text.substr(start);
}

// GET a URL (an Entity Configuration's well-known URL, a fetch endpoint
// query, ...) with the same guarded fetcher the resolver uses.
Result<std::string> fetchToken(const InspectArgs &args)
{
    OIDFED_TRY(std::unique_ptr<Fetcher> fetcher, makeCommandFetcher({.allowHttp = args.allowHttp,
                                                                      .allowLoopback = args.allowLoopback,
                                                                      .caFile = args.caFile,
                                                                      .resolve = {}}));
    OIDFED_TRY(FetchResponse response, fetcher->fetch(FetchRequest{args.input, "", {}}));
    return trim(std::move(response.body));
}

Result<std::string> loadToken(const InspectArgs &args)
{
    const std::string &input = args.input;
    if (input.starts_with("https://") || input.starts_with("http://"))
        return fetchToken(args);
    // A compact JWS is three base64url runs; anything else names a file.
    if (input != "-" && std::count(input.begin(), input.end(), '.') == 2 && input.find('/') == std::string::npos)
        return input;
    OIDFED_TRY(std::string text, readInput(input));
    return trim(std::move(text));
}

// Keys from a JWK Set, a trust anchor pin, or an Entity Statement's jwks.
Result<JwkSet> loadKeys(const std::string &path, const StatementOptions &statementOptions)
{
    OIDFED_TRY(std::string text, readInput(path));
    text = trim(std::move(text));
    if (!text.empty() && text.front() != '{') {
        auto statement = EntityStatement::parse(text, statementOptions);
        if (!statement)
            return fail(Error(ErrorCode::InvalidArgument, "--jwks " + path + ": not a JWK Set, trust anchor pin or Entity Statement: " +
                                                              statement.error().message));
        return statement->jwks();
    }
    auto json = parseJson(text);
    if (!json)
        return fail(ErrorCode::InvalidArgument, "--jwks " + path + ": " + json.error().message);
    const Json *jwks = json->contains("keys") ? &*json : json->find("jwks");
    if (!jwks)
        return fail(ErrorCode::InvalidArgument, "--jwks " + path + ": no \"keys\" or \"jwks\" member");
    auto set = JwkSet::fromJson(*jwks);
    if (!set)
        return fail(Error(ErrorCode::InvalidArgument, "--jwks " + path + ": " + set.error().message));
    return std::move(set).value();
}

Json timesJson(const Json &claims, UnixTime now)
{
    Json times = Json::object();
    for (const char *name : {"iat", "exp"}) {
        const Json *value = claims.find(name);
        if (value && value->isNumber())
            times.set(name, formatRfc3339(static_cast<UnixTime>(value->asDouble())));
    }
    if (const Json *exp = claims.find("exp"); exp && exp->isNumber())
        times.set("expired", exp->asDouble() <= static_cast<double>(now));
    return times;
}

void printText(const Json &report)
{
    std::cout << "kind:      " << report.find("kind")->asString() << '\n';
    std::cout << "header:    " << report.find("header")->dump() << '\n';
    const Json &times = *report.find("times");
    if (const std::string *iat = times.findString("iat"))
        std::cout << "issued:    " << *iat << '\n';
    if (const std::string *exp = times.findString("exp"))
        std::cout << "expires:   " << *exp << (times.find("expired")->asBool() ? "  (EXPIRED)" : "") << '\n';
    const Json &structure = *report.find("structure");
    std::cout << "structure: " << (structure.find("valid")->asBool() ? "valid" : "INVALID") << '\n';
    if (const Json *error = structure.find("error"))
        std::cout << "           " << error->find("error_description")->asString()
                  << (error->contains("rule") ? "  [rule " + error->find("rule")->asString() + "]" : "") << '\n';
    const Json &signature = *report.find("signature");
    std::cout << "signature: " << signature.find("status")->asString();
    if (const std::string *keys = signature.findString("keys"))
        std::cout << " (kid " << report.find("header")->findString("kid")->c_str() << ", keys from " << *keys << ")";
    std::cout << '\n';
    if (const Json *error = signature.find("error"))
        std::cout << "           " << error->find("error_description")->asString() << '\n';
    std::cout << "claims:\n" << report.find("claims")->dump(true) << '\n';
}

int runInspect(const InspectArgs &args, Format format)
{
    auto token = loadToken(args);
    if (!token)
        return reportError(token.error(), format);
    auto jws = Jws::parse(*token);
    if (!jws)
        return reportError(jws.error(), format);
    auto claims = jws->payloadJson();
    if (!claims)
        return reportError(claims.error(), format);

    UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    if (!args.at.empty()) {
        auto at = parseRfc3339(args.at);
        if (!at)
            return reportError(at.error(), format);
        now = *at;
    }

    StatementOptions statementOptions;
    statementOptions.entityIds.allowHttp = args.allowHttp;  // test federations on loopback
    Json report = Json::object();
    auto kind = kKnownTypes.find(jws->typ());
    std::string kindName = kind == kKnownTypes.end() ? "unknown" : kind->second;
    bool valid = kind != kKnownTypes.end();
    Json structure = Json::object();

    std::optional<JwkSet> ownKeys;
    if (kindName == "entity_statement") {
        auto statement = EntityStatement::parse(*token, statementOptions);
        if (statement) {
            kindName = statement->isEntityConfiguration() ? "entity_configuration" : "subordinate_statement";
            if (statement->isEntityConfiguration())
                ownKeys = statement->jwks();
            structure.set("valid", true);
        } else {
            valid = false;
            structure.set("valid", false);
            structure.set("error", errorToJson(statement.error()));
        }
    } else if (kind == kKnownTypes.end()) {
        structure.set("valid", false);
        structure.set("error", errorToJson(Error(ErrorCode::BadType, "unknown or missing typ \"" + jws->typ() + "\"")
                                             .withRule("0.1 JWT types")
                                             .withClaim("typ")));
    } else {
        structure.set("valid", true);
        structure.set("note", "decoded only; the structural rules of this JWT kind are not checked by inspect");
    }

    Json signature = Json::object();
    std::optional<JwkSet> keys;
    std::string keySource;
    if (!args.jwksFile.empty()) {
        auto loaded = loadKeys(args.jwksFile, statementOptions);
        if (!loaded)
            return reportError(loaded.error(), format);
        keys = std::move(loaded).value();
        keySource = args.jwksFile;
    } else if (ownKeys) {
        keys = ownKeys;
        keySource = "its own jwks";
    }
    if (keys) {
        auto verified = jws->verify(*keys);
        signature.set("status", verified ? "verified" : "INVALID");
        signature.set("keys", keySource);
        if (!verified) {
            valid = false;
            signature.set("error", errorToJson(verified.error()));
        }
    } else {
        signature.set("status", "not checked (no --jwks)");
    }

    report.set("kind", kindName);
    report.set("valid", valid);
    report.set("header", jws->header());
    report.set("claims", *claims);
    report.set("times", timesJson(*claims, now));
    report.set("structure", structure);
    report.set("signature", signature);

    if (format == Format::Json)
        printJson(report);
    else
        printText(report);
    return valid ? kExitOk : kExitInvalid;
}

} // namespace

void addInspectCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<InspectArgs>();
    auto *cmd = app.add_subcommand("inspect", "Decode a federation JWT, check its structure and (with --jwks) its signature");
    cmd->add_option("input", args->input, "A compact JWT, a URL serving one, a file holding one, or - for stdin")
        ->required();
    cmd->add_option("--jwks", args->jwksFile,
                    "Verify with these keys: a JWK Set, a trust anchor pin {entity_id,jwks}, or an Entity Statement "
                    "whose jwks vouch for the signer");
    cmd->add_option("--at", args->at, "Report expiry as of this RFC 3339 time instead of now");
    cmd->add_option("--ca-file", args->caFile, "Additional trusted CA certificates (PEM) for a URL input");
    cmd->add_flag("--allow-http", args->allowHttp, "TEST SWITCH: accept an http:// URL");
    cmd->add_flag("--allow-loopback", args->allowLoopback, "TEST SWITCH: allow fetching from 127.0.0.0/8 and ::1");
    cmd->callback([args, &ctx] { ctx.exitCode = runInspect(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
