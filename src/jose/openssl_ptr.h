/// RAII owners for the OpenSSL handles used by src/jose (private header).
///
/// Every OpenSSL object the library creates is held by one of these
/// unique_ptr aliases from the moment it is created. Call .get() only at the
/// call into OpenSSL, and .release() only where an OpenSSL "set0" function
/// takes ownership (say so in a comment there).
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "core/c_deleter.h"

namespace oidfed::jose {

using oidfed::CDeleter;

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, CDeleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, CDeleter<&EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, CDeleter<&EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, CDeleter<&BN_free>>;
/// For private key components: the memory is wiped before it is freed.
using SecretBignumPtr = std::unique_ptr<BIGNUM, CDeleter<&BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, CDeleter<&BN_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, CDeleter<&ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, CDeleter<&BIO_free_all>>;
using OsslParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, CDeleter<&OSSL_PARAM_BLD_free>>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, CDeleter<&OSSL_PARAM_free>>;

/// Wipes the data of every parameter, then frees the array (OpenSSL 3.0 has
/// no OSSL_PARAM_clear_free).
inline void freeSecretParams(OSSL_PARAM *params) noexcept
{
    for (OSSL_PARAM *p = params; p && p->key; ++p)
        if (p->data && p->data_size > 0)
            OPENSSL_cleanse(p->data, p->data_size);
    OSSL_PARAM_free(params);
}
/// For parameter arrays that carry private key material.
using SecretOsslParamPtr = std::unique_ptr<OSSL_PARAM, CDeleter<&freeSecretParams>>;

/// A second owner of `pkey` (EVP_PKEY is reference counted and safe to read
/// from several threads once built). Empty when `pkey` is null.
inline EvpPkeyPtr sharePkey(EVP_PKEY *pkey)
{
    if (pkey && EVP_PKEY_up_ref(pkey) == 1)
        return EvpPkeyPtr(pkey);
    return EvpPkeyPtr();
}

} // namespace oidfed::jose
