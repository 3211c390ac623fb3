#include "server/reload.h"

#include <oidfed/error_json.h>

#include "server/server_config.h"
#include "server/server_log.h"

namespace oidfed::server {

ReloadOutcome reloadFromFile(FederationService &service, const std::filesystem::path &configFile)
{
    ReloadOutcome outcome;
    auto config = loadServerConfig(configFile);
    outcome.configurationRead = config.has_value();
    if (outcome.configurationRead) {
        outcome.needRestart = service.membersNeedingRestart(*config);
        if (!outcome.needRestart.empty()) {
            std::string names;
            for (const std::string &name : outcome.needRestart)
                names += (names.empty() ? "" : ", ") + name;
            logLine(LogLevel::Warning, "not applied until a restart: " + names +
                                           " (a reload applies the entities; these keep their running values)");
        }
    }
    auto reloaded = service.reload(std::move(config));
    outcome.reloaded = reloaded.has_value();
    outcome.problems = service.problems();
    for (const ItemProblem &problem : outcome.problems)
        logLine(LogLevel::Warning, describeProblem(problem));
    service.warnExpiring();
    const std::size_t problems = outcome.problems.size();
    if (reloaded) {
        logLine(LogLevel::Info, "reloaded the configuration, keys, subordinates and trust marks" +
                                    (problems > 0 ? "; " + std::to_string(problems) +
                                                        " items are not served as configured (/readyz lists them)"
                                                  : std::string()));
        return outcome;
    }
    outcome.error = reloaded.error();
    if (!outcome.configurationRead)
        logLine(LogLevel::Error, "reload failed: " + reloaded.error().describe() +
                                     "; the running configuration stays, and keys, subordinates and trust marks "
                                     "were re-read under it");
    else
        logLine(LogLevel::Error, "reload failed, previous state kept: " + reloaded.error().describe());
    return outcome;
}

Json reloadOutcomeJson(const ReloadOutcome &outcome, std::string_view entity)
{
    Json out = Json::object();
    out.set("reloaded", outcome.reloaded);
    if (outcome.error)
        out.set("error", errorToJson(*outcome.error));
    if (!outcome.reloaded)
        out.set("state", outcome.configurationRead
                             ? "the previous state is served"
                             : "the running configuration stays; keys, subordinates and trust marks were re-read "
                               "under it");
    Json needRestart = Json::array();
    for (const std::string &name : outcome.needRestart)
        needRestart.push(name);
    out.set("need_restart", std::move(needRestart));
    Json problems = Json::array();
    for (const ItemProblem &problem : outcome.problems)
        if (entity.empty() || problem.entity.empty() || problem.entity == entity)
            problems.push(problemToJson(problem));
    out.set("problems", std::move(problems));
    return out;
}

} // namespace oidfed::server
