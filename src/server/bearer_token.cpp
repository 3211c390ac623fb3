#include "server/bearer_token.h"

#include <algorithm>
#include <cctype>

#include <openssl/crypto.h>

#include "core/hex_digit.h"

namespace oidfed::server {

std::string_view bearerToken(std::string_view header)
{
    constexpr std::string_view kScheme = "bearer ";
    if (header.size() <= kScheme.size())
        return {};
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(header[i]))) != kScheme[i])
            return {};
    header.remove_prefix(kScheme.size());
    while (!header.empty() && header.front() == ' ')
        header.remove_prefix(1);
    while (!header.empty() && header.back() == ' ')
        header.remove_suffix(1);
    return header;
}

Result<Sha256Digest> parseTokenSha256(const Json &value, const std::string &path)
{
    const std::string *hex = value.isString() ? &value.asString() : nullptr;
    auto lowerDigit = [](char c) { return (c >= 'A' && c <= 'F') ? -1 : detail::hexDigitValue(c); };
    if (!hex || hex->size() != 64 || std::any_of(hex->begin(), hex->end(), [&](char c) { return lowerDigit(c) < 0; }))
        return fail(ErrorCode::InvalidArgument,
                    path + ": must be the SHA-256 of the bearer token as 64 lowercase hexadecimal digits");
    Sha256Digest digest{};
    for (std::size_t i = 0; i < digest.size(); ++i)
        digest[i] = static_cast<unsigned char>(lowerDigit((*hex)[2 * i]) * 16 + lowerDigit((*hex)[2 * i + 1]));
    return digest;
}

std::optional<std::size_t> matchBearerToken(std::string_view token, const std::vector<const Sha256Digest *> &digests)
{
    if (token.empty())
        return std::nullopt;
    const Sha256Digest digest = sha256(token);
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < digests.size(); ++i)
        if (digests[i] && CRYPTO_memcmp(digests[i]->data(), digest.data(), digest.size()) == 0)
            found = i;
    return found;
}

} // namespace oidfed::server
