// Endpoint threats of shared/reference/threats.md (groups K, L, B07, A14)
// against a real `oidfed serve` on loopback serving the demo federation:
// every hostile request with its HTTP status and spec 8.9 error code, as a
// table. See docs/security.md for the coverage matrix.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <oidfed/federation_urls.h>
#include <oidfed/json.h>

#include "raw_http_connection.h"
#include "served_federation.h"
#include "test_support.h"

using namespace oidfed;
using test::HttpReply;
using test::json;
using test::ServedFederation;

namespace {

struct Row {
    const char *threat;
    std::string pathAndQuery;
    long status;
    const char *error;  ///< spec 8.9 error code
};

// Checks one error reply: status, media type, the spec error, a non-empty
// description of bounded size with no control characters.
void checkRows(const ServedFederation &fed, const std::vector<Row> &rows)
{
    for (const Row &row : rows) {
        CAPTURE(std::string(row.threat));
        CAPTURE(row.pathAndQuery.substr(0, 200));
        test::checkSpecError(fed.get(row.pathAndQuery), row.status, row.error);
    }
}

// Sends `bytes` verbatim on a fresh connection to 127.0.0.1:port and returns
// the first line of the answer ("" when none came within 10 s). The server
// writes a request's log line before it answers, so the log holds it by then.
std::string rawStatusLine(int port, const std::string &bytes)
{
    test::RawHttpConnection connection(port);
    if (!connection.send(bytes))
        return {};
    return connection.readResponse(std::chrono::seconds(10)).statusLine();
}

} // namespace

TEST_CASE("K01-K04, A14, D05: fetch endpoint inputs")
{
    ServedFederation fed;
    const std::string ia = fed.id("ia");
    checkRows(fed, {
        {"K03 sub with a fragment", "/ta/fetch?sub=" + percentEncode(ia + "#x"), 400, "invalid_request"},
        {"K03 sub with a query", "/ta/fetch?sub=" + percentEncode(ia + "?x=1"), 400, "invalid_request"},
        {"K03 sub with user info", "/ta/fetch?sub=" + percentEncode("http://u:p@127.0.0.1/ia"), 400, "invalid_request"},
        {"K03 sub of another scheme", "/ta/fetch?sub=" + percentEncode("ftp://127.0.0.1/ia"), 400, "invalid_request"},
        {"K03 bad percent escape", "/ta/fetch?sub=%ZZ", 400, "invalid_request"},
        {"K03 truncated percent escape", "/ta/fetch?sub=%4", 400, "invalid_request"},
        {"K03 control character", "/ta/fetch?sub=" + percentEncode(ia) + "%0A", 400, "invalid_request"},
        {"K03 invalid UTF-8", "/ta/fetch?sub=" + percentEncode(ia) + "%FF", 400, "invalid_request"},
        {"K03 sub given twice with different values", "/ta/fetch?sub=" + percentEncode(ia) + "&sub=" + percentEncode(fed.id("op")),
         400, "invalid_request"},
        {"K03 a value over 4 KiB", "/ta/fetch?sub=" + percentEncode(ia + "/" + std::string(5000, 'a')), 400,
         "invalid_request"},
        {"K03 more than 64 parameters", [&] {
             std::string q = "/ta/fetch?sub=" + percentEncode(ia);
             for (int i = 0; i < 70; ++i)
                 q += "&p" + std::to_string(i) + "=1";
             return q;
         }(),
         400, "invalid_request"},
        {"K01 a subordinate of another authority", "/ta/fetch?sub=" + percentEncode(fed.id("op")), 404, "not_found"},
        {"A14/D05 trailing slash is another entity", "/ta/fetch?sub=" + percentEncode(ia + "/"), 404, "not_found"},
        {"D05 upper-case path is another entity", "/ta/fetch?sub=" + percentEncode(fed.id("IA")), 404, "not_found"},
        {"K04 encoded path traversal", "/ta/fetch?sub=" + percentEncode(ia + "%2F..%2F..%2Fkeys%2Fta"), 404, "not_found"},
        {"K02 sub = the issuer, on the intermediate", "/ia/fetch?sub=" + percentEncode(ia), 400, "invalid_request"},
    });
}

TEST_CASE("K05, K06, K03: resolve endpoint inputs")
{
    ServedFederation fed;
    const std::string anchor = "&trust_anchor=" + percentEncode(fed.id("ta"));
    const std::string op = "sub=" + percentEncode(fed.id("op"));
    checkRows(fed, {
        {"K05 only unknown anchors", "/ta/resolve?" + op + "&trust_anchor=" + percentEncode(fed.id("ia")), 404,
         "invalid_trust_anchor"},
        {"K05 anchor differing in case", "/ta/resolve?" + op + "&trust_anchor=" + percentEncode(fed.id("TA")), 404,
         "invalid_trust_anchor"},
        {"K05 empty trust_anchor", "/ta/resolve?" + op + "&trust_anchor=", 404, "invalid_trust_anchor"},
        {"K06 an empty entity_type", "/ta/resolve?" + op + anchor + "&entity_type=", 400, "invalid_request"},
        {"K03 sub with a fragment", "/ta/resolve?sub=" + percentEncode(fed.id("op") + "#f") + anchor, 400,
         "invalid_request"},
        {"K03 sub not a URL", "/ta/resolve?sub=op" + anchor, 400, "invalid_request"},
        {"K03 sub NUL", "/ta/resolve?sub=%00" + anchor, 400, "invalid_request"},
    });

    // K06: the same anchor twice is one anchor; an entity type the subject
    // does not have gives a chain with no metadata of that type (decision:
    // not an error).
    HttpReply twice = fed.get("/ta/resolve?" + op + anchor + anchor);
    CHECK_MESSAGE(twice.status == 200, twice.body);
    CHECK(twice.header("content-type") == "application/resolve-response+jwt");
    HttpReply unknownType = fed.get("/ta/resolve?" + op + anchor + "&entity_type=no_such_type");
    CHECK_MESSAGE(unknownType.status == 200, unknownType.body);
    CHECK(unknownType.header("content-type") == "application/resolve-response+jwt");
}

TEST_CASE("K08: list endpoint inputs")
{
    ServedFederation fed;
    checkRows(fed, {
        {"K08 intermediate=1", "/ia/list?intermediate=1", 400, "invalid_request"},
        {"K08 intermediate twice", "/ia/list?intermediate=true&intermediate=false", 400, "invalid_request"},
        {"K08 trust_marked=maybe on an entity without a resolver", "/ia/list?trust_marked=maybe", 400,
         "unsupported_parameter"},
        {"K08 empty entity_type", "/ia/list?entity_type=", 400, "invalid_request"},
    });
    // A supported filter with no match is an empty array, not an error.
    HttpReply none = fed.get("/ia/list?entity_type=no_such_type");
    CHECK(none.status == 200);
    CHECK(none.header("content-type") == "application/json");
    CHECK(none.body == "[]");
}

TEST_CASE("K10, K11: methods, request size, unknown paths")
{
    ServedFederation fed;
    for (const char *method : {"PUT", "DELETE", "OPTIONS", "PATCH"}) {
        for (const char *path : {"/ta/fetch", "/ta/list", "/ta/resolve", "/ta/.well-known/openid-federation"}) {
            CAPTURE(method);
            CAPTURE(path);
            HttpReply reply = test::httpRequest(fed.base() + path, {}, method);
            test::checkSpecError(reply, 405, "invalid_request");
            CHECK(reply.header("allow") == "GET");
        }
    }
    // K10: POST with a client assertion is refused (no client
    // authentication is offered, so none can be replayed).
    HttpReply post = test::httpRequest(fed.base() + "/ta/resolve", {}, "POST",
                                       "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                                       "&client_assertion=a.b.c&sub=" +
                                           percentEncode(fed.id("op")));
    test::checkSpecError(post, 405, "invalid_request");

    // K11: a request line of 200 KB and a 100 KB header (over maxRequestBytes,
    // 64 KiB) are refused with 413.
    test::checkSpecError(fed.get("/ta/fetch?sub=" + std::string(200 << 10, 'a')), 413, "invalid_request");
    test::checkSpecError(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia")), {"X-Padding: " + std::string(100 << 10, 'a')}), 413,
               "invalid_request");
    // The server still answers afterwards.
    CHECK(fed.get("/ta/fetch?sub=" + percentEncode(fed.id("ia"))).status == 200);
    test::checkSpecError(fed.get("/nobody/resolve"), 404, "not_found");
}

TEST_CASE("L01: errors never reflect markup, control characters or unbounded input")
{
    ServedFederation fed;
    const std::string script = "<script>alert(1)</script>";
    HttpReply reply = fed.get("/ta/fetch?sub=" + percentEncode(script));
    test::checkSpecError(reply, 400, "invalid_request");
    // The JSON body escapes nothing HTML needs, so the description must not
    // carry the input at all.
    CHECK(reply.body.find("<script>") == std::string::npos);

    // A long sub (under the 4 KiB value limit) is not echoed in full.
    const std::string longSub = fed.id("ia") + "/" + std::string(3000, 'x') + "#frag";
    HttpReply longReply = fed.get("/ta/fetch?sub=" + percentEncode(longSub));
    test::checkSpecError(longReply, 400, "invalid_request");
    CHECK(longReply.body.find(std::string(600, 'x')) == std::string::npos);

    // Credentials in a sub are never echoed.
    HttpReply credentials = fed.get("/ta/fetch?sub=" + percentEncode("http://user:s3cret@127.0.0.1/ia"));
    test::checkSpecError(credentials, 400, "invalid_request");
    CHECK(credentials.body.find("s3cret") == std::string::npos);
}

TEST_CASE("B07: with on_demand off, an uncached subject costs no fetch")
{
    ServedFederation fed(R"("fetch": { "allow_loopback": true },)",
                         R"("fetch": { "allow_loopback": true }, "resolver_limits": { "on_demand": false },)",
                         test::withoutCrawl);
    const std::string anchor = "&trust_anchor=" + percentEncode(fed.id("ta"));
    for (const std::string &sub : {fed.id("op"), std::string("http://127.0.0.1:1/attacker-1"),
                                   std::string("http://127.0.0.1:1/attacker-2")}) {
        CAPTURE(sub);
        test::checkSpecError(fed.get("/ta/resolve?sub=" + percentEncode(sub) + anchor), 404, "invalid_subject");
    }
    HttpReply metrics = fed.get("/metrics");
    CHECK(metrics.body.find("oidfed_resolve_total{source=\"miss\"} 3") != std::string::npos);
}

TEST_CASE("L02: hostile paths, parameters and headers never forge or break a log line")
{
    using namespace std::string_literals;
    ServedFederation fed;
    // What an attacker would like to see at the start of a log line.
    const std::string forged = "oidfed: error: FORGED";
    const std::string anchor = "&trust_anchor=" + percentEncode(fed.id("ta"));
    const std::string op = "sub=" + percentEncode(fed.id("op"));

    // Percent-encoded controls in the path and in every parameter that names
    // something: LF, CR, ESC (ANSI colour), BEL, NUL, DEL.
    const std::string hostile = "\n"s + forged + "\r\n" + forged + "\x1b[31m\x07\0\x7f"s + "x";
    for (const std::string &pathAndQuery : {
             "/ta/fetch?sub=" + percentEncode(fed.id("ia") + hostile),
             "/ta/resolve?sub=" + percentEncode(hostile) + anchor,
             "/ta/resolve?" + op + "&trust_anchor=" + percentEncode(hostile),
             "/ta/resolve?" + op + anchor + "&entity_type=" + percentEncode(hostile),
             "/ia/list?entity_type=" + percentEncode(hostile),
             "/ta%0A" + percentEncode(forged) + "%1B%5B31m/fetch",
         }) {
        CAPTURE(pathAndQuery);
        CHECK(fed.get(pathAndQuery).status >= 400);
    }

    // Raw bytes where an HTTP parser may still take them, and where its error
    // message reflects them (Pistache's "Invalid port: <rest of Host>"):
    // C0 controls, DEL, a raw C1 CSI (0x9B), and the UTF-8 line breaks NEL
    // (U+0085) and LINE SEPARATOR (U+2028).
    const std::vector<std::string> raw = {
        "GET /ta/fetch?sub=\x1b[31m\x7f\r"s + forged + " HTTP/1.1\r\nHost: h\r\n\r\n",
        "G\x1bT / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.\x1b\r\nHost: h\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:\x1b[31m\r"s + forged + "\x1b[0m\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:\n"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:1\xc2\x85"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:1\xe2\x80\xa8"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:1\x9b"s + "31m" + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h:1\0\x01\x7f"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nUser-Agent: \x1b[31m\r"s + forged + "\r\nX-Forwarded-For: \0\x01\x7f"s +
            forged + "\r\nReferer: \x1b]0;title\x07\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nContent-Type: \x1b[31m/\r"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nDate: \x1b[31m\r"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nCache-Control: \x1b[31m\r"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nCookie: a=\x1b[31m; \r"s + forged + "\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: h\r\nIf-None-Match: \x1b[31m\r"s + forged + "\r\n\r\n",
    };
    for (const std::string &request : raw) {
        CAPTURE(request);
        CHECK(rawStatusLine(fed.port(), request).rfind("HTTP/1.1 ", 0) == 0);
    }
    CHECK(fed.get("/healthz").status == 200);

    // Every line of the log is one whole line of printable ASCII with the
    // server's own prefix; the attacker's text reached it (escaped) but never
    // starts a line or follows the time as a level would.
    const std::string log = fed.process().log();
    REQUIRE_FALSE(log.empty());
    CHECK(log.back() == '\n');
    std::istringstream lines(log);
    std::size_t reflected = 0;
    // A line: "<RFC 3339 time, milliseconds> oidfed: <level>: <text>".
    const std::regex prefix(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z oidfed: (info|warning|error): )");
    for (std::string line; std::getline(lines, line);) {
        CAPTURE(line);
        std::smatch match;
        REQUIRE(std::regex_search(line, match, prefix));
        CHECK(std::all_of(line.begin(), line.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7F; }));
        CHECK(line.find(forged) != 0);
        CHECK(line.find(forged) != static_cast<std::size_t>(match.length()));
        if (line.find("FORGED") != std::string::npos) {
            ++reflected;
            CHECK(line.substr(match.length() - std::string("error: ").size()).rfind("error: request failed: ", 0) == 0);
        }
    }
    CHECK(reflected > 0);
    CHECK(log.find("\\x1b[31m\\x0d" + forged) != std::string::npos);
    CHECK(log.find("\\xc2\\x85" + forged) != std::string::npos);
}
