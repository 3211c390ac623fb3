// The "console" member of the configuration file (server_config_members.h):
// its table, read into ServerOptions::console, validateConsoleSettings() and
// the checks against the rest of the configuration.

#include "server/console_settings.h"

#include <algorithm>
#include <string_view>

#include "server/server_config.h"
#include "server/server_config_members.h"

namespace oidfed::server {

namespace {

bool segmentCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '~' || c == '-';
}

/// The path of an entity identifier with a trailing '/' ("/" at the root).
std::string entityPath(const std::string &entityId)
{
    const std::size_t scheme = entityId.find("://");
    const std::size_t slash = entityId.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    std::string path = slash == std::string::npos ? "/" : entityId.substr(slash);
    if (path.back() != '/')
        path += '/';
    return path;
}

} // namespace

Result<void> validateConsoleSettings(const ConsoleSettings &settings)
{
    const std::string &path = settings.path;
    auto badPath = [] {
        return fail(Error(ErrorCode::InvalidArgument,
                          "path: must be like /ui/: start and end with '/', segments of [A-Za-z0-9._~-], no . or ..")
                        .withClaim("path"));
    };
    if (path.size() < 3 || path.front() != '/' || path.back() != '/')
        return badPath();
    std::size_t begin = 1;
    while (begin < path.size()) {
        const std::size_t end = path.find('/', begin);
        const std::string_view segment(path.data() + begin, end - begin);
        if (segment.empty() || segment == "." || segment == ".." ||
            !std::all_of(segment.begin(), segment.end(), segmentCharacter))
            return badPath();
        begin = end + 1;
    }
    if (settings.maxConcurrentResolutions < 1 || settings.maxConcurrentResolutions > 16)
        return fail(Error(ErrorCode::InvalidArgument, "maxConcurrentResolutions: must be 1..16")
                        .withClaim("maxConcurrentResolutions"));
    return ok();
}

Result<void> validateConsoleAgainst(const ServerConfig &config)
{
    if (!config.options.console)
        return ok();
    const ConsoleSettings &console = *config.options.console;
    if (!console.readWithoutCredentials && (!config.options.admin || config.options.admin->operators.empty()))
        return fail(Error(ErrorCode::InvalidArgument,
                          "console: its data needs an admin operator's token, and \"admin\" is not configured: "
                          "configure admin, or set console.read_without_credentials to true")
                        .withClaim("console.read_without_credentials"));
    for (const HostedEntityConfig &entity : config.entities) {
        const std::string path = entityPath(entity.entity.entityId.str());
        if (path.starts_with(console.path))
            return fail(Error(ErrorCode::InvalidArgument, "console.path: " + console.path + " and the entity " +
                                                              entity.entity.entityId.str() + " share their paths")
                            .withClaim("console.path"));
    }
    return ok();
}

namespace config {

namespace {

const Table<ConsoleSettings> &consoleTable()
{
    using C = ConsoleSettings;
    static const Table<C> table = {
        text("path", "path", &C::path),
        flag("read_without_credentials", "readWithoutCredentials", &C::readWithoutCredentials),
        number("max_concurrent_resolutions", "maxConcurrentResolutions", &C::maxConcurrentResolutions),
    };
    return table;
}

} // namespace

Member<ServerConfig> consoleSection()
{
    Member<ServerConfig> member = section<ServerConfig>(
        "console", "console", consoleTable(),
        [](ServerConfig &config) -> ConsoleSettings & { return config.options.console.emplace(); });
    member.read = [read = member.read](const Json &value, const std::string &path, Context &context,
                                       ServerConfig &config) -> Result<void> {
        OIDFED_TRY_VOID(read(value, path, context, config));
        Result<void> checked = validateConsoleSettings(*config.options.console);
        if (!checked) {
            Error error = std::move(checked).error();
            const std::string member = error.claim == "path" ? "path" : "max_concurrent_resolutions";
            const std::string field = error.claim;
            error.claim = path + "." + member;
            error.message = error.claim + error.message.substr(field.size());
            return fail(std::move(error));
        }
        return checked;
    };
    return member;
}

} // namespace config

} // namespace oidfed::server
