// Explicit registration requests of the demo RP to the demo OP
// (trust-anchors/demo), built as an independent RP would: its own Entity
// Configuration with aud the OP, signed with the RP's key from its key
// directory, metadata tailored to the OP (its keys as jwks for
// private_key_jwt), and its trust chain from the federation's endpoints.
// For the server tests, in process or against a real `oidfed serve`.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/registration_request.h>

namespace oidfed::test {

/// The body of a GET of the demo federation at `pathAndQuery` (status 200).
using DemoGet = std::function<std::string(const std::string &pathAndQuery)>;

/// The demo RP's published keys and active private key, from `keysDir`
/// (keys/rp of the demo's copy).
struct RpKeys {
    JwkSet published;
    Jwk active;
};
RpKeys rpKeysFrom(const std::filesystem::path &keysDir, UnixTime now);

/// What the demo RP sends: `base` is "http://127.0.0.1:PORT". The
/// configuration's claims (iat now, exp in an hour, the RP's keys, metadata
/// tailored to the OP, authority_hints [ia]), aud the OP, and the RP's
/// trust chain [its Entity Configuration, ia about rp, ta about ia, ta's
/// Entity Configuration] as the trust_chain header.
RegistrationRequestClaims demoRequestClaims(const std::string &base, const RpKeys &keys, UnixTime now,
                                            const DemoGet &get);

/// Signs `claims` with the RP's key (http identifiers allowed).
std::string signDemoRequest(const RegistrationRequestClaims &claims, const RpKeys &keys);

/// The chain as an application/trust-chain+json body: the request's Entity
/// Configuration `request` first, then the chain after its first element.
std::string chainBody(const std::string &request, const std::vector<std::string> &chain);

} // namespace oidfed::test
