// The options every oidfed command takes (PRODUCT.md 3.1): --format json|text
// and its alias --json, accepted before or after the subcommand and listed in
// every command's --help; `oidfed --version`; and what a command line the
// parser refuses prints (naming the commands that exist when the command is
// unknown or missing).
#pragma once

#include <string>
#include <vector>

#include "cli_output.h"

namespace CLI {
class App;
class ParseError;
} // namespace CLI

namespace oidfed::cli {

/// Declares --format and --json on `app` and on every subcommand under it
/// (call it after the last subcommand is added), and --version on `app`.
/// Every declaration writes `global`, which must outlive `app`.
void addGlobalOptions(CLI::App &app, GlobalOptions &global);

/// Reports a command line that `app` refused: help and --version print as
/// CLI11 does (exit 0); an unknown or missing command names the commands of
/// the level concerned; any other error is CLI11's message. Errors follow the
/// output format (JSON on stdout, or a line on stderr) and return kExitUsage.
/// `args` is the command line without the program name.
int reportParseError(CLI::App &app, const CLI::ParseError &error, const std::vector<std::string> &args,
                     const GlobalOptions &global);

} // namespace oidfed::cli
