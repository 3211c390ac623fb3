// Certificates for the TLS tests, generated at run time (nothing is ever
// committed): a test CA and leaf certificates with chosen subjectAltNames
// and validity, all on EC P-256 keys. Each certificate is new and random, so
// no two test runs share a key.
//
// Every OpenSSL handle is held by one of the unique_ptr aliases below.
// The functions throw std::runtime_error (with OpenSSL's reason) when
// OpenSSL fails; doctest reports that as a test failure.
//
// Thread safety: the functions share no state; the returned objects are
// plain owners (X509 and EVP_PKEY are safe to read from several threads once
// built, which the TLS server relies on).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/c_deleter.h"

namespace oidfed::test {

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, oidfed::CDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, oidfed::CDeleter<&X509_free>>;

/// A certificate and its private key.
struct TestCertificate {
    X509Ptr certificate;
    EvpPkeyPtr key;
};

/// What a generated leaf certificate says. The validity bounds are offsets
/// from the current time (negative: in the past).
struct LeafSpec {
    /// Subject common name (informational: clients match the SAN only).
    std::string commonName = "oidfed test leaf";
    /// subjectAltName entries in OpenSSL syntax: "DNS:localhost",
    /// "IP:127.0.0.1". REQUIRES: at least one.
    std::vector<std::string> subjectAltNames = {"DNS:localhost", "IP:127.0.0.1"};
    std::chrono::seconds notBefore = std::chrono::hours(-1);
    std::chrono::seconds notAfter = std::chrono::hours(24);
};

/// Throws std::runtime_error with `what` and the reason of this thread's
/// most recent OpenSSL error, and clears the thread's error queue.
[[noreturn]] void throwOpenSslError(const std::string &what);

/// A fresh EC P-256 key pair.
EvpPkeyPtr generateP256Key();

/// A self-signed CA certificate (basicConstraints critical CA:TRUE, keyUsage
/// critical keyCertSign and cRLSign), valid from one hour ago for one day.
TestCertificate makeTestCa(const std::string &commonName = "oidfed test CA");

/// A server leaf (CA:FALSE, digitalSignature, serverAuth) as `spec` says,
/// signed by `issuer`.
TestCertificate makeLeafCertificate(const LeafSpec &spec, const TestCertificate &issuer);

/// The same kind of leaf, but signed by its own key: no CA vouches for it.
TestCertificate makeSelfSignedLeaf(const LeafSpec &spec);

/// Writes `certificate` as PEM to `path` (created or truncated); for
/// FetchOptions::caFile.
void writeCertificatePem(const X509 &certificate, const std::filesystem::path &path);

} // namespace oidfed::test
