// The server's log lines (src/server/server_log.h): an RFC 3339 time on
// every line, text or JSON ("log": {"format"}), printable ASCII whatever the
// text holds (threat L02), and a real `oidfed serve` logging JSON lines a
// log shipper can read, also when a request reflects hostile bytes.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>

#include <oidfed/json.h>

#include "raw_http_connection.h"
#include "served_federation.h"
#include "server/server_config.h"
#include "server/server_log.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;
using namespace std::string_literals;

namespace {

const auto kTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1767787200042));

bool printableAscii(const std::string &line)
{
    return std::all_of(line.begin(), line.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7F; });
}

} // namespace

TEST_CASE("text lines: RFC 3339 time, level, and the text with every unprintable byte escaped")
{
    CHECK(formatLogLine(LogLevel::Warning, "reloaded", kTime, LogFormat::Text) ==
          "2026-01-07T12:00:00.042Z oidfed: warning: reloaded\n");
    const std::string line =
        formatLogLine(LogLevel::Error, "a\nb\r\x1b[31m\xc2\x85\x9b\"\\"s, kTime, LogFormat::Text);
    CHECK(line == "2026-01-07T12:00:00.042Z oidfed: error: a\\x0ab\\x0d\\x1b[31m\\xc2\\x85\\x9b\"\\\n");
    CHECK(printableAscii(line.substr(0, line.size() - 1)));
}

TEST_CASE("JSON lines: one object per line, printable ASCII, the text as the message")
{
    const std::string line =
        formatLogLine(LogLevel::Info, "say \"hi\" \\ \n\x01\xe2\x80\xa8 done"s, kTime, LogFormat::Json);
    REQUIRE(line.back() == '\n');
    const std::string object = line.substr(0, line.size() - 1);
    CHECK(object.find('\n') == std::string::npos);
    CHECK(printableAscii(object));
    auto parsed = parseJson(object);
    REQUIRE_MESSAGE(parsed, object);
    CHECK(*parsed->findString("time") == "2026-01-07T12:00:00.042Z");
    CHECK(*parsed->findString("level") == "info");
    CHECK(*parsed->findString("message") == "say \"hi\" \\ \\x0a\\x01\\xe2\\x80\\xa8 done");
    CHECK(parsed->size() == 3);
}

TEST_CASE("log formats: text and json; the configuration's log.format")
{
    CHECK(*parseLogFormat("text") == LogFormat::Text);
    CHECK(*parseLogFormat("json") == LogFormat::Json);
    CHECK(parseLogFormat("JSON").error().code == ErrorCode::InvalidArgument);

    const std::string base = R"({"listen": "127.0.0.1:1", "allow_http": true,
        "entities": [{"entity_id": "http://127.0.0.1:1/ta", "keys_dir": "k"}])";
    auto plain = parseServerConfig(test::json(base + "}"), "/tmp");
    REQUIRE(plain);
    CHECK(plain->options.log.format == LogFormat::Text);
    auto json = parseServerConfig(test::json(base + R"(, "log": {"format": "json"}})"), "/tmp");
    REQUIRE_MESSAGE(json, json.error().describe());
    CHECK(json->options.log.format == LogFormat::Json);
    auto bad = parseServerConfig(test::json(base + R"(, "log": {"format": "xml"}})"), "/tmp");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::InvalidArgument);
    auto unknown = parseServerConfig(test::json(base + R"(, "log": {"colour": true}})"), "/tmp");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("a real oidfed serve with log.format json: every line an object, hostile bytes escaped")
{
    test::ServedFederation fed("\"threads\": 2,", "\"threads\": 2, \"log\": {\"format\": \"json\"},");
    // A Host header Pistache reflects into its error message (L02).
    test::RawHttpConnection connection(fed.port());
    REQUIRE(connection.send("GET /healthz HTTP/1.1\r\nHost: h:1\x1b[31m\n{\"forged\":1}\xc2\x85\r\n\r\n"s));
    connection.readResponse(std::chrono::seconds(10));
    CHECK(fed.get("/healthz").status == 200);

    const std::string log = fed.process().log();
    REQUIRE(log.find("serving 5 entities") != std::string::npos);
    std::istringstream lines(log);
    const std::regex time(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        CAPTURE(line);
        CHECK(printableAscii(line));
        auto object = parseJson(line);
        REQUIRE(object);
        REQUIRE(object->findString("time"));
        CHECK(std::regex_match(*object->findString("time"), time));
        REQUIRE(object->findString("level"));
        CHECK(object->findString("message"));
        CHECK_FALSE(object->contains("forged"));
    }
    CHECK(count >= 6);
}
