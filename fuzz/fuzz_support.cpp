#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>

#include <oidfed/json.h>

namespace oidfed::fuzz {

namespace {

// Public keys only: they are published in ../shared beside their signed
// examples (oidfed-vectors/spec/trust_chain_signed.json,
// jose-vectors/wycheproof/testvectors_v1/json_web_signature_test.json,
// jose-vectors/ietf-jose-cookbook/jwk/3_1.ec_public_key.json and
// jose-vectors/ietf-jose-cookbook/curve25519/jws.json).
constexpr std::string_view kFixedKeys = R"({"keys":[
  {"kty":"RSA","kid":"OVpSbGRueXNTZkkzNE5BcVAzLTlDUHdpdkNBeVY3cXo3aWZZNm44RTdaWQ",
   "n":"xC9pdPrp1DG79PoL2Nk2ljhMZgswr1AjLZkp-Jdsv15Ga67KAa1CHwDLCBknVJpvMoh4vqr3DsbXu4Ahm8ES67FQ0RjTyCSepoDE)"
    R"(h5umwGRjD1nXD126u9FB-tKLjPZShYyinJwPZHjtzAtSlcjS_pX7Z4CAHu8HdxzYoBC88NPK3f0afdAcrqrs7-UEZZa88rqZFf4X)"
    R"(zeY0gYQW8pnS7HzqOZ4HKiMKwFWRq5YqUCk-VE2fZlv23Gzqwurzyei7vqVpYxhtTeNpf26jIeyObaZnPa33RaUT3BwjvmpQ8bDg)"
    R"(A3RQwPXW0R3NZsLI_wCjsOyMWd1Xz2RGzYQr5UWjlQ",
   "e":"AQAB"},
  {"kty":"EC","kid":"kid-ec-sign","alg":"ES256","use":"sig","crv":"P-256",
   "x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"},
  {"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521",
   "x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
   "y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"},
  {"kty":"OKP","kid":"rfc8037-ed25519","use":"sig","crv":"Ed25519",
   "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
]})";

const JwkSet *buildFixedKeys()
{
    auto json = parseJson(kFixedKeys);
    check(json.has_value(), "the fixed key set is valid JSON");
    auto keys = JwkSet::fromJson(*json);
    check(keys.has_value() && keys->keys().size() == 4, "the fixed key set imports");
    return new JwkSet(std::move(keys).value());
}

} // namespace

void check(bool holds, const char *invariant)
{
    if (holds)
        return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
    std::abort();
}

const JwkSet &fixedKeys()
{
    // Never destroyed (no static destructor order to care about at exit).
    static const JwkSet *keys = buildFixedKeys();
    return *keys;
}

} // namespace oidfed::fuzz
