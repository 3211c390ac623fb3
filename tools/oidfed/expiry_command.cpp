// oidfed expiry --config FILE [--within D]
// oidfed expiry ENTITY_ID [--trust-anchor-file F ...] [--within D]
//
// Lists what expires within a window (default 14 days).
//
// With --config: everything the entities of an `oidfed serve` configuration
// rely on that has an end (src/server/expiry.h), found as the server would at
// start: delegation files, retired keys, pinned anchor keys, and the marks
// the entities issue and hold. Needs every entity's keys (nothing is
// written); held marks from issuers not hosted there are fetched.
//
// With an entity: its Entity Configuration, the trust marks in it and their
// delegations, and with --trust-anchor-file its trust chain (every
// statement) and the anchor's published keys against the pinned ones.
//
// An item its publisher renews by itself (an Entity Configuration, a
// statement, a mark issued or held) counts only once it has expired;
// anything else counts when it expires within the window. Exit codes: 0
// nothing does, 1 something does, 2 usage or configuration error, 3 an
// entity or chain could not be fetched.

#include "commands.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/federation_urls.h>
#include <oidfed/fetcher.h>
#include <oidfed/jws.h>
#include <oidfed/trust_anchor.h>
#include <oidfed/trust_mark_status.h>

#include "resolver_setup.h"
#include "time_format.h"
#include "server/expiry.h"
#include "server/federation_service.h"
#include "server/server_config.h"

namespace oidfed::cli {

namespace {

namespace fs = std::filesystem;
using server::ExpiringItem;
using server::ExpiryKind;

struct ExpiryArgs {
    std::string entity;
    std::string config;
    std::string within = "14d";
    std::vector<std::string> trustAnchorFiles;
    std::string caFile;
    bool allowHttp = false;
    bool allowLoopback = false;
};

// The configuration's items, from the service `oidfed serve` would build.
Result<std::vector<ExpiringItem>> configurationItems(const std::string &file, const Clock &clock)
{
    auto config = server::loadServerConfig(file);
    if (!config)
        return fail(Error(ErrorCode::InvalidArgument, config.error().message));
    for (const server::HostedEntityConfig &hosted : config->entities)
        if (!fs::exists(hosted.entity.keysDir / "keys.json"))
            return fail(ErrorCode::InvalidArgument, hosted.entity.entityId.str() + ": no keys in " +
                                                        hosted.entity.keysDir.string() +
                                                        " yet (oidfed serve creates them on first start)");
    OIDFED_TRY(std::unique_ptr<Fetcher> fetcher, makeCurlFetcher(config->options.fetch));
    auto service = server::FederationService::create(
        std::move(config).value(), server::FederationService::Dependencies{.clock = clock, .upstream = *fetcher});
    if (!service)
        return fail(Error(ErrorCode::InvalidArgument, service.error().message));
    return (*service)->expiries();
}

// The exp of a compact JWT's payload, or -1 (none, or not a JWT).
UnixTime payloadExpiry(const std::string &jwt)
{
    auto jws = Jws::parse(jwt);
    if (!jws)
        return -1;
    auto payload = jws->payloadJson();
    const Json *exp = payload ? payload->find("exp") : nullptr;
    return exp && exp->isNumber() ? static_cast<UnixTime>(exp->asDouble()) : -1;
}

// The trust marks of an Entity Configuration and their delegations.
void markItems(const EntityStatement &configuration, const StatementOptions &options, std::vector<ExpiringItem> &out)
{
    const Json *marks = configuration.claims().find("trust_marks");
    if (!marks || !marks->isArray())
        return;
    const std::string &id = configuration.subject().str();
    for (const Json &entry : marks->asArray()) {
        const std::string *jwt = entry.isObject() ? entry.findString("trust_mark") : nullptr;
        if (!jwt)
            continue;
        auto mark = decodeTrustMark(*jwt, options);
        if (!mark)
            continue;
        if (mark->expiresAt >= 0)  // without exp: it never expires
            out.push_back(ExpiringItem{.entity = id,
                                       .kind = ExpiryKind::TrustMarkHeld,
                                       .item = mark->trustMarkType + " from " + mark->issuer.str(),
                                       .expiresAt = mark->expiresAt,
                                       .renewed = true});
        if (UnixTime delegationExpiry = payloadExpiry(mark->delegation); delegationExpiry >= 0)
            out.push_back(ExpiringItem{.entity = id,
                                       .kind = ExpiryKind::Delegation,
                                       .item = mark->trustMarkType + " to " + mark->issuer.str(),
                                       .expiresAt = delegationExpiry,
                                       .note = "the delegation inside the mark: the issuer needs a new one from "
                                               "the trust mark owner"});
    }
}

// The anchor's published keys (its Entity Configuration, verified as part of
// the chain) against the pinned ones.
void pinItems(const std::string &subject, const TrustAnchor &anchor, const EntityStatement &anchorConfiguration,
              UnixTime now, std::vector<ExpiringItem> &out)
{
    for (const Jwk &key : anchor.jwks.keys())
        if (!anchorConfiguration.jwks().find(key.kid()))
            out.push_back(ExpiringItem{.entity = subject,
                                       .kind = ExpiryKind::AnchorPin,
                                       .item = anchor.entityId.str() + " " + key.kid(),
                                       .expiresAt = now,
                                       .note = "pinned, but the anchor no longer publishes it: refresh the pin"});
    for (const Jwk &key : anchorConfiguration.jwks().keys())
        if (!anchor.jwks.find(key.kid()))
            out.push_back(ExpiringItem{.entity = subject,
                                       .kind = ExpiryKind::AnchorPin,
                                       .item = anchor.entityId.str() + " " + key.kid(),
                                       .note = "published by the anchor but not pinned: add it to the pin before "
                                               "the anchor signs with it"});
}

Result<std::vector<ExpiringItem>> entityItems(const ExpiryArgs &args, UnixTime now)
{
    StatementOptions options;
    options.entityIds.allowHttp = args.allowHttp;
    OIDFED_TRY(std::string url, entityConfigurationUrl(args.entity));
    OIDFED_TRY(std::unique_ptr<Fetcher> fetcher, makeCommandFetcher({.allowHttp = args.allowHttp,
                                                                      .allowLoopback = args.allowLoopback,
                                                                      .caFile = args.caFile,
                                                                      .resolve = {}}));
    OIDFED_TRY(FetchResponse response,
               fetcher->fetch(FetchRequest{url, "application/entity-statement+jwt", {}}));
    OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(response.body, options));
    OIDFED_TRY_VOID(configuration.verifySignature(configuration.jwks()));

    std::vector<ExpiringItem> out;
    out.push_back(ExpiringItem{.entity = args.entity,
                               .kind = ExpiryKind::EntityConfiguration,
                               .item = args.entity,
                               .expiresAt = configuration.expiresAt(),
                               .renewed = true});
    markItems(configuration, options, out);
    if (args.trustAnchorFiles.empty())
        return out;

    ResolveArgs resolveArgs;
    resolveArgs.subject = args.entity;
    resolveArgs.trustAnchorFiles = args.trustAnchorFiles;
    resolveArgs.caFile = args.caFile;
    resolveArgs.allowHttp = args.allowHttp;
    resolveArgs.allowLoopback = args.allowLoopback;
    OIDFED_TRY(ResolverBundle bundle, makeResolver(resolveArgs));
    OIDFED_TRY(ResolveRequest request, makeRequest(resolveArgs, args.entity));
    ResolveOutcome outcome = bundle.resolver->resolve(request);
    if (!outcome.chain)
        return fail(std::move(outcome.chain).error());
    const TrustChain &chain = **outcome.chain;
    const std::vector<std::string> &statements = chain.statements();
    for (std::size_t i = 1; i < statements.size(); ++i) {
        auto statement = EntityStatement::parse(statements[i], options);
        if (!statement)
            continue;
        const bool last = i + 1 == statements.size() && statement->isEntityConfiguration();
        out.push_back(ExpiringItem{
            .entity = args.entity,
            .kind = last ? ExpiryKind::EntityConfiguration : ExpiryKind::SubordinateStatement,
            .item = last ? statement->issuer().str()
                         : statement->issuer().str() + " about " + statement->subject().str(),
            .expiresAt = statement->expiresAt(),
            .renewed = true});
        if (last) {
            std::vector<TrustAnchor> anchors;
            for (const std::string &file : args.trustAnchorFiles) {
                OIDFED_TRY(auto loaded, loadTrustAnchors(file, options.entityIds));
                for (TrustAnchor &anchor : loaded)
                    anchors.push_back(std::move(anchor));
            }
            for (const TrustAnchor &anchor : anchors)
                if (anchor.entityId == chain.trustAnchor())
                    pinItems(args.entity, anchor, *statement, now, out);
        }
    }
    return out;
}

int runExpiry(const ExpiryArgs &args, Format format)
{
    if (args.entity.empty() == args.config.empty())
        return reportError(Error(ErrorCode::InvalidArgument, "give either an ENTITY_ID or --config FILE"), format);
    auto window = parseDuration(args.within, "--within");
    if (!window)
        return reportError(window.error(), format);
    std::unique_ptr<Clock> clock = makeSystemClock();
    const UnixTime now = clock->now();
    auto items = args.config.empty() ? entityItems(args, now) : configurationItems(args.config, *clock);
    if (!items)
        return reportError(items.error(), format);

    std::vector<ExpiringItem> due;
    for (const ExpiringItem &item : *items)
        if (server::dueWithin(item, now, *window))
            due.push_back(item);
    std::sort(due.begin(), due.end(), [](const ExpiringItem &a, const ExpiringItem &b) {
        return a.expiresAt < b.expiresAt;  // at risk (-1) first, then soonest
    });

    if (format == Format::Json) {
        Json out = Json::object();
        out.set(args.config.empty() ? "entity_id" : "config", args.config.empty() ? args.entity : args.config);
        out.set("within_seconds", static_cast<std::int64_t>(window->count()));
        out.set("checked", static_cast<std::int64_t>(items->size()));
        Json list = Json::array();
        for (const ExpiringItem &item : due)
            list.push(server::expiringItemToJson(item, now));
        out.set("expiring", std::move(list));
        printJson(out);
    } else {
        for (const ExpiringItem &item : due)
            std::cout << server::describeExpiring(item, now) << "\n";
        if (due.empty())
            std::cout << "nothing of " << items->size() << " items expires within "
                      << server::describeDuration(window->count()) << "\n";
    }
    return due.empty() ? kExitOk : kExitInvalid;
}

} // namespace

void addExpiryCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<ExpiryArgs>();
    auto *cmd = app.add_subcommand(
        "expiry", "List what expires within a window: for a serve configuration, or for an entity and its chain");
    cmd->add_option("entity_id", args->entity, "Entity Identifier to check (or --config)");
    cmd->add_option("--config", args->config, "An oidfed serve configuration file to check");
    cmd->add_option("--within", args->within, "Window: 30d, 12h, 15m, 90s or seconds (default 14d)");
    cmd->add_option("--trust-anchor-file", args->trustAnchorFiles,
                    "Pinned trust anchor(s) (JSON): also check the entity's chain and the anchor's keys");
    cmd->add_option("--ca-file", args->caFile, "CA bundle (PEM) for https");
    cmd->add_flag("--allow-http", args->allowHttp, "Test switch: accept http:// Entity Identifiers");
    cmd->add_flag("--allow-loopback", args->allowLoopback, "Test switch: fetch from loopback and private addresses");
    cmd->callback([args, &ctx] { ctx.exitCode = runExpiry(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
