/// oidfed::Jwk — one asymmetric JSON Web Key (RSA, EC P-256/384/521, Ed25519).
///
/// A Jwk is immutable and cheap to copy (it shares its key material), so it
/// may be used from any number of threads. It holds a public key, or a
/// private key with its public half. Symmetric ("oct") keys do not exist here.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/result.h>

namespace oidfed {

enum class KeyType { Rsa, Ec, Okp };

/// Bounds on acceptable keys (threats C11, C12).
struct KeyLimits {
    int minRsaBits = 2048;
    int maxRsaBits = 8192;
    /// Most keys in one JWK Set; a larger set is refused before any key is
    /// imported (threat B10: every key costs an import and its checks).
    std::size_t maxKeysPerSet = 64;
};

class Jwk {
public:
    /// Parses a public JWK. Rejects (InvalidKey): unknown or "oct" kty, RSA
    /// below/above the limits, with e != 65537, an even modulus, leading zero
    /// octets in n or e, or the ROCA fingerprint (CVE-2017-15361); EC points
    /// not on the curve or with coordinates of the wrong length; unknown
    /// curves (EC: P-256, P-384, P-521; OKP: Ed25519 only); any private member
    /// ("d", "p", "q", "dp", "dq", "qi", "oth", "k"); duplicate "key_ops"
    /// values. Rejects with Malformed: a non-object, non-canonical base64url,
    /// and "kid", "alg", "use" or "key_ops" of the wrong JSON type. "kid" is
    /// optional here; "alg" (any string), "use" and "key_ops" are kept and
    /// enforced by supports().
    static Result<Jwk> fromPublicJson(const Json &jwk, const KeyLimits &limits = {});

    /// Parses a private JWK (as written by toPrivateJson()). Same checks, and
    /// the private part must match the public one (InvalidKey). RSA keys need
    /// all of "d", "p", "q", "dp", "dq", "qi"; multi-prime ("oth") is refused.
    static Result<Jwk> fromPrivateJson(const Json &jwk, const KeyLimits &limits = {});

    /// Generates a new private key suited to `alg` (RSA 2048 for RS*/PS*,
    /// the matching curve for ES*, Ed25519 for EdDSA) with "alg" set and
    /// kid = RFC 7638 thumbprint.
    static Result<Jwk> generate(JwsAlgorithm alg);

    /// Loads a private key from unencrypted PEM text (PKCS#8 "PRIVATE KEY";
    /// OpenSSL's traditional RSA/EC forms are read too); kid = thumbprint
    /// unless given; alg is left empty. Errors: InvalidArgument for empty or
    /// oversized (> 64 KiB) text; Malformed when no unencrypted private key
    /// can be read (an encrypted PEM never prompts for a passphrase);
    /// InvalidKey for an inconsistent key or one the default KeyLimits and
    /// the fromPublicJson() rules refuse.
    static Result<Jwk> fromPrivatePem(std::string_view pem, std::string_view kid = {});

    KeyType type() const;
    /// "P-256", "P-384", "P-521", "Ed25519"; empty for RSA.
    const std::string &curve() const;
    /// RSA modulus size in bits; 0 for other key types.
    int rsaBits() const;
    /// The kid member (may be empty when the JWK had none).
    const std::string &kid() const;
    /// The "alg" member, when present.
    const std::string &alg() const;
    bool hasPrivate() const;

    /// A copy with a different kid.
    Jwk withKid(std::string kid) const;

    /// Whether this key may verify (or sign) with `alg`: kty and curve match,
    /// and "alg" (must be exactly the algorithm's name), "use" (must be
    /// "sig") and "key_ops" (must contain "verify" or "sign"), when present,
    /// agree (threat C03). Jws::verifyWith() further requires "verify", and
    /// signJws() "sign", when "key_ops" is present.
    bool supports(JwsAlgorithm alg) const;

    /// RFC 7638 SHA-256 thumbprint, base64url.
    std::string thumbprint() const;

    /// Public JWK: required members in canonical form plus kid/alg/use/key_ops.
    Json toPublicJson() const;
    /// Private JWK. REQUIRES: hasPrivate() (a null Json otherwise). Never log
    /// the result.
    Json toPrivateJson() const;
    /// Unencrypted PKCS#8 PEM of the private key. REQUIRES: hasPrivate() (an
    /// empty string otherwise). Never log it.
    std::string toPrivatePem() const;

    struct Impl;
    /// For the library's JWS code only.
    const Impl &impl() const { return *impl_; }

private:
    explicit Jwk(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

/// A JWK Set of public keys with unique, non-empty kids (OpenID Federation 3:
/// every key MUST have a unique kid). Immutable; share freely.
class JwkSet {
public:
    JwkSet() = default;

    /// Parses {"keys":[...]}. Rejects: a missing or non-array "keys", a key
    /// without a string kid, duplicate kids (threat C06), any private or
    /// symmetric key (threat C11), and any key Jwk::fromPublicJson rejects.
    /// More than limits.maxKeysPerSet keys: LimitExceeded (threat B10).
    /// An empty "keys" array is accepted here; callers that need a key say so.
    static Result<JwkSet> fromJson(const Json &jwks, const KeyLimits &limits = {});

    /// Builds a set from keys (their public halves are used). Rejects
    /// duplicate or empty kids (InvalidKey).
    static Result<JwkSet> fromKeys(std::vector<Jwk> keys);

    /// The key whose kid is exactly `kid` (byte for byte), or nullptr. Valid
    /// while the set lives.
    const Jwk *find(std::string_view kid) const;
    const std::vector<Jwk> &keys() const { return keys_; }
    bool empty() const { return keys_.empty(); }

    /// {"keys":[public JWKs]}.
    Json toJson() const;

private:
    std::vector<Jwk> keys_;
};

} // namespace oidfed
