// oidfed — the command-line program. Thin: parses arguments, calls the
// library, prints. Exceptions stop here and become exit code 1 (internal).

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <curl/curl.h>

#include "commands.h"
#include "global_options.h"

int main(int argc, char **argv)
{
    using namespace oidfed::cli;
    CommandContext ctx;
    CLI::App app{"oidfed — OpenID Federation 1.0 trust-chain resolver and entity service"};
    app.require_subcommand(1);

    addInspectCommand(app, ctx);
    addKeygenCommand(app, ctx);
    addPolicyCommand(app, ctx);
    addResolveCommand(app, ctx);
    addChainCommand(app, ctx);
    addKeysCommand(app, ctx);
    addSubordinateCommand(app, ctx);
    addServeCommand(app, ctx);
    addCheckConfigCommand(app, ctx);
    addTrustMarkCommand(app, ctx);
    addExpiryCommand(app, ctx);
    addRegisterCommand(app, ctx);
    addPinCommand(app, ctx);
    addGraphCommand(app, ctx);
    addMonitorCommand(app, ctx);
    addVerifyRequestCommand(app, ctx);
    addGlobalOptions(app, ctx.global);  // after the commands: it declares them on each

    // Process-wide set-up happens once, here (ANCHORS 2.5).
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        std::cerr << "oidfed: cannot initialise libcurl\n";
        return kExitUnavailable;
    }
    struct CurlCleanup {
        ~CurlCleanup() { curl_global_cleanup(); }
    } curlCleanup;

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return reportParseError(app, e, std::vector<std::string>(argv + 1, argv + argc), ctx.global);
    } catch (const std::exception &e) {
        std::cerr << "oidfed: internal error: " << e.what() << '\n';
        return kExitInvalid;
    }
    return ctx.exitCode;
}
