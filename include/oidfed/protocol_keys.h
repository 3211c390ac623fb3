/// oidfed::ProtocolKeyStore — an entity's protocol keys, taken from its
/// *resolved* metadata (spec 5.2.1; 12.1.1.1.2 step 6: an OP verifies an
/// RP's Request Object "with keys from the RP's resolved
/// openid_relying_party metadata").
///
/// For a verified TrustChain and an entity type the caller names
/// (openid_relying_party, oauth_client, openid_credential_issuer, ...; never
/// federation_entity, which may not carry keys), the keys come from exactly
/// one of the type's resolved parameters, in this order of precedence:
///
///  1. `jwks`: the keys by value. They are part of the verified chain (a
///     superior's policy may even have fixed them) and need no I/O.
///  2. `signed_jwks_uri`: fetched through the caller's guarded Fetcher
///     (HTTP 200, application/jwk-set+jwt) and verified with the subject's
///     Federation Entity Keys from the chain (TrustChain::subjectKeys(),
///     verifySignedJwks()).
///  3. `jwks_uri`: fetched through the same Fetcher (application/json or
///     application/jwk-set+json); only TLS vouches for it.
///
/// 5.2.1.1 RECOMMENDS using one of the three; when several are present their
/// keys SHOULD be the same and the publisher MUST keep them consistent. The
/// first present is used, the others are neither fetched nor compared:
/// precedence goes to what the federation itself vouches for (the chain,
/// then a signature by a Federation Entity Key), and a metadata that names
/// several sources cannot make a verifier fetch an unsigned URL it does not
/// need.
///
/// The Fetcher carries every guard of FetchOptions: https only, no
/// redirects, the destination guard (private, loopback, link-local...
/// addresses refused unless allowed), connect and total timeouts, the body
/// size cap. A key set is cached in process until the earliest of the
/// chain's expiry, the signed set's exp and maxCacheTtl after it was
/// fetched (jwks_uri has no expiry of its own); failures are not cached.
/// keysFor() with KeyFreshness::Refetch fetches again (an unknown kid: the
/// entity may have rolled its keys over) unless the cached set was fetched
/// less than minRefetchInterval ago.
///
/// Thread safety: keysFor() may be called from any number of threads at
/// once. The Fetcher and Clock must outlive the store.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/signed_jwks.h>
#include <oidfed/trust_chain.h>

namespace oidfed {

/// Where an entity's protocol keys came from (the metadata parameter).
enum class ProtocolKeySource { Jwks, SignedJwksUri, JwksUri };

/// "jwks", "signed_jwks_uri", "jwks_uri". Never empty.
std::string_view protocolKeySourceName(ProtocolKeySource source) noexcept;

struct ProtocolKeyOptions {
    /// Leeway on a signed JWK Set's iat / exp. Range 0 .. 10 min.
    std::chrono::seconds clockSkew{60};
    /// Longest a fetched key set is kept (jwks_uri has no expiry of its own;
    /// a signed set's exp and the chain's expiry may end it sooner), in
    /// seconds. Range 1 s .. 1 day. Default 5 min.
    std::chrono::seconds maxCacheTtl{300};
    /// A fetched key set is not fetched again for an unknown kid
    /// (KeyFreshness::Refetch) until it is this old, so that Request Objects
    /// naming made-up kids cannot make the verifier hammer the entity's
    /// server. Range 0 s .. 1 h. Default 30 s.
    std::chrono::seconds minRefetchInterval{30};
    /// Most key sets cached (one per entity, entity type and source); the
    /// least recently used is dropped beyond it. Range 1 .. 10,000,000.
    std::size_t cacheMaxEntries = 10000;
    /// Parsing limits of a signed set and of every key set.
    SignedJwksLimits limits{};
};

/// InvalidArgument naming the field in Error::claim ("maxCacheTtl: must be
/// 1..86400") when a field is out of range.
Result<void> validateProtocolKeyOptions(const ProtocolKeyOptions &options);

/// An entity's protocol keys for one entity type.
struct ProtocolKeys {
    EntityId entity;
    std::string entityType{};
    ProtocolKeySource source = ProtocolKeySource::Jwks;
    /// The signed_jwks_uri or jwks_uri fetched; empty for jwks.
    std::string uri{};
    JwkSet keys{};
    /// When the set was read (fetched, or taken from the chain).
    UnixTime obtainedAt = 0;
    /// Until when it may be used without reading it again: min(chain
    /// expiry, signed set's exp, obtainedAt + maxCacheTtl for a fetched set).
    UnixTime expiresAt = 0;
};

enum class KeyFreshness {
    Cached,   ///< a cached set while it lasts
    Refetch,  ///< fetch again unless the cached set is younger than minRefetchInterval
};

class ProtocolKeyStore {
public:
    /// What the store borrows; both must outlive it.
    struct Dependencies {
        Fetcher &fetcher;  ///< the guarded fetcher (the resolver's own is right)
        const Clock &clock;
    };

    /// Errors: InvalidArgument for options out of range.
    static Result<std::unique_ptr<ProtocolKeyStore>> create(const ProtocolKeyOptions &options,
                                                            Dependencies dependencies);

    ~ProtocolKeyStore();
    ProtocolKeyStore(const ProtocolKeyStore &) = delete;
    ProtocolKeyStore &operator=(const ProtocolKeyStore &) = delete;

    /// The protocol keys of `chain`'s subject for `entityType`, from the
    /// chain's resolved metadata (see the file comment for the precedence).
    /// Errors, with entityId the subject and claim the metadata parameter
    /// unless said otherwise:
    ///  - InvalidArgument: entityType empty or federation_entity (rule
    ///    "5.2.1 entity type").
    ///  - InvalidMetadata (spec error invalid_metadata): the resolved
    ///    metadata has no `entityType` (claim "metadata", rule "5.2.1
    ///    entity type"); none of jwks / signed_jwks_uri / jwks_uri (claim
    ///    "jwks", rule "5.2.1 no keys"); a parameter of the wrong JSON type
    ///    or a key set that is unusable (rule "5.2.1 jwks", "5.2.1
    ///    jwks_uri"); a URI the Fetcher refuses before connecting (not
    ///    https, a refused destination such as a private address: rule
    ///    "5.2.1 <parameter> destination"), a body over the size cap (rule
    ///    "5.2.1 <parameter> size"), another media type or another status
    ///    such as 404 (rule "5.2.1 <parameter> response").
    ///  - Unavailable: the server could not be reached, answered another
    ///    status than 200 (a redirect is not followed) or broke off; Timeout:
    ///    a deadline passed (rule "5.2.1 <parameter> fetch").
    ///  - verifySignedJwks()'s codes for a signed set (rule "5.2.1
    ///    signed_jwks_uri", claim the claim or header concerned).
    Result<std::shared_ptr<const ProtocolKeys>> keysFor(const TrustChain &chain, std::string_view entityType,
                                                        KeyFreshness freshness = KeyFreshness::Cached);

    /// Fetches done so far (not counting cache hits), for tests and metrics.
    std::size_t fetches() const;

private:
    struct Impl;
    explicit ProtocolKeyStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed
