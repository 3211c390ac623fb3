#include "global_options.h"

#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

namespace oidfed::cli {

namespace {

constexpr const char *kGroup = "Global options (before or after the command)";

void addFormatOptions(CLI::App &command, GlobalOptions &global)
{
    command.add_option("--format", global.format, "Output format: json (default when stdout is not a terminal) or text")
        ->check(CLI::IsMember({"json", "text"}))
        ->group(kGroup);
    command.add_flag_callback("--json", [&global] { global.format = "json"; }, "Same as --format json")->group(kGroup);
    for (CLI::App *sub : command.get_subcommands({}))
        addFormatOptions(*sub, global);
}

std::string commandNames(CLI::App &command)
{
    std::string names;
    for (CLI::App *sub : command.get_subcommands({}))
        names += (names.empty() ? "" : ", ") + sub->get_name();
    return names;
}

/// "unknown command ..." or "... needs a command ..." when the command line
/// names no command where one is required; nullopt when the commands are
/// fine (the error is about something else). Walks the command words from
/// the top, skipping the global options; stops at the first other option.
std::optional<std::string> commandProblem(CLI::App &app, const std::vector<std::string> &args)
{
    CLI::App *current = &app;
    std::string path = "oidfed";
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &word = args[i];
        if (word == "--format") {
            ++i;
            continue;
        }
        if (word == "--json" || word.starts_with("--format="))
            continue;
        if (word.starts_with("-") || current->get_subcommands({}).empty())
            return std::nullopt;
        CLI::App *next = nullptr;
        for (CLI::App *sub : current->get_subcommands({}))
            if (sub->check_name(word))
                next = sub;
        if (!next)
            return "unknown command '" + word + "' for " + path + "; the commands are: " + commandNames(*current) +
                   " (see " + path + " --help)";
        current = next;
        path += " " + word;
    }
    if (current->get_require_subcommand_min() > 0)
        return path + " needs a command: " + commandNames(*current) + " (see " + path + " --help)";
    return std::nullopt;
}

} // namespace

void addGlobalOptions(CLI::App &app, GlobalOptions &global)
{
    addFormatOptions(app, global);
    app.set_version_flag("--version", [&global] {
        if (global.resolved() == Format::Json) {
            Json out = Json::object();
            out.set("name", "oidfed");
            out.set("version", OIDFED_VERSION);
            return out.dump();
        }
        return std::string("oidfed ") + OIDFED_VERSION;
    });
}

int reportParseError(CLI::App &app, const CLI::ParseError &error, const std::vector<std::string> &args,
                     const GlobalOptions &global)
{
    if (error.get_exit_code() == 0)
        return app.exit(error) == 0 ? kExitOk : kExitUsage;  // --help, --version
    const std::string message = commandProblem(app, args).value_or(error.what());
    (void)reportError(Error(ErrorCode::InvalidArgument, message), global.resolved());
    return kExitUsage;
}

} // namespace oidfed::cli
