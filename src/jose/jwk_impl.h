/// Jwk::Impl: the state behind a Jwk (private header).
///
/// An Impl is built once, by the factories in jwk.cpp, and never modified
/// afterwards; Jwk shares it through a shared_ptr<const Impl>. The EVP_PKEY
/// it owns is therefore only read, which OpenSSL allows from any number of
/// threads at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws_algorithm.h>

#include "jose/openssl_ptr.h"

namespace oidfed {

struct Jwk::Impl {
    jose::EvpPkeyPtr pkey;  ///< never null; holds the private key when hasPrivate
    KeyType type = KeyType::Rsa;
    std::string curve;      ///< "P-256", "P-384", "P-521", "Ed25519"; empty for RSA
    int rsaBits = 0;        ///< modulus size for RSA, else 0
    bool hasPrivate = false;

    std::string kid;                                ///< empty when absent
    std::string alg;                                ///< empty when absent
    std::optional<std::string> use;                 ///< "use" as given
    std::optional<std::vector<std::string>> keyOps; ///< "key_ops" as given

    /// The RFC 7638 required members, in lexicographic order, with their
    /// canonical values: {"e","kty","n"}, {"crv","kty","x","y"} or
    /// {"crv","kty","x"}.
    Json::Object required;
    /// RFC 7638 SHA-256 thumbprint of `required`, base64url.
    std::string thumbprint;
};

namespace jose {

enum class KeyOperation { Sign, Verify };

/// Whether the key's type and curve are the ones `alg` needs: RSA for RS*
/// and PS*, P-256/P-384/P-521 for ES256/ES384/ES512, Ed25519 for EdDSA.
bool keyFitsAlgorithm(const Jwk::Impl &impl, JwsAlgorithm alg);

/// keyFitsAlgorithm(), and the JWK's own "alg" (equal to the algorithm's
/// name), "use" ("sig") and "key_ops" (holding "sign" or "verify" for `op`)
/// allow it when they are present (RFC 7517 4.2-4.4, threat C03).
bool keyAllows(const Jwk::Impl &impl, JwsAlgorithm alg, KeyOperation op);

} // namespace jose

} // namespace oidfed
