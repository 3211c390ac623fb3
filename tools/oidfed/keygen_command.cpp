#include "commands.h"

#include <CLI/CLI.hpp>

namespace oidfed::cli {

void addKeygenCommand(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("keygen", "not implemented yet");
    cmd->callback([&ctx] { ctx.exitCode = kExitUsage; });
}

} // namespace oidfed::cli
