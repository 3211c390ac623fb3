// Helpers shared by the JWS tests: keys generated once per run (no private
// key is stored in the tree) and builders for hand-made compact JWSs.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>

namespace oidfed::test {

// RFC 7515 Appendix A: the JWT payload shared by A.1-A.3 (with its CRLFs).
inline constexpr const char *kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

struct TestKeys {
    Jwk rsa;      // RS256-pinned RSA-2048
    Jwk p256;     // ES256
    Jwk p384;     // ES384
    Jwk p521;     // ES512
    Jwk ed25519;  // EdDSA
    JwkSet set;   // the public halves of all of them
};

/// Generated on first use, then shared by the test cases of one binary.
const TestKeys &testKeys();

/// A compact JWS over arbitrary header text, signed by `signer` with `alg`
/// through the raw primitive (so the header can say anything).
std::string craftJws(std::string_view headerText, std::string_view payload, const Jwk &signer, JwsAlgorithm alg);

/// {"alg":alg,"kid":kid}
std::string headerWithKid(std::string_view alg, std::string_view kid);

/// The compact JWS with its signature segment replaced by `signature`.
std::string withSignature(const std::string &compact, std::string_view signature);

/// Jws::parse's error code; fails the test when parsing succeeds.
ErrorCode parseError(std::string_view compact, const JwsLimits &limits = {});

/// Jws::verify's error code; fails the test when parsing fails or
/// verification succeeds.
ErrorCode verifyError(std::string_view compact, const JwkSet &set);

/// The JWK without its private members.
Json publicPart(Json jwk);

} // namespace oidfed::test
