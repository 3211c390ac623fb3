// oidfed pin ENTITY_ID --out FILE [--expect-thumbprint T ...] [--yes]
//     [--force] [--ca-file PEM] [--allow-http] [--allow-loopback]
//
// For relying parties: pins a trust anchor. Fetches its Entity
// Configuration through the guarded fetcher, checks that it is self-signed
// and valid, shows its keys' RFC 7638 thumbprints, and writes the pin file
// ({"entity_id", "jwks"}, the format of --trust-anchor-file) once the
// thumbprints are confirmed: interactively (a terminal answers y), by
// --expect-thumbprint (every thumbprint the anchor's operator published out of
// band must be among the keys), or by --yes for scripts that confirmed them
// otherwise. The fetch proves only that whoever answered at that URL holds
// the keys (spec 11.3: get the anchor's keys over a channel you trust).
// Exit codes: 0 written; 1 the Entity Configuration is invalid or an expected
// thumbprint is missing; 2 usage (not confirmed, existing file without
// --force); 3 unavailable.

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/federation_urls.h>

#include "commands.h"
#include "core/file_write.h"
#include "subordinate_support.h"

namespace oidfed::cli {

namespace {

struct PinArgs {
    std::string entityId;
    std::string out;
    std::vector<std::string> expected;
    bool yes = false;
    bool force = false;
    EcFetchSwitches fetch;
};

/// Asks on the terminal; false when stdin is not one or the answer is not y.
bool confirmedOnTerminal(const std::string &out, std::size_t keys)
{
    if (!isatty(STDIN_FILENO))
        return false;
    std::cerr << "Write " << out << " pinning these " << keys << " key" << (keys == 1 ? "" : "s")
              << "? Compare the thumbprints with what the anchor's operator published. [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

int runPin(const PinArgs &args, Format format)
{
    const EntityIdOptions idOptions{.allowHttp = args.fetch.allowHttp};
    auto id = EntityId::parse(args.entityId, idOptions);
    if (!id)
        return failWith(Error(ErrorCode::InvalidArgument,
                              "ENTITY_ID " + args.entityId + " is not a valid Entity Identifier: " + id.error().message),
                        format, kExitUsage);
    std::error_code ec;
    const bool exists = std::filesystem::exists(std::filesystem::symlink_status(args.out, ec));
    if (exists && !args.force)
        return failWith(Error(ErrorCode::InvalidArgument, args.out + " already exists (use --force to replace it)"),
                        format, kExitUsage);

    auto url = entityConfigurationUrl(id->str());
    if (!url)
        return failWith(url.error(), format, kExitUsage);
    auto token = fetchEntityConfiguration(args.fetch, *url);
    if (!token)
        return failWith(token.error(), format, fetchExitCode(token.error()));
    auto statement = checkEntityConfiguration(*token, *id, *url, idOptions);
    if (!statement)
        return failWith(statement.error(), format, kExitInvalid);

    const std::vector<std::string> thumbprints = thumbprintsOf(statement->jwks());
    for (const std::string &expected : args.expected)
        if (std::find(thumbprints.begin(), thumbprints.end(), expected) == thumbprints.end())
            return failWith(Error(ErrorCode::KeyNotFound, "the Entity Configuration at " + *url +
                                                              " has no key with the expected thumbprint " + expected +
                                                              ": not pinned")
                                .withEntity(id->str())
                                .withClaim("jwks"),
                            format, kExitInvalid);
    std::vector<std::string> warnings;
    if (statement->claim("authority_hints"))
        warnings.push_back("it has authority_hints: it is not a trust anchor of its own federation, only of yours "
                           "if you choose it as one");

    const Json keys = keysJson(statement->jwks());
    if (format == Format::Text) {
        std::cout << "entity:  " << id->str() << "\nfetched: " << *url << " (self-signature verified)\n";
        for (const Json &key : keys.asArray())
            std::cout << "key:     kid " << key.find("kid")->asString() << "  thumbprint "
                      << key.find("thumbprint")->asString() << "\n";
        for (const std::string &warning : warnings)
            std::cout << "warning: " << warning << "\n";
    }
    const bool confirmed = args.yes || !args.expected.empty() ||
                           (format == Format::Text && confirmedOnTerminal(args.out, thumbprints.size()));
    if (!confirmed)
        return failWith(Error(ErrorCode::InvalidArgument,
                              "not confirmed, nothing written: compare the thumbprints with the anchor's operator, "
                              "then run again with --expect-thumbprint T (each) or --yes"),
                        format, kExitUsage);

    Json pin = Json::object();
    pin.set("entity_id", id->str());
    pin.set("jwks", statement->jwks().toJson());
    const std::string content = pin.dump(true) + "\n";
    auto written = exists ? replaceFileAtomically(args.out, content, 0644) : writeFileExclusive(args.out, content, 0644);
    if (!written)
        return failWith(written.error(), format, kExitUsage);

    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", id->str());
        out.set("entity_configuration_url", *url);
        out.set("file", args.out);
        out.set("keys", keys);
        out.set("warnings", stringsJson(warnings));
        printJson(out);
    } else {
        std::cout << "wrote:   " << args.out << " (use it with --trust-anchor-file)\n";
    }
    return kExitOk;
}

} // namespace

void addPinCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<PinArgs>();
    auto *cmd = app.add_subcommand(
        "pin", "Fetch a trust anchor's Entity Configuration, show its key thumbprints and write its pin file");
    cmd->add_option("entity_id", args->entityId, "Entity Identifier of the trust anchor")->required();
    cmd->add_option("--out", args->out, "The pin file to write ({\"entity_id\", \"jwks\"})")->required();
    cmd->add_option("--expect-thumbprint", args->expected,
                    "Repeatable: an RFC 7638 thumbprint the anchor published out of band; each must be among its keys "
                    "(confirms)");
    cmd->add_flag("--yes", args->yes, "Confirm without asking (the thumbprints were checked otherwise)");
    cmd->add_flag("--force", args->force, "Replace an existing pin file (atomically)");
    cmd->add_option("--ca-file", args->fetch.caFile, "Additional trusted CA certificates (PEM)");
    cmd->add_flag("--allow-http", args->fetch.allowHttp, "TEST SWITCH: accept an http:// entity id");
    cmd->add_flag("--allow-loopback", args->fetch.allowLoopback, "TEST SWITCH: allow fetching from 127.0.0.0/8 and ::1");
    cmd->callback([args, &ctx] { ctx.exitCode = runPin(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
