#include "core/sha256.h"

#include <new>

#include <openssl/evp.h>

namespace oidfed {

Sha256Digest sha256(std::string_view bytes)
{
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size())
        throw std::bad_alloc();  // EVP_Digest fails only when it cannot allocate its context
    return digest;
}

std::string hexOf(const Sha256Digest &digest)
{
    constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * digest.size());
    for (unsigned char byte : digest) {
        out.push_back(kDigits[byte >> 4]);
        out.push_back(kDigits[byte & 0x0f]);
    }
    return out;
}

} // namespace oidfed
