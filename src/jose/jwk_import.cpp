// JWK members -> EVP_PKEY (see jwk_openssl.h).

#include "jose/jwk_openssl.h"

#include <algorithm>
#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <oidfed/base64url.h>

#include "core/secret_wipe.h"
#include "jose/openssl_error.h"

namespace oidfed::jose {

const EcCurve *ecCurveByJwkName(std::string_view name)
{
    auto it = std::find_if(kEcCurves.begin(), kEcCurves.end(), [&](const EcCurve &c) { return c.jwkName == name; });
    return it == kEcCurves.end() ? nullptr : &*it;
}

namespace {

/// The decoded bytes of a required base64url member.
Result<std::string> decodeMember(const Json &jwk, std::string_view name)
{
    const Json *value = jwk.find(name);
    if (!value)
        return fail(Error(ErrorCode::InvalidKey, "JWK lacks a required member").withClaim(name));
    if (!value->isString())
        return fail(Error(ErrorCode::Malformed, "JWK member is not a string").withClaim(name));
    auto bytes = base64urlDecode(value->asString());
    if (!bytes)
        return fail(Error(ErrorCode::Malformed, "JWK member is not strict base64url").withClaim(name));
    return bytes;
}

/// A member that must have exactly `width` bytes (EC and OKP coordinates,
/// RFC 7518 6.2.1.2 and 6.2.2.1, RFC 8037 2).
Result<std::string> decodeFixedWidth(const Json &jwk, std::string_view name, int width)
{
    OIDFED_TRY(std::string bytes, decodeMember(jwk, name));
    if (bytes.size() != static_cast<std::size_t>(width))
        return fail(Error(ErrorCode::InvalidKey, "JWK coordinate has the wrong length").withClaim(name));
    return bytes;
}

/// A Base64urlUInt member (RFC 7518 2). `minimal` enforces "the minimum
/// number of octets", which we require of the public n and e.
Result<std::string> decodeUnsigned(const Json &jwk, std::string_view name, bool minimal)
{
    auto bytes = decodeMember(jwk, name);
    if (!bytes)
        return bytes;
    if (bytes->empty())
        return fail(Error(ErrorCode::InvalidKey, "JWK integer is empty").withClaim(name));
    if (minimal && bytes->size() > 1 && (*bytes)[0] == '\0')
        return fail(Error(ErrorCode::InvalidKey, "JWK integer has leading zero octets").withClaim(name));
    return bytes;
}

const unsigned char *bytesOf(const std::string &s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

BignumPtr toBignum(const std::string &bytes)
{
    return BignumPtr(BN_bin2bn(bytesOf(bytes), static_cast<int>(bytes.size()), nullptr));
}

SecretBignumPtr toSecretBignum(const std::string &bytes)
{
    return SecretBignumPtr(BN_bin2bn(bytesOf(bytes), static_cast<int>(bytes.size()), nullptr));
}

Result<EvpPkeyPtr> fromData(const char *type, int selection, OSSL_PARAM *params)
{
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot create an OpenSSL key context");
    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params) != 1 || !raw)
        return opensslFailure(ErrorCode::InvalidKey, "OpenSSL rejected the key parameters");
    return EvpPkeyPtr(raw);
}

Result<EvpPkeyPtr> importRsa(const Json &jwk, bool withPrivate)
{
    OIDFED_TRY(std::string nBytes, decodeUnsigned(jwk, "n", true));
    OIDFED_TRY(std::string eBytes, decodeUnsigned(jwk, "e", true));
    BignumPtr n = toBignum(nBytes);
    BignumPtr e = toBignum(eBytes);
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!n || !e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot build RSA parameters");
    if (!withPrivate) {
        OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
        if (!params)
            return opensslFailure(ErrorCode::Internal, "cannot build RSA parameters");
        return fromData("RSA", EVP_PKEY_PUBLIC_KEY, params.get());
    }

    if (jwk.contains("oth"))
        return fail(Error(ErrorCode::InvalidKey, "multi-prime RSA keys are not supported").withClaim("oth"));
    // The CRT members are optional in RFC 7518 but OpenSSL signs fast and
    // safely only with them; every JWK producer we know writes them.
    const auto &kParts = kRsaPrivateParts;
    std::array<SecretBignumPtr, kParts.size()> parts;
    for (std::size_t i = 0; i < kParts.size(); ++i) {
        OIDFED_TRY(std::string bytes, decodeUnsigned(jwk, kParts[i].first, false));
        parts[i] = toSecretBignum(bytes);
        wipe(bytes);
        if (!parts[i] || OSSL_PARAM_BLD_push_BN(bld.get(), kParts[i].second, parts[i].get()) != 1)
            return opensslFailure(ErrorCode::Internal, "cannot build RSA parameters");
    }
    SecretOsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    if (!params)
        return opensslFailure(ErrorCode::Internal, "cannot build RSA parameters");
    return fromData("RSA", EVP_PKEY_KEYPAIR, params.get());
}

Result<EvpPkeyPtr> importEc(const Json &jwk, bool withPrivate)
{
    const std::string *crv = jwk.findString("crv");
    const EcCurve *curve = crv ? ecCurveByJwkName(*crv) : nullptr;
    if (!curve)
        return fail(Error(ErrorCode::InvalidKey, "EC key on a missing or unsupported curve").withClaim("crv"));
    OIDFED_TRY(std::string x, decodeFixedWidth(jwk, "x", curve->bytes));
    OIDFED_TRY(std::string y, decodeFixedWidth(jwk, "y", curve->bytes));
    std::string point = "\x04" + x + y;  // SEC1 uncompressed form

    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->opensslName, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot build EC parameters");
    if (!withPrivate) {
        OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
        if (!params)
            return opensslFailure(ErrorCode::Internal, "cannot build EC parameters");
        return fromData("EC", EVP_PKEY_PUBLIC_KEY, params.get());
    }

    OIDFED_TRY(std::string dBytes, decodeFixedWidth(jwk, "d", curve->bytes));
    SecretBignumPtr d = toSecretBignum(dBytes);
    wipe(dBytes);
    if (!d || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot build EC parameters");
    SecretOsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    if (!params)
        return opensslFailure(ErrorCode::Internal, "cannot build EC parameters");
    return fromData("EC", EVP_PKEY_KEYPAIR, params.get());
}

Result<EvpPkeyPtr> importOkp(const Json &jwk, bool withPrivate)
{
    const std::string *crv = jwk.findString("crv");
    if (!crv || *crv != "Ed25519")
        return fail(Error(ErrorCode::InvalidKey, "OKP key on a missing or unsupported curve").withClaim("crv"));
    OIDFED_TRY(std::string x, decodeFixedWidth(jwk, "x", kEd25519Bytes));
    if (!withPrivate) {
        EVP_PKEY *raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytesOf(x), x.size());
        if (!raw)
            return opensslFailure(ErrorCode::InvalidKey, "OpenSSL rejected the Ed25519 public key");
        return EvpPkeyPtr(raw);
    }

    OIDFED_TRY(std::string d, decodeFixedWidth(jwk, "d", kEd25519Bytes));
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytesOf(d), d.size()));
    wipe(d);
    if (!pkey)
        return opensslFailure(ErrorCode::InvalidKey, "OpenSSL rejected the Ed25519 private key");
    // The public key is derived from d; it must be the one the JWK states.
    std::string derived(kEd25519Bytes, '\0');
    std::size_t length = derived.size();
    if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char *>(derived.data()), &length) != 1 ||
        length != derived.size())
        return opensslFailure(ErrorCode::Internal, "cannot read the Ed25519 public key");
    if (derived != x)
        return fail(Error(ErrorCode::InvalidKey, "the private key does not match its public key").withClaim("x"));
    return pkey;
}

} // namespace

Result<void> checkKeyPair(const Jwk::Impl &impl)
{
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl.pkey.get(), nullptr));
    if (!ctx)
        return opensslFailure(ErrorCode::Internal, "cannot create an OpenSSL key context");
    if (EVP_PKEY_pairwise_check(ctx.get()) != 1)
        return opensslFailure(ErrorCode::InvalidKey, "the private key does not match its public key");
    return ok();
}

Result<EvpPkeyPtr> importJwkKey(const Json &jwk, bool withPrivate)
{
    const std::string *kty = jwk.findString("kty");
    if (!kty)
        return fail(Error(ErrorCode::InvalidKey, "JWK has no string kty").withClaim("kty"));
    if (*kty == "RSA")
        return importRsa(jwk, withPrivate);
    if (*kty == "EC")
        return importEc(jwk, withPrivate);
    if (*kty == "OKP")
        return importOkp(jwk, withPrivate);
    if (*kty == "oct")
        return fail(Error(ErrorCode::InvalidKey, "symmetric (oct) keys are never accepted").withClaim("kty"));
    return fail(Error(ErrorCode::InvalidKey, "unsupported kty").withClaim("kty"));
}

} // namespace oidfed::jose
