// ConsoleSettings: the top-level "console" member of oidfed.json (off when
// absent): the web console of `oidfed serve` (docs/console.md), served on
// the main listener under `path`. Documented member by member in
// docs/configuration.md; the checks are validateConsoleSettings()'s.
#pragma once

#include <cstddef>
#include <string>

#include <oidfed/result.h>

namespace oidfed::server {

struct ServerConfig;

struct ConsoleSettings {
    /// Where the console is served on the main listener ("path"): starts
    /// and ends with '/', at least one segment, only [A-Za-z0-9._~-] between
    /// the slashes, no "." or ".." segment.
    std::string path = "/ui/";
    /// The console's data (its JSON calls) without credentials
    /// ("read_without_credentials"). Off: every data call needs the bearer
    /// token of an admin operator (read or write role). Changes always go
    /// through the admin API with a write operator's token.
    bool readWithoutCredentials = false;
    /// Resolutions the console runs at once (the explain view, the
    /// federation walk); beyond it: 503 (they resolve on demand, outside the
    /// resolve endpoint's limits). Range 1..16.
    std::size_t maxConcurrentResolutions = 2;
};

/// The checks of one console: InvalidArgument naming the field in
/// Error::claim ("path", "maxConcurrentResolutions"), message "<field>: ...".
Result<void> validateConsoleSettings(const ConsoleSettings &settings);

/// The checks that involve the rest of the configuration: a console that
/// needs credentials needs admin operators ("console.read_without_credentials"),
/// and no hosted entity's path may lie under the console's ("console.path").
Result<void> validateConsoleAgainst(const ServerConfig &config);

} // namespace oidfed::server
