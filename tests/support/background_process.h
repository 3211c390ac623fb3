// A program started in the background by a test (e.g. `oidfed serve`), with
// its stdout and stderr in a log file, stopped by signal.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace oidfed::test {

class BackgroundProcess {
public:
    /// fork + execv of argv[0]; stdout and stderr go to `logFile`.
    /// Throws std::runtime_error when it cannot start.
    BackgroundProcess(std::vector<std::string> argv, std::string logFile);
    /// Kills the process (SIGKILL) if it still runs, and reaps it.
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess &) = delete;
    BackgroundProcess &operator=(const BackgroundProcess &) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signalNumber) const;
    /// Waits for the exit; the exit code, or -1 when killed by a signal or
    /// still running after `timeout`.
    int waitExit(std::chrono::milliseconds timeout);
    bool running();
    /// The log so far.
    std::string log() const;

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int exitCode_ = -1;
    std::string logFile_;
};

/// A loopback TCP port that was free a moment ago (bound to port 0, then
/// released).
int freeLoopbackPort();

/// Waits until something accepts TCP connections on 127.0.0.1:port.
bool waitForPort(int port, std::chrono::milliseconds timeout);

} // namespace oidfed::test
