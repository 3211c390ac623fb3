#include <oidfed/jwk.h>

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jose/jwk_impl.h"
#include "jose/jwk_openssl.h"
#include "jose/openssl_error.h"
#include "jose/openssl_ptr.h"
#include "jose/public_key_cache.h"

namespace oidfed {

namespace jose {

bool keyFitsAlgorithm(const Jwk::Impl &impl, JwsAlgorithm alg)
{
    switch (alg) {
    case JwsAlgorithm::RS256:
    case JwsAlgorithm::RS384:
    case JwsAlgorithm::RS512:
    case JwsAlgorithm::PS256:
    case JwsAlgorithm::PS384:
    case JwsAlgorithm::PS512:
        return impl.type == KeyType::Rsa;
    case JwsAlgorithm::ES256:
    case JwsAlgorithm::ES384:
    case JwsAlgorithm::ES512: {
        const EcCurve *curve = ecCurveByJwkName(impl.curve);
        return impl.type == KeyType::Ec && curve && curve->alg == alg;
    }
    case JwsAlgorithm::EdDSA:
        return impl.type == KeyType::Okp && impl.curve == "Ed25519";
    }
    return false;
}

bool keyAllows(const Jwk::Impl &impl, JwsAlgorithm alg, KeyOperation op)
{
    if (!keyFitsAlgorithm(impl, alg))
        return false;
    if (!impl.alg.empty() && impl.alg != jwsAlgorithmName(alg))
        return false;
    if (impl.use && *impl.use != "sig")
        return false;
    if (impl.keyOps) {
        const std::string_view wanted = op == KeyOperation::Sign ? "sign" : "verify";
        if (std::find(impl.keyOps->begin(), impl.keyOps->end(), wanted) == impl.keyOps->end())
            return false;
    }
    return true;
}

} // namespace jose

namespace {

/// The members of a JWK that describe how it may be used.
struct KeyMetadata {
    std::string kid;
    std::string alg;
    std::optional<std::string> use;
    std::optional<std::vector<std::string>> keyOps;
};

Result<std::string> optionalString(const Json &jwk, std::string_view name)
{
    const Json *value = jwk.find(name);
    if (!value)
        return std::string();
    if (!value->isString())
        return fail(Error(ErrorCode::Malformed, "JWK member is not a string").withClaim(name));
    return value->asString();
}

Result<KeyMetadata> readMetadata(const Json &jwk)
{
    KeyMetadata meta;
    OIDFED_TRY(meta.kid, optionalString(jwk, "kid"));
    OIDFED_TRY(meta.alg, optionalString(jwk, "alg"));
    if (const Json *use = jwk.find("use")) {
        if (!use->isString())
            return fail(Error(ErrorCode::Malformed, "JWK use is not a string").withClaim("use"));
        meta.use = use->asString();
    }
    if (const Json *keyOps = jwk.find("key_ops")) {
        if (!keyOps->isArray())
            return fail(Error(ErrorCode::Malformed, "JWK key_ops is not an array").withClaim("key_ops"));
        std::vector<std::string> ops;
        for (const Json &op : keyOps->asArray()) {
            if (!op.isString())
                return fail(Error(ErrorCode::Malformed, "JWK key_ops holds a non-string").withClaim("key_ops"));
            // RFC 7517 4.3: duplicate values MUST NOT be present.
            if (std::find(ops.begin(), ops.end(), op.asString()) != ops.end())
                return fail(Error(ErrorCode::InvalidKey, "JWK key_ops holds a duplicate").withClaim("key_ops"));
            ops.push_back(op.asString());
        }
        meta.keyOps = std::move(ops);
    }
    return meta;
}

void applyMetadata(KeyMetadata meta, Jwk::Impl &impl)
{
    impl.kid = std::move(meta.kid);
    impl.alg = std::move(meta.alg);
    impl.use = std::move(meta.use);
    impl.keyOps = std::move(meta.keyOps);
}

/// A new Impl sharing the same key material.
std::shared_ptr<Jwk::Impl> cloneImpl(const Jwk::Impl &impl)
{
    auto copy = std::make_shared<Jwk::Impl>();
    copy->pkey = jose::sharePkey(impl.pkey.get());
    copy->type = impl.type;
    copy->curve = impl.curve;
    copy->rsaBits = impl.rsaBits;
    copy->hasPrivate = impl.hasPrivate;
    copy->kid = impl.kid;
    copy->alg = impl.alg;
    copy->use = impl.use;
    copy->keyOps = impl.keyOps;
    copy->required = impl.required;
    copy->thumbprint = impl.thumbprint;
    return copy;
}

/// Only called by the PEM reader: an encrypted PEM fails instead of
/// prompting on a terminal.
int refusePassphrase(char *, int, int, void *)
{
    return -1;
}

/// PEM text longer than this is not a key (an RSA-8192 PKCS#8 PEM is ~6.5 KB).
constexpr std::size_t kMaxPemBytes = 64 << 10;

} // namespace

Result<Jwk> Jwk::fromPublicJson(const Json &jwk, const KeyLimits &limits)
{
    if (!jwk.isObject())
        return fail(ErrorCode::Malformed, "a JWK must be a JSON object");
    jose::PublicKeyCache &cache = jose::PublicKeyCache::shared();
    const std::string cacheKey = jose::PublicKeyCache::keyOf(jwk, limits);
    if (auto known = cache.find(cacheKey))
        return Jwk(std::move(known));
    for (std::string_view member : jose::kPrivateMembers)
        if (jwk.contains(member))
            return fail(Error(ErrorCode::InvalidKey, "a public JWK carries a private or symmetric member")
                            .withClaim(member));
    OIDFED_TRY(KeyMetadata meta, readMetadata(jwk));
    OIDFED_TRY(jose::EvpPkeyPtr pkey, jose::importJwkKey(jwk, false));
    OIDFED_TRY(std::shared_ptr<Impl> impl, jose::describeKey(std::move(pkey), false, limits));
    applyMetadata(std::move(meta), *impl);
    cache.put(cacheKey, impl);
    return Jwk(std::move(impl));
}

Result<Jwk> Jwk::fromPrivateJson(const Json &jwk, const KeyLimits &limits)
{
    if (!jwk.isObject())
        return fail(ErrorCode::Malformed, "a JWK must be a JSON object");
    OIDFED_TRY(KeyMetadata meta, readMetadata(jwk));
    OIDFED_TRY(jose::EvpPkeyPtr pkey, jose::importJwkKey(jwk, true));
    OIDFED_TRY(std::shared_ptr<Impl> impl, jose::describeKey(std::move(pkey), true, limits));
    OIDFED_TRY_VOID(jose::checkKeyPair(*impl));
    applyMetadata(std::move(meta), *impl);
    return Jwk(std::move(impl));
}

Result<Jwk> Jwk::generate(JwsAlgorithm alg)
{
    EVP_PKEY *raw = nullptr;
    switch (alg) {
    case JwsAlgorithm::RS256:
    case JwsAlgorithm::RS384:
    case JwsAlgorithm::RS512:
    case JwsAlgorithm::PS256:
    case JwsAlgorithm::PS384:
    case JwsAlgorithm::PS512:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
        break;
    case JwsAlgorithm::ES256:
    case JwsAlgorithm::ES384:
    case JwsAlgorithm::ES512: {
        auto curve = std::find_if(jose::kEcCurves.begin(), jose::kEcCurves.end(),
                                  [&](const jose::EcCurve &c) { return c.alg == alg; });
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve->opensslName);
        break;
    }
    case JwsAlgorithm::EdDSA:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    }
    if (!raw)
        return jose::opensslFailure(ErrorCode::Internal, "key generation failed");
    OIDFED_TRY(std::shared_ptr<Impl> impl, jose::describeKey(jose::EvpPkeyPtr(raw), true, KeyLimits{}));
    impl->alg = std::string(jwsAlgorithmName(alg));
    impl->kid = impl->thumbprint;
    return Jwk(std::move(impl));
}

Result<Jwk> Jwk::fromPrivatePem(std::string_view pem, std::string_view kid)
{
    if (pem.empty() || pem.size() > kMaxPemBytes)
        return fail(ErrorCode::InvalidArgument, "PEM text is empty or too large to be a key");
    jose::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return jose::opensslFailure(ErrorCode::Internal, "cannot create an OpenSSL memory BIO");
    EVP_PKEY *raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, &refusePassphrase, nullptr);
    if (!raw)
        return jose::opensslFailure(ErrorCode::Malformed, "not an unencrypted PEM private key");
    OIDFED_TRY(std::shared_ptr<Impl> impl, jose::describeKey(jose::EvpPkeyPtr(raw), true, KeyLimits{}));
    OIDFED_TRY_VOID(jose::checkKeyPair(*impl));
    impl->kid = kid.empty() ? impl->thumbprint : std::string(kid);
    return Jwk(std::move(impl));
}

KeyType Jwk::type() const
{
    return impl_->type;
}

const std::string &Jwk::curve() const
{
    return impl_->curve;
}

int Jwk::rsaBits() const
{
    return impl_->rsaBits;
}

const std::string &Jwk::kid() const
{
    return impl_->kid;
}

const std::string &Jwk::alg() const
{
    return impl_->alg;
}

bool Jwk::hasPrivate() const
{
    return impl_->hasPrivate;
}

Jwk Jwk::withKid(std::string kid) const
{
    auto copy = cloneImpl(*impl_);
    copy->kid = std::move(kid);
    return Jwk(std::move(copy));
}

bool Jwk::supports(JwsAlgorithm alg) const
{
    return jose::keyAllows(*impl_, alg, jose::KeyOperation::Verify) ||
           jose::keyAllows(*impl_, alg, jose::KeyOperation::Sign);
}

std::string Jwk::thumbprint() const
{
    return impl_->thumbprint;
}

Json Jwk::toPublicJson() const
{
    Json out = Json::object();
    for (const auto &[name, value] : impl_->required)
        if (name == "kty")
            out.set(name, value);
    for (const auto &[name, value] : impl_->required)
        if (name != "kty")
            out.set(name, value);
    if (!impl_->kid.empty())
        out.set("kid", impl_->kid);
    if (!impl_->alg.empty())
        out.set("alg", impl_->alg);
    if (impl_->use)
        out.set("use", *impl_->use);
    if (impl_->keyOps) {
        Json ops = Json::array();
        for (const std::string &op : *impl_->keyOps)
            ops.push(op);
        out.set("key_ops", std::move(ops));
    }
    return out;
}

Json Jwk::toPrivateJson() const
{
    auto privateMembers = jose::exportPrivateMembers(*impl_);
    if (!privateMembers)
        return Json();
    Json out = toPublicJson();
    for (auto &[name, value] : *privateMembers)
        out.set(name, std::move(value));
    return out;
}

std::string Jwk::toPrivatePem() const
{
    if (!impl_->hasPrivate)
        return {};
    // Secure-heap memory BIO: the buffer is wiped when the BIO is freed.
    jose::BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ERR_clear_error();
        return {};
    }
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || !data)
        return {};
    return std::string(data, static_cast<std::size_t>(length));
}

} // namespace oidfed
