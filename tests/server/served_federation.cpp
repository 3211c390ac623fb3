#include "served_federation.h"

#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <oidfed/json.h>

#include "entity/key_store.h"

namespace oidfed::test {

namespace fs = std::filesystem;

std::string readText(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string replaceAll(std::string text, const std::string &from, const std::string &to)
{
    if (from.empty())
        return text;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

void checkSpecError(const HttpReply &reply, long status, const std::string &code)
{
    CHECK_MESSAGE(reply.status == status, reply.body);
    CHECK(reply.header("content-type") == "application/json");
    auto body = parseJson(reply.body);
    REQUIRE_MESSAGE(body, reply.body);
    REQUIRE_MESSAGE(body->findString("error"), reply.body);
    CHECK(*body->findString("error") == code);
    REQUIRE(body->findString("error_description"));
    const std::string &description = *body->findString("error_description");
    CHECK_FALSE(description.empty());
    CHECK(description.size() <= 512 + 3);
    for (unsigned char c : description)
        CHECK(c >= 0x20);
}


void withoutCrawl(ServedFederation &fed)
{
    const std::filesystem::path config = fed.dir() / "oidfed.json";
    const std::string text = readText(config);
    const std::string crawl = ",\n        \"crawl\": { \"interval_seconds\": 60, \"anonymous_on_demand\": true }";
    REQUIRE_MESSAGE(text.find(crawl) != std::string::npos, "the demo configuration's crawl member changed");
    writeText(config, replaceAll(text, crawl, ""));
}

ServedFederation::ServedFederation(const std::string &editFrom, const std::string &editTo, const Prepare &prepare)
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source != nullptr);
    fs::path demo = fs::path(source) / "trust-anchors" / "demo";
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("oidfed-serve-" + std::to_string(random()));
    fs::create_directories(dir_);
    port_ = freeLoopbackPort();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    const std::string address = "127.0.0.1:" + std::to_string(port_);
    for (const auto &entry : fs::recursive_directory_iterator(demo)) {
        fs::path relative = fs::relative(entry.path(), demo);
        if (*relative.begin() == "keys" || *relative.begin() == "clients")
            continue;  // keys and registered clients of a local demo run: never copied
        if (entry.is_directory()) {
            fs::create_directories(dir_ / relative);
        } else if (entry.is_regular_file()) {
            std::string text = replaceAll(readText(entry.path()), "127.0.0.1:8777", address);
            if (relative == "oidfed.json")
                text = replaceAll(text, editFrom, editTo);
            writeText(dir_ / relative, text);
        }
    }
    if (prepare)
        prepare(*this);
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{oidfedCli(), "serve", "--config", (dir_ / "oidfed.json").string()},
        (dir_ / "serve.log").string());
    bool up = waitForPort(port_, std::chrono::seconds(20));
    REQUIRE_MESSAGE(up, "oidfed serve did not start: " << process_->log());
}

ServedFederation::~ServedFederation()
{
    process_->signal(SIGTERM);
    process_->waitExit(std::chrono::seconds(10));
    process_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

HttpReply ServedFederation::get(const std::string &pathAndQuery, const std::vector<std::string> &headers) const
{
    return httpRequest(base_ + pathAndQuery, headers);
}

namespace {

entity::KeyStore keyStoreOf(const fs::path &dir)
{
    entity::KeyStoreOptions options;
    options.createIfMissing = false;
    auto store = entity::KeyStore::open(dir, options, std::time(nullptr));
    REQUIRE_MESSAGE(store, store.error().describe());
    return std::move(store).value();
}

} // namespace

JwkSet ServedFederation::keysOf(const std::string &name) const
{
    return keyStoreOf(dir_ / "keys" / name).publishedKeys(std::time(nullptr));
}

Jwk ServedFederation::activeKeyOf(const std::string &name) const
{
    return keyStoreOf(dir_ / "keys" / name).activeKey();
}

Json ServedFederation::readiness() const
{
    HttpReply reply = get("/readyz");
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    auto body = parseJson(reply.body);
    REQUIRE_MESSAGE(body, reply.body);
    return std::move(body).value();
}

std::string ServedFederation::writeAnchorFile() const
{
    Json pin = Json::object();
    pin.set("entity_id", id("ta"));
    pin.set("jwks", keysOf("ta").toJson());
    fs::path file = dir_ / "ta-anchor.json";
    writeText(file, pin.dump());
    return file.string();
}

std::unique_ptr<BackgroundProcess> ServedFederation::startReplica(int port) const
{
    const std::string listen = "\"listen\": \"127.0.0.1:" + std::to_string(port_) + "\"";
    std::string text = readText(dir_ / "oidfed.json");
    std::size_t at = text.find(listen);
    REQUIRE(at != std::string::npos);
    text.replace(at, listen.size(), "\"listen\": \"127.0.0.1:" + std::to_string(port) + "\"");
    fs::path config = dir_ / ("replica-" + std::to_string(port) + ".json");
    writeText(config, text);
    auto replica = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{oidfedCli(), "serve", "--config", config.string()},
        (dir_ / ("replica-" + std::to_string(port) + ".log")).string());
    bool up = waitForPort(port, std::chrono::seconds(20));
    REQUIRE_MESSAGE(up, "replica did not start: " << replica->log());
    return replica;
}

bool ServedFederation::reload()
{
    auto countOf = [this] {
        std::string log = process_->log();
        std::size_t count = 0;
        for (const char *marker : {"reloaded the configuration", "reload failed"})
            for (std::size_t at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
                ++count;
        return count;
    };
    std::size_t before = countOf();
    process_->signal(SIGHUP);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (countOf() > before)
            return process_->log().rfind("reload failed") == std::string::npos ||
                   process_->log().rfind("reloaded the configuration") > process_->log().rfind("reload failed");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("no reload outcome in the log: " << process_->log());
    return false;
}

} // namespace oidfed::test
