// Running a built program from a test, without a shell.
#pragma once

#include <string>
#include <vector>

namespace oidfed::test {

struct ProcessResult {
    int exitCode = -1;   ///< -1 when the process did not exit normally
    std::string out;     ///< everything written to stdout
};

/// fork + execv of argv[0] with stdout captured and stderr discarded.
/// Throws std::runtime_error when the process cannot be started.
ProcessResult runProcess(std::vector<std::string> argv);

} // namespace oidfed::test
