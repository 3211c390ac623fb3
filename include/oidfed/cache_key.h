/// oidfed::cacheKey — unambiguous, versioned cache keys.
///
/// A key is built from a namespace (what kind of value it names) and a list
/// of parts (the entity ids, issuer, trust-anchor set, key-set digest ...
/// that the value depends on). The encoding is
///
///     "v<kCacheKeySchemaVersion>:<namespace tag>:" then, per part,
///     "<decimal byte length>:<the part's bytes>"
///
/// for example `v1:stmt:19:https://ta.example20:https://leaf.example`. Each
/// part is length-prefixed, so no choice of parts can produce the key of a
/// different list of parts or of another namespace, whatever bytes the parts
/// hold (`https://a:1` + `x` never meets `https:` + `//a:1x`; threats J02,
/// J03). The schema version changes whenever the meaning of a namespace's
/// parts or values changes, so entries of an older schema are never read
/// (R13). The key of the leading parts of a list is a prefix of the key of
/// the whole list, which is what Cache::purgePrefix() needs to purge, say,
/// every resolution of one entity (J10).
///
/// Keys are bytes, not text: parts may contain any byte, including NUL and
/// CR LF; the caches treat keys as binary-safe (J08).
///
/// Thread safety: pure functions; call from any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oidfed {

/// Bumped when the layout of keys or cached values changes.
inline constexpr int kCacheKeySchemaVersion = 1;

/// What a key names. Each has a distinct short tag in the key.
enum class CacheNamespace : std::uint8_t {
    Statement,        ///< "stmt": a fetched statement (raw JWT)
    Verification,     ///< "sig":  a signature-verification result
    Resolution,       ///< "res":  a resolved chain and its metadata
    TrustMarkStatus,  ///< "tms":  a trust mark status response
    Registration,     ///< "reg":  an OP's explicit registration of an RP (the signed response)
    Replay,           ///< "jti":  a used jti (ReplayStore), until the JWT's exp
    Crawl,            ///< "crawl": a crawler's leader lock and the crawl it shares with the other replicas
};

/// The tag of `ns` in keys, e.g. "res". Never empty, never contains ':'.
std::string_view cacheNamespaceTag(CacheNamespace ns) noexcept;

/// The key for `parts` in `ns` (format above). Parts may be empty. The
/// result is at most a few bytes per part longer than the parts together;
/// callers keep it within kMaxCacheKeyBytes (cache.h) by passing large
/// inputs through cacheKeyDigest().
std::string cacheKey(CacheNamespace ns, std::span<const std::string_view> parts);
std::string cacheKey(CacheNamespace ns, std::initializer_list<std::string_view> parts);

/// One part that stands for a set of strings: sorted, duplicates removed,
/// each length-prefixed, so that {"b","a"} and {"a","b","a"} give the same
/// part and no two different sets do (J02: the requested trust-anchor set,
/// the entity-type set, the anchor's key thumbprints).
std::string cacheKeySetPart(std::vector<std::string> items);

/// base64url (no padding) of the SHA-256 of `bytes`: 43 characters standing
/// for an input of any size, e.g. a trust anchor's whole pinned JWK Set.
std::string cacheKeyDigest(std::string_view bytes);

} // namespace oidfed
