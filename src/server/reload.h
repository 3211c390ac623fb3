// The reload of `oidfed serve`: the configuration file read again, then
// FederationService::reload() (its entities applied; keys, subordinates and
// trust marks re-read), each outcome logged. SIGHUP and the admin API's
// changes and reload call (docs/admin-api.md) take this one path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/error.h>
#include <oidfed/json.h>

#include "server/federation_service.h"

namespace oidfed::server {

struct ReloadOutcome {
    /// The new state is served. False: the configuration file could not be
    /// read (the running configuration stays; keys, subordinates and trust
    /// marks were re-read under it), or the new state could not be built
    /// (the whole previous state stays).
    bool reloaded = false;
    bool configurationRead = false;
    std::optional<Error> error{};
    /// The top-level members that changed but need a restart.
    std::vector<std::string> needRestart{};
    /// What is not served as configured after the reload (problems()).
    std::vector<ItemProblem> problems{};
};

/// Reloads `service` from `configFile`, logging the outcome and each
/// problem. Safe to call from any thread (the service serialises reloads).
ReloadOutcome reloadFromFile(FederationService &service, const std::filesystem::path &configFile);

/// The outcome as the admin API answers it: {"reloaded", "error"?,
/// "state"? (what is served when it failed), "need_restart", "problems"}
/// — the problems of `entity` and of the configuration only, unless
/// `entity` is empty.
Json reloadOutcomeJson(const ReloadOutcome &outcome, std::string_view entity);

} // namespace oidfed::server
