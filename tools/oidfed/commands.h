// Each subcommand lives in its own file and registers itself on the CLI11
// app through one of these functions; main() calls them all. A command's
// callback stores its exit code in `exitCode`.
#pragma once

#include "cli_output.h"

namespace CLI {
class App;
}

namespace oidfed::cli {

struct CommandContext {
    GlobalOptions global;
    int exitCode = kExitOk;
};

void addInspectCommand(CLI::App &app, CommandContext &ctx);
void addKeygenCommand(CLI::App &app, CommandContext &ctx);
void addPolicyCommand(CLI::App &app, CommandContext &ctx);
void addResolveCommand(CLI::App &app, CommandContext &ctx);
void addChainCommand(CLI::App &app, CommandContext &ctx);
void addKeysCommand(CLI::App &app, CommandContext &ctx);
void addSubordinateCommand(CLI::App &app, CommandContext &ctx);
void addServeCommand(CLI::App &app, CommandContext &ctx);
void addCheckConfigCommand(CLI::App &app, CommandContext &ctx);
void addTrustMarkCommand(CLI::App &app, CommandContext &ctx);
void addExpiryCommand(CLI::App &app, CommandContext &ctx);
void addRegisterCommand(CLI::App &app, CommandContext &ctx);
void addPinCommand(CLI::App &app, CommandContext &ctx);
void addGraphCommand(CLI::App &app, CommandContext &ctx);
void addVerifyRequestCommand(CLI::App &app, CommandContext &ctx);
void addMonitorCommand(CLI::App &app, CommandContext &ctx);
/// `oidfed policy impact`, under the policy command.
void addPolicyImpactCommand(CLI::App &policy, CommandContext &ctx);

} // namespace oidfed::cli
