/// oidfed::TrustAnchor — a trust anchor pinned out of band (spec 4, 10.1):
/// its Entity Identifier and the public keys that must sign its statements.
///
/// A plain immutable value; share freely.
#pragma once

#include <string>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>

namespace oidfed {

struct TrustAnchor {
    EntityId entityId;
    JwkSet jwks;
    /// Where the pin was read (the trust anchor file), for messages that say
    /// which pin to refresh; empty when it was given otherwise. Not part of
    /// the anchor's identity: keysFingerprint() ignores it.
    std::string source{};

    /// The RFC 7638 thumbprints of the pinned keys, sorted and joined with
    /// ','. Part of every cache key of a resolution, so that re-pinning an
    /// anchor with other keys never serves a chain validated under the old
    /// ones (threat J02).
    std::string keysFingerprint() const;
};

/// Parses `{"entity_id", "jwks"}` or an array of those. Malformed /
/// InvalidKey on a bad member; InvalidArgument on duplicate entity ids.
Result<std::vector<TrustAnchor>> parseTrustAnchors(const Json &json, const EntityIdOptions &options = {});

/// Loads trust anchors from a file (as parseTrustAnchors) or, when `path`
/// is a directory, from every `*.json` file in it (sorted by name); each
/// anchor's source is the file it was read from.
/// InvalidArgument when a file is unreadable (with the reason) or is not
/// JSON (saying so when it is a JWT, such as an Entity Configuration).
Result<std::vector<TrustAnchor>> loadTrustAnchors(const std::string &path, const EntityIdOptions &options = {});

} // namespace oidfed
