#include "test_certificates.h"

#include <cstdint>
#include <stdexcept>
#include <string>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace oidfed::test {

[[noreturn]] void throwOpenSslError(const std::string &what)
{
    std::string message = what;
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

namespace {

using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, oidfed::CDeleter<&EVP_PKEY_CTX_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, oidfed::CDeleter<&X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, oidfed::CDeleter<&BIO_free_all>>;

void require(bool ok, const std::string &what)
{
    if (!ok)
        throwOpenSslError(what);
}

/// A random positive 63-bit serial number: certificates of one issuer must
/// not share one.
void setRandomSerial(X509 &certificate)
{
    std::uint64_t serial = 0;
    require(RAND_bytes(reinterpret_cast<unsigned char *>(&serial), sizeof serial) == 1, "RAND_bytes");
    serial &= ~(std::uint64_t{1} << 63);
    serial |= 1;  // never zero
    require(ASN1_INTEGER_set_uint64(X509_get_serialNumber(&certificate), serial) == 1, "set serial");
}

void setCommonName(X509 &certificate, const std::string &commonName)
{
    X509_NAME *name = X509_get_subject_name(&certificate);  // owned by the certificate
    require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char *>(commonName.c_str()), -1, -1, 0) == 1,
            "set common name");
}

/// Adds one extension in OpenSSL's configuration syntax. `issuer` is the
/// issuing certificate (the subject itself when self-signed).
void addExtension(X509 &subject, X509 &issuer, int nid, const std::string &value)
{
    X509V3_CTX context{};
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, &issuer, &subject, nullptr, nullptr, 0);
    X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    require(extension != nullptr, "extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
    require(X509_add_ext(&subject, extension.get(), -1) == 1, "add extension");  // copies it
}

/// A version 3 certificate for `key`, with a random serial, subject CN and
/// the validity window (offsets from now). Neither issuer nor extensions yet.
X509Ptr newCertificate(EVP_PKEY &key, const std::string &commonName, std::chrono::seconds notBefore,
                       std::chrono::seconds notAfter)
{
    X509Ptr certificate(X509_new());
    require(certificate != nullptr, "X509_new");
    X509 &x = *certificate;
    require(X509_set_version(&x, X509_VERSION_3) == 1, "set version");
    setRandomSerial(x);
    setCommonName(x, commonName);
    require(X509_gmtime_adj(X509_getm_notBefore(&x), static_cast<long>(notBefore.count())) != nullptr,
            "set notBefore");
    require(X509_gmtime_adj(X509_getm_notAfter(&x), static_cast<long>(notAfter.count())) != nullptr,
            "set notAfter");
    require(X509_set_pubkey(&x, &key) == 1, "set public key");
    return certificate;
}

void addLeafExtensions(X509 &subject, X509 &issuer, const LeafSpec &spec)
{
    if (spec.subjectAltNames.empty())
        throw std::runtime_error("LeafSpec: at least one subjectAltName is required");
    std::string altNames;
    for (const std::string &name : spec.subjectAltNames)
        altNames += (altNames.empty() ? "" : ",") + name;
    addExtension(subject, issuer, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(subject, issuer, NID_key_usage, "critical,digitalSignature");
    addExtension(subject, issuer, NID_ext_key_usage, "serverAuth");
    addExtension(subject, issuer, NID_subject_key_identifier, "hash");
    addExtension(subject, issuer, NID_authority_key_identifier, "keyid:always");
    addExtension(subject, issuer, NID_subject_alt_name, altNames);
}

void setIssuer(X509 &subject, const X509 &issuer)
{
    require(X509_set_issuer_name(&subject, X509_get_subject_name(&issuer)) == 1, "set issuer name");
}

void sign(X509 &certificate, EVP_PKEY &issuerKey)
{
    require(X509_sign(&certificate, &issuerKey, EVP_sha256()) > 0, "X509_sign");
}

} // namespace

EvpPkeyPtr generateP256Key()
{
    EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    require(context != nullptr, "EVP_PKEY_CTX_new_from_name(EC)");
    require(EVP_PKEY_keygen_init(context.get()) == 1, "EVP_PKEY_keygen_init");
    require(EVP_PKEY_CTX_set_group_name(context.get(), "P-256") == 1, "set group P-256");
    EVP_PKEY *generated = nullptr;
    require(EVP_PKEY_generate(context.get(), &generated) == 1, "EVP_PKEY_generate");
    return EvpPkeyPtr(generated);
}

TestCertificate makeTestCa(const std::string &commonName)
{
    TestCertificate ca;
    ca.key = generateP256Key();
    ca.certificate = newCertificate(*ca.key, commonName, std::chrono::hours(-1), std::chrono::hours(24));
    X509 &x = *ca.certificate;
    setIssuer(x, x);
    addExtension(x, x, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(x, x, NID_subject_key_identifier, "hash");
    addExtension(x, x, NID_authority_key_identifier, "keyid:always");
    sign(x, *ca.key);
    return ca;
}

TestCertificate makeLeafCertificate(const LeafSpec &spec, const TestCertificate &issuer)
{
    TestCertificate leaf;
    leaf.key = generateP256Key();
    leaf.certificate = newCertificate(*leaf.key, spec.commonName, spec.notBefore, spec.notAfter);
    setIssuer(*leaf.certificate, *issuer.certificate);
    addLeafExtensions(*leaf.certificate, *issuer.certificate, spec);
    sign(*leaf.certificate, *issuer.key);
    return leaf;
}

TestCertificate makeSelfSignedLeaf(const LeafSpec &spec)
{
    TestCertificate leaf;
    leaf.key = generateP256Key();
    leaf.certificate = newCertificate(*leaf.key, spec.commonName, spec.notBefore, spec.notAfter);
    X509 &x = *leaf.certificate;
    setIssuer(x, x);
    addLeafExtensions(x, x, spec);
    sign(x, *leaf.key);
    return leaf;
}

void writeCertificatePem(const X509 &certificate, const std::filesystem::path &path)
{
    BioPtr file(BIO_new_file(path.c_str(), "w"));
    require(file != nullptr, "open " + path.string());
    require(PEM_write_bio_X509(file.get(), &certificate) == 1, "PEM_write_bio_X509");
    require(BIO_flush(file.get()) == 1, "flush " + path.string());
}

} // namespace oidfed::test
