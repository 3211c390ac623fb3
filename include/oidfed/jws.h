/// JWS Compact Serialization: parse, verify and sign (RFC 7515).
///
/// Only the compact form exists here (OpenID Federation 1.1). Header keys
/// ("jwk", "jku", "x5u", "x5c") are never used to find a verification key:
/// the key always comes from the caller's JwkSet, selected by exact "kid".
/// A Jws is an immutable value; share it freely between threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/result.h>

namespace oidfed {

struct JwsLimits {
    std::size_t maxBytes = 256 << 10;  ///< whole compact JWS, checked before splitting (C20)
    JsonLimits json{};                 ///< for the header and payload
};

/// A parsed, NOT yet verified, compact JWS.
class Jws {
public:
    /// Splits and decodes. Rejects with Malformed: anything but exactly three
    /// dot-separated strict base64url segments (JSON serialization, JWE,
    /// whitespace, padding), a header that is not a JSON object (or not valid
    /// UTF-8 JSON, or with duplicate members), a missing or non-string "alg",
    /// an empty signature. With UnsupportedAlgorithm: "alg" outside the
    /// allow-list ("none", HS*, ...). With UnknownCritical: any "crit" header
    /// (no extension is supported, C14), and "b64" or "zip" present (C15,
    /// C24). With LimitExceeded: input beyond limits.maxBytes (checked before
    /// anything else) or a header beyond limits.json. The payload is not
    /// parsed here (see payloadJson()).
    static Result<Jws> parse(std::string_view compact, const JwsLimits &limits = {});

    const Json &header() const { return header_; }
    JwsAlgorithm alg() const { return alg_; }
    /// Header "kid" when it is a string; empty otherwise.
    const std::string &kid() const { return kid_; }
    /// Header "typ" when it is a string; empty otherwise.
    const std::string &typ() const { return typ_; }

    /// The decoded payload bytes, exactly as signed.
    const std::string &payload() const { return payload_; }
    /// The payload parsed as a JSON object from exactly the signed bytes.
    /// Malformed when it is not one; LimitExceeded beyond `limits`.
    Result<Json> payloadJson(const JsonLimits &limits = {}) const;

    const std::string &compact() const { return compact_; }
    /// "BASE64URL(header).BASE64URL(payload)".
    std::string_view signingInput() const;
    const std::string &signature() const { return signature_; }

    /// Verifies with the key of `keys` whose kid equals the header kid
    /// exactly. KeyNotFound when the header kid is absent, not a non-empty
    /// string, or not in the set (no fallback to other keys, C05);
    /// InvalidKey when that key does not support alg (C03); BadSignature when
    /// the signature does not verify (including a wrong ECDSA length, C09).
    Result<void> verify(const JwkSet &keys) const;

    /// Verifies with one given key, ignoring the header kid. Same errors but
    /// KeyNotFound.
    Result<void> verifyWith(const Jwk &key) const;

private:
    Jws() = default;
    Json header_;
    JwsAlgorithm alg_ = JwsAlgorithm::RS256;
    std::string kid_;
    std::string typ_;
    std::string payload_;
    std::string signature_;
    std::string compact_;
    std::size_t signingInputLength_ = 0;
};

/// Signs and returns a compact JWS. `header` holds the extra header members
/// (typically "typ"; an object, or null for none); "alg" is set from the
/// key's "alg" (or `alg` when given; for a key without "alg": RS256 for RSA,
/// the curve's ES* for EC, EdDSA for Ed25519) and "kid" from the key, and the
/// caller's own "alg"/"kid" are ignored. The protected header is written as
/// {"alg":..,"kid":.., then the extra members in order}, compact.
/// REQUIRES: key.hasPrivate() and a non-empty kid (InvalidArgument
/// otherwise). InvalidArgument when `header` is not an object or holds a
/// member verifiers reject or must not trust ("crit", "b64", "zip", "jwk",
/// "jku", "x5u", "x5c"); InvalidKey when the key does not support the
/// algorithm (including a key "alg" that is not an allow-listed name).
Result<std::string> signJws(const Json &header, std::string_view payload, const Jwk &key);
Result<std::string> signJws(const Json &header, std::string_view payload, const Jwk &key, JwsAlgorithm alg);

} // namespace oidfed
