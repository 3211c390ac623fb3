// Running a built program from a test, without a shell.
#pragma once

#include <string>
#include <vector>

namespace oidfed::test {

struct ProcessResult {
    int exitCode = -1;   ///< -1 when the process did not exit normally
    std::string out;     ///< everything written to stdout
    std::string err;     ///< everything written to stderr (for failure messages)
};

/// Path of the built oidfed program ($OIDFED_CLI, which meson sets); fails
/// the current test when it is not set.
std::string oidfedCli();

/// runProcess of the built oidfed (oidfedCli()) with `args`.
ProcessResult runOidfed(std::vector<std::string> args);

/// fork + execv of argv[0] with stdout and stderr captured apart.
/// Throws std::runtime_error when the process cannot be started.
ProcessResult runProcess(std::vector<std::string> argv);

} // namespace oidfed::test
