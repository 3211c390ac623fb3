// The demo federation (trust-anchors/demo) served by a real `oidfed serve`
// process on a free loopback port, in a temporary copy of its directory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <oidfed/jwk.h>

#include "background_process.h"
#include "http_client.h"
#include "subprocess.h"  // oidfedCli()

namespace oidfed::test {

/// Checks a spec 8.9 error response: the status, application/json, the
/// `error` code, and a non-empty, bounded `error_description` without
/// control characters (threat L01).
void checkSpecError(const HttpReply &reply, long status, const std::string &code);

/// Whole file as text; writing replaces the file.
std::string readText(const std::filesystem::path &path);
void writeText(const std::filesystem::path &path, const std::string &text);
/// `text` with every `from` replaced by `to` (nothing when `from` is empty).
std::string replaceAll(std::string text, const std::string &from, const std::string &to);

class ServedFederation {
public:
    /// Copies the demo into a fresh directory with every 127.0.0.1:8777 of it
    /// replaced by the chosen port, optionally edits the configuration text
    /// with `editConfig`, then starts the server and waits for it.
    explicit ServedFederation(const std::string &editFrom = {}, const std::string &editTo = {});
    ~ServedFederation();

    /// "http://127.0.0.1:PORT"
    const std::string &base() const { return base_; }
    std::string id(const std::string &name) const { return base_ + "/" + name; }
    const std::filesystem::path &dir() const { return dir_; }
    int port() const { return port_; }

    HttpReply get(const std::string &pathAndQuery, const std::vector<std::string> &headers = {}) const;

    /// The published keys of a hosted entity, read from its keys directory
    /// (independent of what the server publishes).
    JwkSet keysOf(const std::string &name) const;
    /// Writes a trust anchor pin file for the TA and returns its path.
    std::string writeAnchorFile() const;

    BackgroundProcess &process() { return *process_; }
    /// Starts a second `oidfed serve` on `port` with the same configuration
    /// (same entity ids, keys and subordinates): a replica behind a load
    /// balancer. Waits until it listens.
    std::unique_ptr<BackgroundProcess> startReplica(int port) const;
    /// SIGHUP, then waits until the log shows the reload outcome.
    bool reload();

private:
    std::filesystem::path dir_;
    int port_ = 0;
    std::string base_;
    std::unique_ptr<BackgroundProcess> process_;
};

} // namespace oidfed::test
