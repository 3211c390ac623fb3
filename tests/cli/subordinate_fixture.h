// What the `oidfed subordinate` CLI tests share: entities whose Entity
// Configurations are served over real HTTP on 127.0.0.1, and running the
// built binary's subordinate commands.
#pragma once

#include <doctest/doctest.h>

#include <csignal>
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/federation_urls.h>

#include "entity/subordinate.h"
#include "federation_server.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "test_federation.h"
#include "test_support.h"

namespace oidfed::test {

inline std::size_t fileCount(const TempDir &dir)
{
    std::size_t count = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir.path())) {
        (void)entry;
        ++count;
    }
    return count;
}

// A leaf, an intermediate and a leaf whose EC carries a bad signature, all
// served on loopback with statements valid around now.
struct LiveEntities {
    FederationServer server;
    UnixTime now = std::time(nullptr);
    TestFederation fed{now - 600, now + 3600};
    std::string leaf = server.base() + "/leaf";
    std::string im = server.base() + "/im";
    std::string forged = server.base() + "/forged";
    std::string impostor = server.base() + "/impostor";
    /// The authority leaf and im name as their superior.
    std::string ta = server.base() + "/ta";
    std::string port = server.base().substr(server.base().rfind(':') + 1);

    LiveEntities()
    {
        std::signal(SIGPIPE, SIG_IGN);
        fed.add(leaf, json(R"({"openid_relying_party": {"client_name": "RP"},
                               "federation_entity": {"organization_name": "Leaf Org"}})"), {ta});
        fed.add(im, authorityMetadata(im), {ta});
        server.serve(*entityConfigurationUrl(leaf), fed.entityConfiguration(leaf));
        server.serve(*entityConfigurationUrl(im), fed.entityConfiguration(im));

        // A well-formed EC whose signature does not verify: one signature
        // character changed (in the middle, so the base64url stays canonical).
        fed.add(forged, json(R"({"openid_relying_party": {}})"));
        std::string token = fed.entityConfiguration(forged);
        char &c = token[token.rfind('.') + 20];
        c = c == 'A' ? 'B' : 'A';
        server.serve(*entityConfigurationUrl(forged), token);

        // A valid EC of `leaf`, served at another entity's URL.
        server.serve(*entityConfigurationUrl(impostor), fed.entityConfiguration(leaf));
    }

    std::string fileFor(const std::string &name) const { return "127.0.0.1_" + port + "_" + name + ".json"; }
};

/// `oidfed --format json subordinate VERB ARGS...`, with the test switches
/// (--allow-http, --allow-loopback where the verb fetches) unless `loopback`
/// is false.
inline ProcessResult subordinateCommand(const std::string &verb, std::vector<std::string> args, bool loopback = true)
{
    std::vector<std::string> argv{oidfedCli(), "--format", "json", "subordinate", verb};
    argv.insert(argv.end(), args.begin(), args.end());
    if (loopback) {
        argv.push_back("--allow-http");
        if (verb == "add" || verb == "refresh-keys")
            argv.push_back("--allow-loopback");
    }
    return runProcess(std::move(argv));
}

inline entity::Subordinate loadFile(const std::filesystem::path &path)
{
    auto parsed = entity::parseSubordinate(json(readFile(path.string())), path.filename().string(),
                                           {.allowHttp = true});
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    return std::move(parsed).value();
}

} // namespace oidfed::test
