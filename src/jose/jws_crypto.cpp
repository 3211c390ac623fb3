#include "jose/jws_crypto.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "jose/jwk_impl.h"
#include "jose/jwk_openssl.h"
#include "jose/openssl_error.h"
#include "jose/openssl_ptr.h"

namespace oidfed::jose {

namespace {

enum class Family { RsaPkcs1, RsaPss, Ecdsa, EdDsa };

Family familyOf(JwsAlgorithm alg)
{
    switch (alg) {
    case JwsAlgorithm::RS256:
    case JwsAlgorithm::RS384:
    case JwsAlgorithm::RS512:
        return Family::RsaPkcs1;
    case JwsAlgorithm::PS256:
    case JwsAlgorithm::PS384:
    case JwsAlgorithm::PS512:
        return Family::RsaPss;
    case JwsAlgorithm::ES256:
    case JwsAlgorithm::ES384:
    case JwsAlgorithm::ES512:
        return Family::Ecdsa;
    case JwsAlgorithm::EdDSA:
        break;
    }
    return Family::EdDsa;
}

/// The digest of the algorithm; nullptr for EdDSA, which hashes internally.
const EVP_MD *digestOf(JwsAlgorithm alg)
{
    switch (alg) {
    case JwsAlgorithm::RS256:
    case JwsAlgorithm::PS256:
    case JwsAlgorithm::ES256:
        return EVP_sha256();
    case JwsAlgorithm::RS384:
    case JwsAlgorithm::PS384:
    case JwsAlgorithm::ES384:
        return EVP_sha384();
    case JwsAlgorithm::RS512:
    case JwsAlgorithm::PS512:
    case JwsAlgorithm::ES512:
        return EVP_sha512();
    case JwsAlgorithm::EdDSA:
        break;
    }
    return nullptr;
}

/// Width in bytes of one of R and S: the byte length of the curve order.
int ecdsaHalfWidth(const Jwk::Impl &impl)
{
    const EcCurve *curve = ecCurveByJwkName(impl.curve);
    return curve ? curve->bytes : 0;
}

const unsigned char *bytesOf(std::string_view s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

/// Sets the PSS parameters of RFC 7518 3.5 on a signing or verifying context.
bool configurePss(EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
}

/// Fixed-width R||S -> DER ECDSA-Sig-Value. REQUIRES: raw.size() == 2 * half.
Result<std::string> rawToDer(std::string_view raw, int half)
{
    BignumPtr r(BN_bin2bn(bytesOf(raw), half, nullptr));
    BignumPtr s(BN_bin2bn(bytesOf(raw) + half, half, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig)
        return opensslFailure(ErrorCode::Internal, "cannot allocate an ECDSA signature");
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot build an ECDSA signature");
    // ECDSA_SIG_set0 took ownership of r and s.
    (void)r.release();
    (void)s.release();
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0)
        return opensslFailure(ErrorCode::Internal, "cannot encode an ECDSA signature");
    std::string der(static_cast<std::size_t>(length), '\0');
    unsigned char *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length)
        return opensslFailure(ErrorCode::Internal, "cannot encode an ECDSA signature");
    return der;
}

/// DER ECDSA-Sig-Value (as OpenSSL signs) -> fixed-width R||S.
Result<std::string> derToRaw(std::string_view der, int half)
{
    const unsigned char *in = bytesOf(der);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
    if (!sig)
        return opensslFailure(ErrorCode::Internal, "OpenSSL produced an undecodable ECDSA signature");
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string raw(static_cast<std::size_t>(2 * half), '\0');
    unsigned char *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, half) != half || BN_bn2binpad(s, out + half, half) != half)
        return opensslFailure(ErrorCode::Internal, "ECDSA signature does not fit the curve width");
    return raw;
}

/// The exact signature length for `alg` under `impl`.
std::size_t expectedSignatureLength(const Jwk::Impl &impl, Family family)
{
    switch (family) {
    case Family::RsaPkcs1:
    case Family::RsaPss:
        return static_cast<std::size_t>((impl.rsaBits + 7) / 8);
    case Family::Ecdsa:
        return static_cast<std::size_t>(2 * ecdsaHalfWidth(impl));
    case Family::EdDsa:
        break;
    }
    return 64;
}

} // namespace

Result<std::string> signBytes(const Jwk &key, JwsAlgorithm alg, std::string_view input)
{
    const Jwk::Impl &impl = key.impl();
    if (!impl.hasPrivate)
        return fail(ErrorCode::InvalidArgument, "signing needs a private key");
    if (!keyFitsAlgorithm(impl, alg))
        return fail(ErrorCode::InvalidKey, "the key does not fit the algorithm");
    const Family family = familyOf(alg);

    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, digestOf(alg), nullptr, impl.pkey.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot start signing");
    if (family == Family::RsaPss && !configurePss(pctx))
        return opensslFailure(ErrorCode::Internal, "cannot configure RSA-PSS");
    std::size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, bytesOf(input), input.size()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot size the signature");
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, bytesOf(input),
                       input.size()) != 1)
        return opensslFailure(ErrorCode::Internal, "signing failed");
    signature.resize(length);
    if (family == Family::Ecdsa)
        return derToRaw(signature, ecdsaHalfWidth(impl));
    return signature;
}

Result<void> verifyBytes(const Jwk &key, JwsAlgorithm alg, std::string_view input, std::string_view signature)
{
    const Jwk::Impl &impl = key.impl();
    if (!keyFitsAlgorithm(impl, alg))
        return fail(ErrorCode::InvalidKey, "the key does not fit the algorithm");
    const Family family = familyOf(alg);
    // The length check comes first: nothing is decoded from a signature of
    // the wrong size (C09, C10).
    if (signature.size() != expectedSignatureLength(impl, family))
        return fail(ErrorCode::BadSignature, "the signature has the wrong length for the algorithm and key");

    std::string der;
    if (family == Family::Ecdsa) {
        OIDFED_TRY(der, rawToDer(signature, ecdsaHalfWidth(impl)));
        signature = der;
    }

    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digestOf(alg), nullptr, impl.pkey.get()) != 1)
        return opensslFailure(ErrorCode::Internal, "cannot start verification");
    if (family == Family::RsaPss && !configurePss(pctx))
        return opensslFailure(ErrorCode::Internal, "cannot configure RSA-PSS");
    // 1 is success; 0 is a bad signature and a negative value an error. Only
    // 1 is accepted (the CVE-2008-5077 lesson).
    if (EVP_DigestVerify(ctx.get(), bytesOf(signature), signature.size(), bytesOf(input), input.size()) != 1)
        return opensslFailure(ErrorCode::BadSignature, "the signature does not verify");
    return ok();
}

} // namespace oidfed::jose
