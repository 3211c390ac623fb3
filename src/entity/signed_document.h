// SignedDocument: a response body signed ahead of the request that needs it
// (an Entity Configuration, a Subordinate Statement, the historical keys),
// with what HTTP caching needs: its validity and a strong ETag.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <oidfed/clock.h>

namespace oidfed::entity {

struct SignedDocument {
    std::string body;          ///< the compact JWS
    UnixTime issuedAt = 0;
    UnixTime expiresAt = 0;    ///< the JWT's exp
    std::string etag;          ///< quoted, strong: "\"<digest>\""

    /// Due for re-signing at `now`: past half of its lifetime.
    bool stale(UnixTime now) const noexcept { return now >= issuedAt + (expiresAt - issuedAt) / 2; }
};

using DocumentPtr = std::shared_ptr<const SignedDocument>;

/// A strong ETag for a response body: the quoted first 128 bits of its
/// SHA-256, base64url.
std::string strongEtag(std::string_view body);

/// Wraps a freshly signed JWT: computes the ETag from its bytes.
DocumentPtr makeSignedDocument(std::string jwt, UnixTime issuedAt, UnixTime expiresAt);

} // namespace oidfed::entity
