/// The JWS signature primitives over OpenSSL (private header).
///
/// These sign and verify raw bytes: the JWS Signing Input in, the JWS
/// Signature octets out (RFC 7518 section 3). They check only that the key's
/// type and curve fit the algorithm; the JWK "alg", "use" and "key_ops" rules
/// and the choice of key belong to the callers (jws.cpp). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/jwk.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/result.h>

namespace oidfed::jose {

/// The signature of `input` under the private part of `key`: PKCS#1 v1.5
/// (RS*), PSS with MGF1 and salt length = hash length (PS*), fixed-width
/// R||S (ES*), or pure Ed25519 (EdDSA). InvalidArgument without a private
/// part; InvalidKey when the key does not fit `alg`.
Result<std::string> signBytes(const Jwk &key, JwsAlgorithm alg, std::string_view input);

/// Ok when `signature` is a valid signature of exactly `input` under `key`.
/// BadSignature otherwise, including any signature whose length is not the
/// one the algorithm and key produce (an RSA signature not of the modulus
/// length, an ECDSA one not 2 x 32/48/66 bytes, an Ed25519 one not 64
/// bytes) — checked before anything is decoded. InvalidKey when the key does
/// not fit `alg`.
Result<void> verifyBytes(const Jwk &key, JwsAlgorithm alg, std::string_view input, std::string_view signature);

} // namespace oidfed::jose
