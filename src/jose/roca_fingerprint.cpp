// The ROCA fingerprint test (see jwk_openssl.h). Written from the
// description in Nemec et al., "The Return of Coppersmith's Attack" (CCS
// 2017): the flawed generator builds primes of the form k*M + (65537^a mod M)
// with M the product of the first primes, so n = p*q is congruent to a power
// of 65537 modulo each small prime r dividing M.

#include "jose/jwk_openssl.h"

#include <array>

#include <openssl/bn.h>

namespace oidfed::jose {

namespace {

/// Small primes r checked (all odd primes up to 167). For r where 65537
/// generates all of (Z/r)* the test says nothing, which is harmless.
constexpr std::array<BN_ULONG, 38> kPrimes{3,  5,  7,   11,  13,  17,  19,  23,  29,  31,  37,  41,  43,
                                           47, 53, 59,  61,  67,  71,  73,  79,  83,  89,  97,  101, 103,
                                           107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};

/// Whether `residue` is a power of 65537 modulo `prime`.
bool inGeneratedSubgroup(BN_ULONG residue, BN_ULONG prime)
{
    const BN_ULONG generator = 65537 % prime;
    BN_ULONG power = 1;
    // The subgroup has at most prime - 1 elements; the loop ends when the
    // powers cycle back to 1.
    for (BN_ULONG i = 0; i < prime; ++i) {
        if (power == residue)
            return true;
        power = (power * generator) % prime;
        if (power == 1)
            return false;
    }
    return false;
}

} // namespace

bool hasRocaFingerprint(const BIGNUM *n)
{
    for (const BN_ULONG prime : kPrimes) {
        const BN_ULONG residue = BN_mod_word(n, prime);
        if (residue == static_cast<BN_ULONG>(-1))
            return false;  // OpenSSL error: no verdict, the other checks stand
        if (!inGeneratedSubgroup(residue, prime))
            return false;
    }
    return true;
}

} // namespace oidfed::jose
