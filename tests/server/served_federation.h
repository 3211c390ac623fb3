// The demo federation (trust-anchors/demo) served by a real `oidfed serve`
// process on a free loopback port, in a temporary copy of its directory.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <oidfed/json.h>
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

class ServedFederation;

/// A ServedFederation::Prepare that takes the anchor's crawler out of the
/// demo configuration (resolver.crawl): for tests of resolution on demand
/// and of the caches a crawl would fill.
void withoutCrawl(ServedFederation &fed);

class ServedFederation {
public:
    /// Runs before the server starts, with the copy in place (dir(), id()).
    using Prepare = std::function<void(ServedFederation &)>;

    /// Copies the demo into a fresh directory with every 127.0.0.1:8777 of it
    /// replaced by the chosen port, optionally replaces `editFrom` by
    /// `editTo` in the configuration text, runs `prepare`, then starts the
    /// server and waits for it.
    explicit ServedFederation(const std::string &editFrom = {}, const std::string &editTo = {},
                              const Prepare &prepare = {});
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
    /// The private active key of a hosted entity, from its keys directory.
    Jwk activeKeyOf(const std::string &name) const;
    /// GET /readyz as JSON.
    Json readiness() const;
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
