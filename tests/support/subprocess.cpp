#include "subprocess.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <doctest/doctest.h>

namespace oidfed::test {

std::string oidfedCli()
{
    const char *path = std::getenv("OIDFED_CLI");
    REQUIRE_MESSAGE(path != nullptr, "OIDFED_CLI is not set");
    return path;
}

ProcessResult runOidfed(std::vector<std::string> args)
{
    args.insert(args.begin(), oidfedCli());
    return runProcess(std::move(args));
}

ProcessResult runProcess(std::vector<std::string> argv)
{
    int pipeFds[2];
    if (pipe(pipeFds) != 0)
        throw std::runtime_error("pipe failed");
    // stderr goes to an unlinked temporary file, read once the child exits
    // (a second pipe would need both read at once).
    std::unique_ptr<FILE, int (*)(FILE *)> errFile(std::tmpfile(), &std::fclose);
    if (!errFile)
        throw std::runtime_error("tmpfile failed");
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        dup2(fileno(errFile.get()), STDERR_FILENO);
        close(pipeFds[0]);
        close(pipeFds[1]);
        std::vector<char *> args;
        for (std::string &a : argv)
            args.push_back(a.data());
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(pipeFds[1]);
    ProcessResult result;
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipeFds[0], buffer, sizeof buffer)) > 0)
        result.out.append(buffer, static_cast<std::size_t>(n));
    close(pipeFds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::rewind(errFile.get());
    std::size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, errFile.get())) > 0)
        result.err.append(buffer, got);
    return result;
}

} // namespace oidfed::test
