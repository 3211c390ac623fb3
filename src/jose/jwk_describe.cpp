// EVP_PKEY -> validated Jwk::Impl, and private member export (see jwk_openssl.h).

#include "jose/jwk_openssl.h"

#include <algorithm>
#include <string>
#include <utility>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <oidfed/base64url.h>

#include "jose/openssl_error.h"

namespace oidfed::jose {

namespace {

/// Big-endian bytes of `bn`, left-padded with zeros to `width` when width > 0
/// (EC coordinates and scalars), minimal otherwise (RSA integers).
Result<std::string> bignumBytes(const BIGNUM *bn, int width = 0)
{
    const int size = width > 0 ? width : std::max(1, BN_num_bytes(bn));
    std::string out(static_cast<std::size_t>(size), '\0');
    if (BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), size) != size)
        return opensslFailure(ErrorCode::InvalidKey, "key integer does not fit its expected width");
    return out;
}

Result<BignumPtr> getBignum(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1 || !raw)
        return opensslFailure(ErrorCode::InvalidKey, std::string("key lacks parameter ") + name);
    return BignumPtr(raw);
}

Result<SecretBignumPtr> getSecretBignum(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1 || !raw)
        return opensslFailure(ErrorCode::InvalidKey, std::string("key lacks parameter ") + name);
    return SecretBignumPtr(raw);
}

enum class PublicCheck { Full, Quick };

Result<void> checkPublic(EVP_PKEY *pkey, PublicCheck depth = PublicCheck::Full)
{
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx)
        return opensslFailure(ErrorCode::Internal, "cannot create an OpenSSL key context");
    const int valid = depth == PublicCheck::Quick ? EVP_PKEY_public_check_quick(ctx.get())
                                                  : EVP_PKEY_public_check(ctx.get());
    if (valid != 1)
        return opensslFailure(ErrorCode::InvalidKey, "the public key failed validation");
    return ok();
}

Result<void> describeRsa(EVP_PKEY *pkey, const KeyLimits &limits, Jwk::Impl &impl)
{
    OIDFED_TRY(BignumPtr n, getBignum(pkey, OSSL_PKEY_PARAM_RSA_N));
    OIDFED_TRY(BignumPtr e, getBignum(pkey, OSSL_PKEY_PARAM_RSA_E));
    // Cheap checks first, so that an oversized key costs nothing (C12).
    const int bits = BN_num_bits(n.get());
    if (bits < limits.minRsaBits)
        return fail(Error(ErrorCode::InvalidKey, "RSA modulus is shorter than allowed").withClaim("n"));
    if (bits > limits.maxRsaBits)
        return fail(Error(ErrorCode::InvalidKey, "RSA modulus is longer than allowed").withClaim("n"));
    if (!BN_is_word(e.get(), 65537))
        return fail(Error(ErrorCode::InvalidKey, "RSA public exponent is not 65537").withClaim("e"));
    if (!BN_is_odd(n.get()))
        return fail(Error(ErrorCode::InvalidKey, "RSA modulus is even").withClaim("n"));
    if (hasRocaFingerprint(n.get()))
        return fail(Error(ErrorCode::InvalidKey, "RSA modulus has the ROCA fingerprint (CVE-2017-15361)")
                        .withClaim("n"));
    OIDFED_TRY(std::string nBytes, bignumBytes(n.get()));
    OIDFED_TRY(std::string eBytes, bignumBytes(e.get()));
    impl.type = KeyType::Rsa;
    impl.rsaBits = bits;
    impl.required = {{"e", base64urlEncode(eBytes)}, {"kty", "RSA"}, {"n", base64urlEncode(nBytes)}};
    return ok();
}

/// The public point's x and y, fixed width. Read as one encoded point: asking
/// for x and y separately makes OpenSSL convert the point to affine form (a
/// field inversion) once for each.
Result<std::pair<std::string, std::string>> ecCoordinates(EVP_PKEY *pkey, std::size_t width)
{
    unsigned char point[1 + 2 * 66];  // SEC1 uncompressed, up to P-521
    std::size_t length = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length) == 1 &&
        length == 1 + 2 * width && point[0] == 0x04) {
        const char *bytes = reinterpret_cast<const char *>(point) + 1;
        return std::make_pair(std::string(bytes, width), std::string(bytes + width, width));
    }
    ERR_clear_error();
    // Another encoding (compressed): ask for the coordinates themselves.
    OIDFED_TRY(BignumPtr x, getBignum(pkey, OSSL_PKEY_PARAM_EC_PUB_X));
    OIDFED_TRY(BignumPtr y, getBignum(pkey, OSSL_PKEY_PARAM_EC_PUB_Y));
    OIDFED_TRY(std::string xBytes, bignumBytes(x.get(), static_cast<int>(width)));
    OIDFED_TRY(std::string yBytes, bignumBytes(y.get(), static_cast<int>(width)));
    return std::make_pair(std::move(xBytes), std::move(yBytes));
}

Result<void> describeEc(EVP_PKEY *pkey, Jwk::Impl &impl)
{
    char group[64] = {};
    std::size_t groupLength = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &groupLength) != 1)
        return opensslFailure(ErrorCode::InvalidKey, "EC key without a named curve");
    const std::string_view groupName(group, groupLength);
    auto curve = std::find_if(kEcCurves.begin(), kEcCurves.end(),
                              [&](const EcCurve &c) { return groupName == c.opensslName; });
    if (curve == kEcCurves.end())
        return fail(Error(ErrorCode::InvalidKey, "EC key on an unsupported curve").withClaim("crv"));
    // Point on the curve and not at infinity. Every supported curve has
    // cofactor 1, so such a point has the group's order already: the full
    // check would only repeat that with a scalar multiplication (n·Q), as
    // costly as a signature verification, on every key of every statement.
    OIDFED_TRY_VOID(checkPublic(pkey, PublicCheck::Quick));
    OIDFED_TRY(auto coordinates, ecCoordinates(pkey, static_cast<std::size_t>(curve->bytes)));
    const auto &[xBytes, yBytes] = coordinates;
    impl.type = KeyType::Ec;
    impl.curve = std::string(curve->jwkName);
    impl.required = {{"crv", impl.curve},
                     {"kty", "EC"},
                     {"x", base64urlEncode(xBytes)},
                     {"y", base64urlEncode(yBytes)}};
    return ok();
}

Result<void> describeEd25519(EVP_PKEY *pkey, Jwk::Impl &impl)
{
    std::string x(kEd25519Bytes, '\0');
    std::size_t length = x.size();
    if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char *>(x.data()), &length) != 1 ||
        length != x.size())
        return opensslFailure(ErrorCode::InvalidKey, "cannot read the Ed25519 public key");
    impl.type = KeyType::Okp;
    impl.curve = "Ed25519";
    impl.required = {{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", base64urlEncode(x)}};
    return ok();
}

/// RFC 7638: SHA-256 over the required members, in lexicographic order and
/// without whitespace (which is what `required` dumps to), base64url.
std::string thumbprintOf(const Json::Object &required)
{
    const std::string canonical = Json(required).dump();
    unsigned char digest[SHA256_DIGEST_LENGTH];
    unsigned int length = 0;
    if (EVP_Digest(canonical.data(), canonical.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    return base64urlEncode(std::string_view(reinterpret_cast<const char *>(digest), length));
}

} // namespace

Result<std::shared_ptr<Jwk::Impl>> describeKey(EvpPkeyPtr pkey, bool hasPrivate, const KeyLimits &limits)
{
    if (!pkey)
        return fail(ErrorCode::Internal, "no key to describe");
    auto impl = std::make_shared<Jwk::Impl>();
    if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
        OIDFED_TRY_VOID(describeRsa(pkey.get(), limits, *impl));
    } else if (EVP_PKEY_is_a(pkey.get(), "EC")) {
        OIDFED_TRY_VOID(describeEc(pkey.get(), *impl));
    } else if (EVP_PKEY_is_a(pkey.get(), "ED25519")) {
        OIDFED_TRY_VOID(describeEd25519(pkey.get(), *impl));
    } else {
        return fail(ErrorCode::InvalidKey, "unsupported key type");
    }
    impl->thumbprint = thumbprintOf(impl->required);
    if (impl->thumbprint.empty())
        return fail(ErrorCode::Internal, "cannot compute the key thumbprint");
    impl->hasPrivate = hasPrivate;
    impl->pkey = std::move(pkey);
    return impl;
}

Result<Json::Object> exportPrivateMembers(const Jwk::Impl &impl)
{
    if (!impl.hasPrivate)
        return fail(ErrorCode::InvalidArgument, "the key has no private part");
    Json::Object members;
    switch (impl.type) {
    case KeyType::Rsa: {
        const auto &kParts = kRsaPrivateParts;
        for (const auto &[name, param] : kParts) {
            OIDFED_TRY(SecretBignumPtr value, getSecretBignum(impl.pkey.get(), param));
            OIDFED_TRY(std::string bytes, bignumBytes(value.get()));
            members.emplace_back(std::string(name), base64urlEncode(bytes));
            std::fill(bytes.begin(), bytes.end(), '\0');
        }
        break;
    }
    case KeyType::Ec: {
        const EcCurve *curve = ecCurveByJwkName(impl.curve);
        if (!curve)
            return fail(ErrorCode::Internal, "EC key without a known curve");
        OIDFED_TRY(SecretBignumPtr d, getSecretBignum(impl.pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY));
        OIDFED_TRY(std::string bytes, bignumBytes(d.get(), curve->bytes));
        members.emplace_back("d", base64urlEncode(bytes));
        std::fill(bytes.begin(), bytes.end(), '\0');
        break;
    }
    case KeyType::Okp: {
        std::string d(kEd25519Bytes, '\0');
        std::size_t length = d.size();
        if (EVP_PKEY_get_raw_private_key(impl.pkey.get(), reinterpret_cast<unsigned char *>(d.data()), &length) !=
                1 ||
            length != d.size())
            return opensslFailure(ErrorCode::Internal, "cannot read the Ed25519 private key");
        members.emplace_back("d", base64urlEncode(d));
        std::fill(d.begin(), d.end(), '\0');
        break;
    }
    }
    return members;
}

} // namespace oidfed::jose
