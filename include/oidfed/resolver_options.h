/// oidfed::ResolverOptions — every limit and tunable of trust-chain
/// resolution, with its default and unit (the single source; documented
/// field by field in docs/configuration.md, which a test keeps complete).
///
/// A plain value: build one, validate it with validateResolverOptions(), and
/// pass it by const reference. Nothing static is ever set from it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <oidfed/entity_statement.h>
#include <oidfed/result.h>
#include <oidfed/trust_mark.h>

namespace oidfed {

/// How the resolver verifies the Trust Marks of a subject (spec 7.3, 8.3:
/// "all present Trust Marks whose types are recognised ... are active").
/// Per trust mark type: signature and expiry only (the default), or also the
/// issuer's federation_trust_mark_status_endpoint (8.4), whose signed answer
/// must be "active". Status answers (and failures to get one) are cached for
/// statusCacheTtl, which also bounds how long a chain or resolve response
/// carrying such a mark is reused, so a revocation is seen within it.
struct TrustMarkVerificationOptions {
    /// Trust mark types checked at the issuer's status endpoint. A mark of
    /// another type is checked by signature and expiry only. Empty: none.
    std::vector<std::string> statusCheckedTypes{};
    /// How long a status answer is reused (threat I10: a status call per
    /// request would be a tracking and load problem). Range 1 s..1 h.
    std::chrono::seconds statusCacheTtl{60};
    /// Status answers kept; the oldest go first beyond it. Range 1..1,000,000.
    std::size_t statusCacheMaxEntries = 10000;
    /// The JWS typ values a trust framework defines for its marks, per type
    /// (spec 7); a type not listed: exactly trust-mark+jwt. Empty: none.
    /// Each list non-empty, of non-empty strings.
    TrustMarkTypValues typValues{};
};

struct ResolverOptions {
    /// Most Subordinate Statements in one chain (subject to trust anchor).
    /// Longer paths are not explored (threat B03). Range 1..32.
    std::size_t maxChainDepth = 8;
    /// authority_hints followed per entity; further hints are ignored and
    /// reported (threat B01). Range 1..64.
    std::size_t maxAuthorityHintsPerEntity = 8;
    /// HTTP fetches one resolution may make before it stops with
    /// LimitExceeded (threat B02; Unbound MAX_TARGET_COUNT). Range 1..4096.
    std::size_t maxFetchesPerResolution = 64;
    /// Candidate paths validated per resolution (threat B04). Range 1..1024.
    std::size_t maxCandidatePaths = 32;
    /// Wall-clock budget of one resolution, fetches included (PowerDNS
    /// max_total_msec). Range 1 ms..10 min.
    std::chrono::milliseconds resolveDeadline{10000};
    /// Leeway on iat and exp of every statement (spec 3.2 steps 7-8).
    /// Range 0..10 min.
    std::chrono::seconds clockSkew{60};
    /// Longest time anything stays cached, whatever its exp (threat E05;
    /// Unbound cache-max-ttl). Range 1 s..7 days.
    std::chrono::seconds maxCacheTtl{86400};
    /// How long a failed resolution is remembered, with its reason (Unbound
    /// val-bogus-ttl). 0 disables negative caching. Range 0..1 h.
    std::chrono::seconds negativeTtl{60};
    /// A cached chain this close to its expiry is resolved again on the
    /// next request, ahead of time. Range 0..maxCacheTtl.
    std::chrono::seconds refreshAhead{300};
    /// Resolved chains (and failures) kept in the in-process cache; least
    /// recently used first out. Range 0..10,000,000 (0: no caching).
    std::size_t cacheMaxEntries = 10000;
    /// Parsed statements kept in memory, shared by all resolutions (an
    /// intermediate's statements are fetched once for all its leaves).
    /// Range 0..10,000,000.
    std::size_t statementCacheMaxEntries = 10000;
    /// Limits and switches for parsing statements (JWS size, key sizes,
    /// allowHttp for entity identifiers on loopback test federations).
    StatementOptions statements{};
    /// Per type: signature only, or also the issuer's status endpoint.
    TrustMarkVerificationOptions trustMarks{};
};

/// Range checks of every field. InvalidArgument naming the field.
Result<void> validateResolverOptions(const ResolverOptions &options);

} // namespace oidfed
