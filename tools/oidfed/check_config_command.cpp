// oidfed check-config FILE
//
// Validates a configuration without serving: the file itself, every
// subordinates directory, and every keys directory that exists (a missing
// one is reported as "generated on first start"). When every entity already
// has its keys, everything is also signed once, exactly as `oidfed serve`
// would at start, so an invalid statement is found here; every item `oidfed
// serve` would leave out (a subordinate, a trust mark type, a delegation ...)
// is listed in the error. Nothing is written.

#include "commands.h"

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include <oidfed/clock.h>
#include <oidfed/fetcher.h>

#include "entity/key_store.h"
#include "entity/subordinate.h"
#include "entity/trust_mark_catalog.h"
#include "server/federation_service.h"
#include "server/server_config.h"

namespace oidfed::cli {

namespace {

namespace fs = std::filesystem;

Result<Json> checkConfig(const std::string &file)
{
    OIDFED_TRY(server::ServerConfig config, server::loadServerConfig(file));
    std::unique_ptr<Clock> clock = makeSystemClock();
    const UnixTime now = clock->now();
    const EntityIdOptions idOptions{.allowHttp = config.options.allowHttp};

    Json entities = Json::array();
    Json problems = Json::array();
    bool allKeysPresent = true;
    for (const server::HostedEntityConfig &hosted : config.entities) {
        Json entry = Json::object();
        entry.set("entity_id", hosted.entity.entityId.str());
        Json roles = Json::array();
        if (hosted.entity.subordinatesDir)
            roles.push(hosted.entity.authorityHints.empty() ? "trust_anchor" : "intermediate");
        else
            roles.push("leaf");
        if (hosted.entity.resolver)
            roles.push("resolver");
        if (hosted.entity.trustMarkIssuer)
            roles.push("trust_mark_issuer");
        entry.set("roles", std::move(roles));

        if (fs::exists(hosted.entity.keysDir / "keys.json")) {
            entity::KeyStoreOptions keyOptions = hosted.entity.keys;
            keyOptions.createIfMissing = false;
            auto keys = entity::KeyStore::open(hosted.entity.keysDir, keyOptions, now);
            if (!keys)
                return fail(ErrorCode::InvalidArgument, hosted.entity.entityId.str() + ": keys in " +
                                                            hosted.entity.keysDir.string() + ": " + keys.error().message);
            entry.set("keys", "present");
            entry.set("active_kid", keys->activeKey().kid());
        } else {
            entry.set("keys", "generated on first start");
            allKeysPresent = false;
        }
        if (hosted.entity.subordinatesDir) {
            auto subordinates = entity::SubordinateSet::loadDirectory(*hosted.entity.subordinatesDir, idOptions);
            if (!subordinates)
                return fail(ErrorCode::InvalidArgument, hosted.entity.entityId.str() + ": subordinates in " +
                                                            hosted.entity.subordinatesDir->string() + ": " +
                                                            subordinates.error().message);
            entry.set("subordinates", static_cast<std::int64_t>((*subordinates)->size()));
        }
        if (hosted.entity.trustMarkIssuer) {
            const fs::path &dir = hosted.entity.trustMarkIssuer->directory;
            auto catalog = entity::TrustMarkCatalog::loadDirectory(dir, idOptions);
            if (!catalog)
                return fail(ErrorCode::InvalidArgument, hosted.entity.entityId.str() + ": trust marks in " +
                                                            dir.string() + ": " + catalog.error().message);
            entry.set("trust_mark_types", static_cast<std::int64_t>((*catalog)->all().size()));
        }
        entities.push(std::move(entry));
    }

    if (allKeysPresent) {
        // A full start without listening: signs every statement once.
        FetchOptions fetchOptions = config.options.fetch;
        OIDFED_TRY(std::unique_ptr<Fetcher> fetcher, makeCurlFetcher(fetchOptions));
        auto service = server::FederationService::create(
            std::move(config), server::FederationService::Dependencies{.clock = *clock, .upstream = *fetcher});
        if (!service)
            return fail(ErrorCode::InvalidArgument, service.error().message);
        // `oidfed serve` would leave these out (or, on a reload, keep their
        // previous state): each is a configuration error here.
        for (const server::ItemProblem &problem : (*service)->problems())
            problems.push(server::problemToJson(problem));
    }

    Json out = Json::object();
    out.set("valid", problems.size() == 0);
    if (problems.size() > 0)
        out.set("problems", std::move(problems));
    out.set("file", file);
    out.set("statements_signed", allKeysPresent);
    out.set("entities", std::move(entities));
    return out;
}

int runCheckConfig(const std::string &file, Format format)
{
    auto result = checkConfig(file);
    if (!result) {
        Error error = std::move(result).error();
        error.code = ErrorCode::InvalidArgument;  // every problem here is a configuration error
        return reportError(error, format);
    }
    const bool valid = result->find("valid")->asBool();
    if (format == Format::Json) {
        printJson(*result);
        return valid ? kExitOk : kExitUsage;
    }
    if (!valid) {
        std::cout << file << ": " << result->find("problems")->size() << " item(s) cannot be served as configured:\n";
        for (const Json &problem : result->find("problems")->asArray())
            std::cout << "  " << *problem.findString("entity") << ": " << *problem.findString("kind") << " "
                      << *problem.findString("item") << ": " << *problem.findString("error") << "\n";
        return kExitUsage;
    }
    std::cout << file << ": valid\n";
    for (const Json &entity : result->find("entities")->asArray()) {
        std::cout << "  " << entity.find("entity_id")->asString() << "  roles:";
        for (const Json &role : entity.find("roles")->asArray())
            std::cout << ' ' << role.asString();
        std::cout << "  keys: " << entity.find("keys")->asString();
        if (const Json *count = entity.find("subordinates"))
            std::cout << "  subordinates: " << count->asInt();
        std::cout << '\n';
    }
    if (!result->find("statements_signed")->asBool())
        std::cout << "  (statements not test-signed: some keys are generated on first start)\n";
    return kExitOk;
}

} // namespace

void addCheckConfigCommand(CLI::App &app, CommandContext &ctx)
{
    auto file = std::make_shared<std::string>();
    CLI::App *command = app.add_subcommand("check-config", "Validate an oidfed serve configuration without serving");
    command->add_option("FILE", *file, "Configuration file (JSON)")->required();
    command->callback([&ctx, file] { ctx.exitCode = runCheckConfig(*file, ctx.global.resolved()); });
}

} // namespace oidfed::cli
