// Certificate verification of the libcurl Fetcher against a real TLS server
// on 127.0.0.1 (threat A08: an expired, self-signed or wrong-host
// certificate fails the fetch). Every certificate and key is generated at
// run time under a test CA that only these tests trust (written to a temp
// file and passed as FetchOptions::caFile); nothing is committed.
//
// A positive control comes first: a valid leaf under the trusted CA is
// fetched, so each refusal below fails for its certificate, not for a
// broken set-up. A refused server counts a TCP connection but no request:
// the fetcher rejected the certificate before it sent a byte of HTTP. A
// certificate that fails chain verification (issuer, validity) is refused
// inside the handshake, so the server completes none; a host name mismatch
// is detected by libcurl just after the handshake. Only loopback addresses are contacted; every wait is
// bounded by the fetch timeouts and the server's own 2 s budget.
#include <oidfed/fetcher.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include <oidfed/error.h>
#include <oidfed/fetch_options.h>
#include <oidfed/result.h>

#include "loopback_servers.h"
#include "temp_dir.h"
#include "test_certificates.h"
#include "tls_server.h"

using namespace std::chrono_literals;
using oidfed::ErrorCode;
using oidfed::FetchOptions;
using oidfed::FetchRequest;
using oidfed::FetchResponse;
using oidfed::Fetcher;
using oidfed::Result;
using oidfed::test::makeFetcher;
using oidfed::test::LeafSpec;
using oidfed::test::TestCertificate;
using oidfed::test::TlsServer;

namespace {

constexpr const char *kStatementType = "application/entity-statement+jwt";

/// A freshly generated test CA, and its certificate as a PEM file for
/// FetchOptions::caFile. The file is removed with the object.
struct TrustedCa {
    TestCertificate ca = oidfed::test::makeTestCa();
    oidfed::test::TempDir dir{"oidfed-tls"};
    std::filesystem::path caFile = dir.path() / "test-ca.pem";

    TrustedCa() { oidfed::test::writeCertificatePem(*ca.certificate, caFile); }
};

/// https only, loopback permitted, and generous timeouts: a handshake on a
/// loaded or sanitized build must never turn into a Timeout here.
FetchOptions tlsOptions(const std::filesystem::path &caFile)
{
    FetchOptions options;
    options.allowHttp = false;
    options.allowLoopback = true;
    options.connectTimeout = 3000ms;
    options.totalTimeout = 5000ms;
    options.caFile = caFile.string();
    return options;
}

Result<FetchResponse> fetchStatement(Fetcher &fetcher, const std::string &url)
{
    return fetcher.fetch(FetchRequest{url, kStatementType, 0ms});
}

/// Whether a message keeps the TLS reason libcurl gave. Diagnostics only:
/// callers branch on the ErrorCode, never on this text.
bool mentionsCertificateOrTls(std::string message)
{
    std::transform(message.begin(), message.end(), message.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return message.find("certificate") != std::string::npos || message.find("ssl") != std::string::npos ||
           message.find("tls") != std::string::npos;
}

/// The fetch failed as a TLS failure (Unavailable, with libcurl's reason in
/// the message), and the server never served a request: the fetcher sent no
/// HTTP at all.
void checkRefusedBeforeRequest(const Result<FetchResponse> &result, const TlsServer &server)
{
    REQUIRE_FALSE_MESSAGE(result.has_value(), "the fetch succeeded: the certificate was accepted");
    const oidfed::Error &error = result.error();
    INFO("fetch error: ", error.describe());
    CHECK(error.code == ErrorCode::Unavailable);
    CHECK(mentionsCertificateOrTls(error.message));
    CHECK(server.requests() == 0);
}

/// As above, for a certificate that fails chain verification (untrusted
/// issuer, validity): OpenSSL rejects it inside the handshake, so the
/// client never sends its Finished and the server never completes one.
void checkRefusedInHandshake(const Result<FetchResponse> &result, const TlsServer &server)
{
    checkRefusedBeforeRequest(result, server);
    CHECK(server.handshakes() == 0);
}

LeafSpec validLeaf()
{
    return LeafSpec{};  // DNS:localhost, IP:127.0.0.1, valid from 1 h ago for 24 h
}

} // namespace

TEST_CASE("TLS (A08): a leaf issued by the trusted test CA is fetched (positive control)")
{
    TrustedCa trusted;
    TlsServer server(oidfed::test::makeLeafCertificate(validLeaf(), trusted.ca));
    auto fetcher = makeFetcher(tlsOptions(trusted.caFile));

    for (const std::string host : {"127.0.0.1", "localhost"}) {
        INFO("host: ", host);
        auto response = fetchStatement(*fetcher, server.url(host));
        REQUIRE_MESSAGE(response, (response ? "" : response.error().describe()));
        CHECK(response->status == 200);
        CHECK(response->contentType == kStatementType);
        CHECK(response->body == "eyJ.eyJ.sig");
        CHECK(response->remoteAddress == "127.0.0.1");
    }
    CHECK(server.handshakes() == 2);
    CHECK(server.requests() == 2);
}

TEST_CASE("TLS (A08): the same valid server is refused without caFile (system trust only)")
{
    TrustedCa trusted;
    TlsServer server(oidfed::test::makeLeafCertificate(validLeaf(), trusted.ca));
    auto fetcher = makeFetcher(tlsOptions({}));

    auto result = fetchStatement(*fetcher, server.url("127.0.0.1"));
    // No connections() check here: on a machine without a system CA bundle
    // libcurl fails before it connects, which is just as much a refusal.
    checkRefusedInHandshake(result, server);
}

TEST_CASE("TLS (A08): an expired leaf under the trusted CA is refused")
{
    TrustedCa trusted;
    LeafSpec spec = validLeaf();
    spec.notBefore = -48h;
    spec.notAfter = -1h;
    TlsServer server(oidfed::test::makeLeafCertificate(spec, trusted.ca));
    auto fetcher = makeFetcher(tlsOptions(trusted.caFile));

    auto result = fetchStatement(*fetcher, server.url("127.0.0.1"));
    checkRefusedInHandshake(result, server);
    CHECK(server.connections() >= 1);
}

TEST_CASE("TLS (A08): a leaf that is not yet valid is refused")
{
    TrustedCa trusted;
    LeafSpec spec = validLeaf();
    spec.notBefore = 1h;
    spec.notAfter = 48h;
    TlsServer server(oidfed::test::makeLeafCertificate(spec, trusted.ca));
    auto fetcher = makeFetcher(tlsOptions(trusted.caFile));

    auto result = fetchStatement(*fetcher, server.url("127.0.0.1"));
    checkRefusedInHandshake(result, server);
    CHECK(server.connections() >= 1);
}

TEST_CASE("TLS (A08): a leaf for another host name is refused, by IP address and by name")
{
    TrustedCa trusted;
    LeafSpec spec = validLeaf();
    spec.subjectAltNames = {"DNS:other.example"};
    TlsServer server(oidfed::test::makeLeafCertificate(spec, trusted.ca));
    auto fetcher = makeFetcher(tlsOptions(trusted.caFile));

    for (const std::string host : {"127.0.0.1", "localhost"}) {
        INFO("host: ", host);
        const int connectionsBefore = server.connections();
        auto result = fetchStatement(*fetcher, server.url(host));
        // libcurl matches the host name after the handshake has completed
        // (the server may count it), then closes without sending the request.
        checkRefusedBeforeRequest(result, server);
        CHECK(server.connections() > connectionsBefore);
    }
}

TEST_CASE("TLS (A08): a self-signed leaf not issued by the trusted CA is refused")
{
    TrustedCa trusted;
    TlsServer server(oidfed::test::makeSelfSignedLeaf(validLeaf()));
    auto fetcher = makeFetcher(tlsOptions(trusted.caFile));

    auto result = fetchStatement(*fetcher, server.url("127.0.0.1"));
    checkRefusedInHandshake(result, server);
    CHECK(server.connections() >= 1);
}
